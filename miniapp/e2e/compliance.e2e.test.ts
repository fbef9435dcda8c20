import type { GuardianConsentView } from '@blindbox/shared';
import type { BoxPage, Box } from '@blindbox/shared';
import type { Browser, BrowserContextOptions } from 'playwright-core';
import type { TestServer } from '../../server/test/support/test-server';
import { checkPage, laidOutBox, pageAs } from './page-checks';
import { useH5Stack } from './h5-stack';

/**
 * What the blind-box rules ask a shopper to see before buying, on a phone in a real browser: every item's value
 * (box page and rules page), and for a shopper who declared 8–17 the notice that a guardian's consent is needed,
 * on the box page (in the first screen) and on the confirm page (there the page's own hold for a minor without
 * consent, the reminder for one with it, never both); an adult sees no such notice.
 */

let server: TestServer;
let browser: Browser;
let box: Box;
const PHONE: BrowserContextOptions = { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** Logs `code` in through the API and declares its age bracket, as 我的 would; the guardian consents on their own page. */
async function declare(code: string, bracket: 'ADULT' | 'MINOR_8_17', guardianConsent: boolean): Promise<void> {
  const { token } = (await (await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) })).json()) as { token: string };
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const declared = await fetch(`${server.url}/api/me/age`, { method: 'PUT', headers, body: JSON.stringify({ bracket }) });
  expect(declared.status).toBe(200);
  if (!guardianConsent) return;
  const view = (await (await fetch(`${server.url}/api/me/guardian-consent`, { headers })).json()) as GuardianConsentView;
  const consent = await fetch(`${server.url}/api/me/guardian-consent`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ guardianName: '李妈妈', relationship: 'PARENT', guardianPhone: '13912345678', declarationVersion: view.declarationVersion, limits: view.limits, declared: true }),
  });
  expect(consent.status).toBe(201);
}

useH5Stack(async (stack) => {
  ({ server, browser } = stack);
  box = ((await (await fetch(`${server.url}/api/boxes?pageSize=50`)).json()) as BoxPage).items.find((candidate) => candidate.name === '星空猫咪')!;
  await declare('dev-teen', 'MINOR_8_17', false);
  await declare('dev-teen-ok', 'MINOR_8_17', true);
  await declare('dev-grown', 'ADULT', false);
});

/** A phone page logged in as the H5 dev user `code` (Taro's storage format). */
const phoneAs = (code: string) => pageAs(browser, code, PHONE);

test('an 8–17 shopper sees each item value and the guardian-consent notice on the box page and the confirm page', async () => {
  const { page, problems } = await phoneAs('dev-teen');
  await page.goto(`${server.url}/#/pages/box/index?id=${box.id}`);
  const notice = page.getByTestId('minors-notice');
  await notice.waitFor({ timeout: 20_000 });
  expect(await notice.getAttribute('data-kind')).toBe('GUARDIAN_CONSENT_NEEDED');
  expect(await notice.textContent()).toContain('购买盲盒须取得监护人同意');
  // In plain sight: within the first screen, without scrolling.
  const noticeBox = await laidOutBox(notice);
  expect(noticeBox.y + noticeBox.height).toBeLessThanOrEqual(812);

  const values = page.getByTestId('item-values');
  await values.waitFor();
  expect(await page.getByTestId('item-value-row').count()).toBe(box.products.length);
  // The demo file's values (server/catalog/starry-cat.yaml), rarest last as the odds table reads.
  expect(await page.getByTestId('item-value').allTextContents()).toEqual(['¥49.00', '¥49.00', '¥69.00', '¥69.00', '¥99.00', '¥199.00']);
  expect(await page.getByTestId('item-values-range').textContent()).toContain('¥49.00 – ¥199.00');
  expect(await page.getByTestId('item-values-average').textContent()).toContain('¥66.50');
  await checkPage(page, 'phone-compliance-01-box-minor', ['minors-notice-link', 'order-button']);
  await values.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${__dirname}/screenshots/phone-compliance-02-box-values.png` });

  await page.getByTestId('order-button').click();
  await page.waitForURL(/order\/confirm/);
  // The confirm page's own hold says it (and stops the purchase); the box page stays in the DOM, hidden, below it.
  const hold = page.getByTestId('guardian-needed');
  await hold.waitFor({ timeout: 20_000 });
  expect(await hold.textContent()).toMatch(/需要监护人.*同意/);
  expect((await laidOutBox(hold)).y).toBeLessThan(812);
  expect(await page.locator('[data-testid="minors-notice"] >> visible=true').count()).toBe(0);
  expect(problems).toEqual([]);
  await page.context().close();
}, 120_000);

test('an 8–17 shopper with a guardian\'s consent is reminded of it on the box page and the confirm page', async () => {
  const { page, problems } = await phoneAs('dev-teen-ok');
  await page.goto(`${server.url}/#/pages/box/index?id=${box.id}`);
  const notice = page.getByTestId('minors-notice');
  await notice.waitFor({ timeout: 20_000 });
  expect(await notice.getAttribute('data-kind')).toBe('GUARDIAN_CONSENTED');
  expect(await notice.textContent()).toContain('须在监护人同意下购买');

  await page.getByTestId('order-button').click();
  await page.waitForURL(/order\/confirm/);
  // The box page stays in the DOM (hidden) under the confirm page: the visible notice is the confirm page's.
  const confirmNotice = page.locator('[data-testid="minors-notice"][data-kind="GUARDIAN_CONSENTED"] >> visible=true');
  await confirmNotice.waitFor({ timeout: 20_000 });
  expect(await confirmNotice.textContent()).toMatch(/监护人已于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 确认同意/);
  expect((await laidOutBox(confirmNotice)).y).toBeLessThan(812);
  await checkPage(page, 'phone-compliance-03-confirm-minor');
  expect(problems).toEqual([]);
  await page.context().close();
}, 120_000);

test('the rules page lists each item value and the shop\'s commitments; an adult sees no minors\' notice on the box page', async () => {
  const { page, problems } = await phoneAs('dev-grown');
  const profileRead = page.waitForResponse((response) => response.url().endsWith('/api/me') && response.ok());
  await page.goto(`${server.url}/#/pages/box/index?id=${box.id}`);
  await page.getByTestId('item-values').waitFor({ timeout: 20_000 });
  await profileRead;
  // The profile was read: an adult's bracket shows nothing (the rule itself: shared/compliance.test.ts).
  expect(await page.getByTestId('minors-notice').count()).toBe(0);

  await page.getByTestId('rules-link').click();
  await page.getByTestId('rules-page').waitFor();
  const values = page.getByTestId('rules-page').getByTestId('item-value');
  await values.first().waitFor();
  expect(await values.count()).toBe(box.products.length);
  expect(await values.allTextContents()).toContain('¥199.00');
  const commitments = page.getByTestId('compliance-commitments');
  expect(await commitments.textContent()).toContain('不折现、不回购、不炒作');
  expect(await commitments.textContent()).toContain('不向未满 8 周岁的儿童销售');
  await page.getByTestId('rules-page').getByTestId('item-values').scrollIntoViewIfNeeded();
  await checkPage(page, 'phone-compliance-04-rules-values');
  await commitments.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${__dirname}/screenshots/phone-compliance-05-rules-commitments.png` });
  expect(problems).toEqual([]);
  await page.context().close();
}, 120_000);
