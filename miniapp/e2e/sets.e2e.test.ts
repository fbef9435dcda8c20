import type { Browser } from 'playwright-core';
import type { TestServer } from '../../server/test/support/test-server';
import { buyer } from '../../server/test/fault/fault-support';
import { payAndWait } from '../../server/test/support/sets';
import { waitUntil } from '../../server/test/support/wechatpay-harness';
import { boxModel } from '../../server/src/catalog/box.model';
import { boxSetModel } from '../../server/src/sets/set.model';
import { setService } from '../../server/src/sets/set.service';
import { verifySetJson } from '../../server/tools/verify-draw';
import { checkPage, watchProblems, orderAndPayFirstTime } from './page-checks';
import { useH5Stack } from './h5-stack';

/**
 * A whole-set box (端盒) as a shopper meets it in a real browser: pick a position in the demo set's grid, pay
 * in the dev simulator's pay sheet, see the design at that position, and once the rest of the set is sold,
 * verify the set in the page (and with the standalone verifier).
 */

let server: TestServer;
let browser: Browser;

useH5Stack(async (stack) => {
  ({ server, browser } = stack);
  // The page logs in as dev-alice; her age is declared beforehand (the age gate has a browser test of its own).
  await server.login('dev-alice');
});

test('pick a position → pay → see its design; after the set sells out, verify it in the page', async () => {
  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  const problems = watchProblems(page);
  await page.goto(`${server.url}/`);
  await page.getByTestId('box-item').filter({ hasText: '月兔端盒' }).click();
  await page.getByTestId('set-rules').waitFor();
  await page.getByTestId('order-button').click();

  await page.getByTestId('set-grid-page').waitFor();
  const setId = (await page.getByTestId('set-grid-page').getAttribute('data-set-id')) ?? '';
  expect(await page.getByTestId('set-cell').count()).toBe(6);
  // Taro's H5 button is a custom element: disabled is its attribute, not the DOM property Playwright reads.
  expect(await page.getByTestId('buy-picked').getAttribute('disabled')).toBe('');
  await page.locator('[data-testid="set-cell"][data-position="2"]').click();
  await checkPage(page, 'sets-grid-picked', ['set-cell', 'buy-picked', 'buy-whole-set']);
  await page.getByTestId('buy-picked').click();

  await page.getByTestId('confirm-pick').waitFor();
  expect(await page.getByTestId('confirm-pick').textContent()).toContain('3');
  await orderAndPayFirstTime(page);
  const set = (await boxSetModel(server.container.db).findById(setId).lean())!;
  const box = (await boxModel(server.container.db).findById(set.boxId).lean())!;
  const design = box.products.find((product) => product.productId === set.arrangement[2])!;
  expect((await page.getByTestId('reveal-name').textContent())?.trim()).toBe(design.name);
  expect(await page.getByTestId('set-verify-link').textContent()).toContain('3 号位');

  // Before the set sells out the verification page has nothing to check yet.
  await page.getByTestId('set-verify-link').click();
  await page.getByTestId('set-verify-page').waitFor();
  expect(await page.getByTestId('set-verdict').getAttribute('data-verdict')).toBe('PENDING');

  const bob = await buyer(server, 'dev-set-e2e-bob');
  const rest = await bob.orderNow([{ boxId: box._id.toHexString(), quantity: 5, setPick: { setId, positions: [0, 1, 3, 4, 5] } }]);
  await payAndWait(server, bob.api, rest.id);
  // The positions are recorded sold just after the order turns paid; the page shows the verdict it loads with.
  await waitUntil(async () => ((await boxSetModel(server.container.db).findById(setId).lean())?.state === 'SOLD_OUT' ? true : null), 10_000, 'the set to sell out');

  await page.reload();
  await page.getByTestId('set-verify-page').waitFor();
  await page.locator('[data-testid="set-verdict"][data-verdict="MATCH"]').waitFor({ timeout: 10_000 });
  expect(await page.getByTestId('arranged-cell').evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-product')))).toEqual(set.arrangement);
  expect(await page.getByTestId('set-sale').count()).toBe(6);
  await checkPage(page, 'sets-verified');
  const published = JSON.parse((await page.getByTestId('set-json').textContent()) ?? '{}') as unknown;
  expect(verifySetJson(published).result).toEqual({ ok: true });
  expect(problems).toEqual([]);
  await page.close();
}, 180_000);

test('with every set gone the grid says the series is sold out and still lists each published set to verify', async () => {
  const box = (await boxModel(server.container.db).findOne({ slug: 'moon-rabbit-set' }).lean())!;
  const sets = setService(server.container.db);
  const secrets = new Set(box.products.filter((product) => product.rarity === 'SECRET').map((product) => product.productId));
  const carol = await buyer(server, 'dev-set-e2e-carol');
  for (const set of await boxSetModel(server.container.db).find({ boxId: box._id, state: 'ON_SALE' }).lean()) {
    // A set holding its block's unsold secret is never retired (docs/fairness.md): its secret is bought first.
    const refused = await sets.retire(set._id).then(() => null, (error: { code?: string }) => error);
    if (!refused) continue;
    expect(refused.code).toBe('SET_SECRET_UNSOLD');
    const secretAt = set.arrangement.findIndex((productId) => secrets.has(productId));
    const order = await carol.orderNow([{ boxId: box._id.toHexString(), quantity: 1, setPick: { setId: set._id.toHexString(), positions: [secretAt] } }]);
    await payAndWait(server, carol.api, order.id);
    await sets.retire(set._id);
  }

  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  const problems = watchProblems(page);
  await page.goto(`${server.url}/#/sets/grid/index?boxId=${box._id.toHexString()}`);
  await page.getByTestId('sets-sold-out').waitFor();
  const published = await boxSetModel(server.container.db).countDocuments({ boxId: box._id, revealedAt: { $ne: null } });
  expect(await page.getByTestId('revealed-set').count()).toBe(published);
  await checkPage(page, 'sets-sold-out', ['revealed-set']);
  await page.getByTestId('revealed-set').first().click();
  await page.locator('[data-testid="set-verdict"][data-verdict="MATCH"]').waitFor({ timeout: 10_000 });
  // The sold-out answer is a state of the page, not a failed request.
  expect(problems.filter((problem) => !problem.includes('409'))).toEqual([]);
  await page.close();
}, 120_000);
