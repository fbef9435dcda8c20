import type { Browser } from 'playwright-core';
import type { TestServer } from '../../server/test/support/test-server';
import { serverSeedModel } from '../../server/src/fairness/fairness.model';
import { runAdminCommand } from '../../server/src/admin/run-admin-command';
import { verifyProofs } from '../../server/tools/verify-draw';
import { orderAndPayFirstTime } from './page-checks';
import { useH5Stack } from './h5-stack';

/**
 * The fairness loop as a shopper meets it in a real browser: read a box's rules, declare the age bracket,
 * buy, see the draw, open its proof (recomputed in the page), and get the same product from the verifier.
 */

let server: TestServer;
let browser: Browser;

useH5Stack((stack) => {
  ({ server, browser } = stack);
});

test('rules → buy (age asked inline) → reveal → proof recomputed in the page and by the verifier', async () => {
  // A phone: at desktop width the pay page shows the Native-pay QR code instead of the pay sheet.
  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  await page.goto(`${server.url}/`);
  await page.getByTestId('box-item').first().click();
  await page.getByTestId('rules-link').click();

  await page.getByTestId('rules-page').waitFor();
  expect(await page.getByTestId('rules-odds-fraction').first().textContent()).toMatch(/^\d+\/\d+（\d+\.\d{2}%）$/);
  expect(await page.getByTestId('rules-guarantee').textContent()).toContain('72');
  const publishedHash = (await page.getByTestId('rules-seed-hash').textContent())?.trim() ?? '';
  expect(publishedHash).toMatch(/^[0-9a-f]{64}$/);

  // The age is asked on the first purchase, as a sheet on the confirm page (orderAndPayFirstTime answers it).
  await page.goBack();
  await page.getByTestId('order-button').click();
  await page.getByTestId('age-sheet').waitFor();
  await orderAndPayFirstTime(page);
  const revealed = (await page.getByTestId('reveal-name').first().textContent())?.trim();

  await page.getByTestId('proof-link').first().click();
  await page.getByTestId('proof-page').waitFor();
  expect(await page.getByTestId('proof-seed-hash').textContent()).toBe(publishedHash);
  expect(await page.getByTestId('proof-verdict').getAttribute('data-verdict')).toBe('PENDING');

  // The seed is rotated, and time moves past the payment window of every order that took it (set in the
  // database: waiting out a real 15-minute window has no place in a test).
  const proofBefore = JSON.parse((await page.getByTestId('proof-json').textContent()) ?? '{}') as { seedId: string; productId: string };
  expect((await runAdminCommand(server.container, ['rotate-seed', proofBefore.seedId.split(':')[0]!])).exitCode).toBe(0);
  await serverSeedModel(server.container.db).updateOne({ _id: proofBefore.seedId }, { $set: { lastOrderExpiresAt: new Date(Date.now() - 1000) } });

  await page.reload();
  await page.getByTestId('proof-page').waitFor();
  const verdict = page.getByTestId('proof-verdict');
  expect(await verdict.getAttribute('data-verdict')).toBe('MATCH');
  expect(await page.getByTestId('proof-product').textContent()).toContain(revealed ?? '?');
  const proof = JSON.parse((await page.getByTestId('proof-json').textContent()) ?? '{}') as unknown;
  const [verified] = verifyProofs(proof);
  expect(verified?.result).toEqual({ ok: true, productId: await verdict.getAttribute('data-product'), forced: false });
  await page.close();
}, 180_000);
