import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { createStaff, paidOrderOf, totpCode, STAFF_PASSWORD } from '../../test/support/console';
import { orderDoc } from '../../test/support/job-test-support';
import { expectCjkGlyphs, launchChromium } from '../../../miniapp/e2e/page-checks';
import { consolePage, signInStaff } from './console-browser';

/**
 * The staff console in a real Chromium against the real server and simulator: an owner logs in with a TOTP
 * code, finds a paid three-unit order by its WeChat transaction id, refunds one unit, ships it, and finds both
 * in the audit. Every page is photographed at 1440×900 into docs/console/. `npm test` builds the console first.
 */

const consoleDist = path.resolve(__dirname, '..', 'dist');
const screenshotDir = path.resolve(__dirname, '..', '..', '..', 'docs', 'console');
const VIEWPORT = { width: 1440, height: 900 };

let server: TestServer;
let browser: Browser;
let owner: { username: string; totpSecret: string | null };

beforeAll(async () => {
  if (!fs.existsSync(path.join(consoleDist, 'index.html'))) throw new Error('no console build: run `npm run build -w server/console` (npm test does)');
  server = await startTestServer({ env: { CONSOLE_DIR: consoleDist } });
  browser = await launchChromium();
  owner = await createStaff(server, 'e2e-owner', 'owner', { totp: true });
  // A colleague, so the staff page shows more than the owner.
  await createStaff(server, 'e2e-support', 'support');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const newPage = () => consolePage(browser, { viewport: VIEWPORT, timezoneId: 'Europe/London', httpErrors: true });

/** Expected refusals (no session yet, the code the login asks for) are answers, not problems. */
const unexpected = (problems: string[]) => problems.filter((problem) => !/status of 401/.test(problem));

async function shoot(page: Page, name: string): Promise<void> {
  // Let antd's transitions (modal zoom, message slide) settle so the picture shows what staff see.
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}

async function logIn(page: Page): Promise<void> {
  await page.goto(`${server.url}/console/`);
  await page.getByTestId('login-form').waitFor();
  await page.getByTestId('login-username').fill(owner.username);
  await page.getByTestId('login-password').fill(STAFF_PASSWORD);
  await page.getByTestId('login-submit').click();
  // The password was right; the server asks for the second factor.
  await page.getByTestId('login-totp').waitFor();
  await shoot(page, '01-login-totp');
  await page.getByTestId('login-totp').fill(await totpCode(owner.totpSecret!, server.clock.now()));
  await page.getByTestId('login-submit').click();
  await page.getByTestId('dashboard').waitFor({ timeout: 30_000 });
}

test('an owner logs in with TOTP, finds an order by its WeChat transaction id, refunds one unit of three, ships it and sees both in the audit', async () => {
  const order = await paidOrderOf(server, 'console-e2e-shopper', 3);
  // Another paid order, still waiting in the to-ship queue when the shipping page is photographed.
  const waiting = await paidOrderOf(server, 'console-e2e-other', 1);
  const transactionId = (await orderDoc(server, order.id)).payment.transactionId;
  expect(transactionId).toBeTruthy();
  const { page, problems } = await newPage();

  await logIn(page);
  await expectCjkGlyphs(page);
  await page.getByTestId('dashboard-chart').locator('svg').first().waitFor();
  await expect(page.getByTestId('current-staff').innerText()).resolves.toBe('e2e-owner');
  // The background jobs by what they do, the code name beside it.
  await page.getByText('关闭超时未付订单').waitFor();
  await shoot(page, '02-dashboard');

  // Orders: the WeChat transaction id a shopper reads from their bill finds exactly their order, and the
  // search lives in the URL.
  await page.getByTestId('main-menu').getByText('订单管理').click();
  await page.getByTestId('order-search-q').fill(transactionId!);
  await page.getByTestId('order-search-submit').click();
  await page.waitForURL((url) => url.searchParams.get('q') === transactionId);
  const rows = page.getByTestId('order-table').locator('tbody tr.ant-table-row');
  // Until the answer to this search replaces the list shown before it (both paid orders).
  await waitForExactCount(rows, 1);
  await expect(rows.first().innerText()).resolves.toContain(order.id);
  await shoot(page, '03-orders');

  await rows.first().getByRole('link', { name: order.id }).click();
  await page.getByTestId('order-detail').waitFor();
  await shoot(page, '04-order-detail');

  // Refund one unit of the three: the dialog shows what is left, asks for a reason, then once more.
  await page.getByTestId('order-refund').click();
  await page.getByTestId('refundable-left').waitFor();
  await page.getByTestId('refund-units-0').fill('1');
  await page.getByTestId('refund-reason').fill('手办破损');
  await shoot(page, '05-refund-dialog');
  await page.getByRole('button', { name: '下一步' }).click();
  await page.getByTestId('refund-confirm').click();
  const refundRows = page.getByTestId('refund-table').locator('tbody tr.ant-table-row');
  await expect(waitForCount(refundRows, 1)).resolves.toBe(1);
  await expect(refundRows.first().innerText()).resolves.toContain('手办破损');
  const unitFen = order.totalFen / 3;
  await page.getByTestId('order-refunded').filter({ hasText: `${yuanText(unitFen)} / ${yuanText(order.totalFen - unitFen)}` }).waitFor();
  const refunds = (await orderDoc(server, order.id)).refunds ?? [];
  expect(refunds.map((refund: { amountFen: number }) => refund.amountFen)).toEqual([unitFen]);

  // The shopper moved after paying and called: the parcel goes to the new address, the reason in its history.
  await page.getByTestId('order-readdress').click();
  await page.getByTestId('address-detail').fill('漕溪北路 1 号 2 室');
  await page.getByTestId('address-reason').fill('顾客来电：已搬家');
  await shoot(page, '05b-address-dialog');
  await page.getByTestId('address-confirm').click();
  await page.getByTestId('order-address').filter({ hasText: '漕溪北路 1 号 2 室' }).waitFor({ timeout: 40_000 });
  expect((await orderDoc(server, order.id)).address.detail).toBe('漕溪北路 1 号 2 室');

  // Ship with a tracking number.
  await page.getByTestId('order-ship').click();
  await page.getByTestId('ship-tracking').fill('SF1234567890');
  await page.getByTestId('ship-confirm').click();
  await expect(page.getByTestId('order-tracking').innerText({ timeout: 15_000 })).resolves.toContain('SF1234567890');
  await expect(page.getByTestId('order-status').innerText()).resolves.toBe('已发货');
  // What the shopper was told of it: this test shop configures no subscribe-message template, and the page says so.
  await expect(page.getByTestId('order-notices').innerText()).resolves.toMatch(/发货通知\s*未发送：本店未配置此类通知的模板/);
  // The order's own log names the refunded item, as its refund table does.
  const itemName = (await orderDoc(server, order.id)).items[0]!.name;
  await expect(page.getByTestId('audit-table').innerText()).resolves.toContain(`退款件数: — → ${itemName} × 1`);
  // The status history in words staff read: who and why, not the server's English and ids.
  const history = await page.getByTestId('order-history').innerText();
  expect(history).toContain('创建 → 待支付（顾客下单，顾客）');
  expect(history).toMatch(/待支付 → 待发货（已付款（交易号 \S+），(微信支付通知|顾客|系统任务（核对未回调的支付）)）/);
  expect(history).toContain('待发货 → 已发货（发货，员工 e2e-owner）');
  expect(history).toContain('待发货（员工修改收货地址：顾客来电：已搬家，员工 e2e-owner）');
  expect(history).not.toMatch(/order placed|paid by transaction|user:/);
  // Once the ship dialog's mask has gone (it fades out after the dialog closes).
  await page.locator('.ant-modal-mask').last().waitFor({ state: 'hidden' });
  // And the action's toasts gone, so the cards' pictures show the cards.
  await page.waitForFunction(() => document.querySelectorAll('.ant-message-notice').length === 0, null, { timeout: 15_000 });
  await page.locator('.ant-card', { has: page.getByTestId('order-history') }).screenshot({ path: path.join(screenshotDir, '06b-order-history.png') });
  await page.getByTestId('order-notices').screenshot({ path: path.join(screenshotDir, '06c-order-notices.png') });
  await shoot(page, '06-order-after-refund-and-ship');

  // The audit page, filtered to this order: both changes, by this staff member.
  await page.getByTestId('main-menu').getByText('操作日志').click();
  await page.getByTestId('audit-target').fill(`order:${order.id}`);
  await page.getByTestId('audit-search').click();
  const auditRows = page.getByTestId('audit-table').locator('tbody tr.ant-table-row');
  await page.waitForURL((url) => url.searchParams.get('target') === `order:${order.id}`);
  // Exactly this order's three changes: the refund, the new address and the shipment.
  await waitForExactCount(auditRows, 3);
  const auditText = await page.getByTestId('audit-table').innerText();
  expect(auditText).toMatch(/refund/);
  expect(auditText).toMatch(/ship/);
  // The staff member by name in words; the recorded actor stays in the cell's tooltip.
  expect(auditText).toContain('员工 e2e-owner');
  expect(await page.getByTestId('audit-table').locator('span[title="staff:e2e-owner"]').count()).toBeGreaterThan(0);
  // A line per changed field in Chinese, not the documents as JSON; money in yuan.
  expect(auditText).toContain('状态: 待发货 → 已发货');
  // The carrier by its name, as the ship dialog offered it, not WeChat's code (SF).
  expect(auditText).toMatch(/快递公司: — → 顺丰速运/);
  expect(auditText).toMatch(/收货地址: .+ → .+漕溪北路 1 号 2 室/);
  expect(auditText).toMatch(/金额: — → ¥\d+\.\d{2}/);
  // The refunded unit by its place in the order here (the order's own page names it).
  expect(auditText).toContain('退款件数: — → 第 1 项 × 1');
  await shoot(page, '07-audit');

  // The CSV import checks every row and names the wrong ones by line; nothing is applied.
  await page.getByTestId('main-menu').getByText('发货管理').click();
  await page.getByTestId('to-ship-table').getByRole('link', { name: waiting.id }).waitFor();
  await shoot(page, '08-shipping');
  await page.getByRole('tab', { name: '批量导入运单号' }).click();
  await page.getByTestId('import-csv').fill(`order_id,tracking_no,carrier\n${waiting.id},YT9876543210,YTO\n${order.id},SF1,SF\n`);
  await page.getByTestId('import-check').click();
  await page.getByTestId('import-errors').waitFor();
  await expect(page.getByTestId('import-errors').innerText()).resolves.toMatch(/\b3\b/);
  expect((await orderDoc(server, waiting.id)).status).toBe('TO_BE_DELIVERED');
  await shoot(page, '09-shipping-import-errors');

  // Trade bills: the owner runs yesterday's (Beijing) bill from the page and lands on its report.
  await page.getByTestId('main-menu').getByText('交易账单').click();
  const yesterday = new Date(server.clock.now().getTime() + 8 * 3600_000 - 86_400_000).toISOString().slice(0, 10);
  // Typed, as a staff member may. A click on the calendar cell was once lost in CI on a loaded machine (the picker
  // stayed empty, the button disabled); the run button is pressed only once the picker holds the day.
  await page.getByTestId('bill-day').fill(yesterday);
  await page.getByTestId('bill-day').press('Enter');
  await page.locator('[data-testid="bill-run"]:not([disabled])').waitFor();
  await page.getByTestId('bill-run').click();
  await page.waitForURL(`**/console/bills/${yesterday}`, { timeout: 30_000 });
  await page.getByTestId('bill-detail').waitFor();
  await page.getByTestId('main-menu').getByText('交易账单').click();
  await page.getByTestId('bills-table').getByRole('link', { name: yesterday }).waitFor();
  await shoot(page, '10-bills');

  await page.getByTestId('main-menu').getByText('员工账号').click();
  await page.getByTestId('staff-table').getByText('e2e-support').waitFor();
  await shoot(page, '11-staff');

  expect(unexpected(problems)).toEqual([]);
}, 180_000);

test('a new operator changes the one-time password at first login and binds an authenticator by its QR code', async () => {
  await createStaff(server, 'e2e-operator', 'operator', { mustChangePassword: true });
  const { page, problems } = await newPage();
  await signInStaff(page, `${server.url}/console/`, { username: 'e2e-operator' }, server.clock.now());

  await page.getByTestId('new-password').waitFor({ timeout: 15_000 });
  await page.getByTestId('current-password').fill(STAFF_PASSWORD);
  await page.getByTestId('new-password').fill('short');
  await page.getByTestId('confirm-password').fill('short');
  await page.getByTestId('password-submit').click();
  // The shared schema's rule, in its words, before anything is sent.
  await page.getByText('密码至少 10 位').waitFor();
  await page.getByTestId('new-password').fill('a much longer passphrase');
  await page.getByTestId('confirm-password').fill('a much longer passphrase');
  await page.getByTestId('password-submit').click();

  await page.getByTestId('totp-start').click();
  await page.getByTestId('totp-qr').locator('canvas').waitFor();
  await shoot(page, '12-totp-enrolment');
  const secret = (await page.getByTestId('totp-secret').innerText()).trim();
  await page.getByTestId('totp-code').fill(await totpCode(secret, server.clock.now()));
  await page.getByTestId('totp-confirm').click();
  await page.getByTestId('dashboard').waitFor({ timeout: 30_000 });
  // The operator's menu has no staff page, and the account now has its second factor.
  expect(await page.getByTestId('main-menu').getByText('员工账号').count()).toBe(0);
  expect(await page.getByTestId('enrol-totp').count()).toBe(0);
  const member = await server.container.staff.get('e2e-operator');
  expect(member.totpSecret).toBeTruthy();
  expect(unexpected(problems)).toEqual([]);
}, 120_000);

test('a viewer sees orders but no staff page, and every action on an order is disabled', async () => {
  const viewer = await createStaff(server, 'e2e-viewer', 'viewer');
  const order = await paidOrderOf(server, 'console-e2e-viewed', 1);
  const { page, problems } = await newPage();
  await signInStaff(page, `${server.url}/console/orders/${order.id}`, viewer, server.clock.now());
  // Back where the link pointed, after the login.
  await page.getByTestId('order-detail').waitFor({ timeout: 30_000 });
  for (const action of ['order-refund', 'order-ship', 'order-reconcile']) {
    if ((await page.getByTestId(action).count()) > 0) expect(await page.getByTestId(action).isDisabled()).toBe(true);
  }
  expect(await page.getByTestId('order-refund').count()).toBe(1);
  expect(await page.getByTestId('main-menu').getByText('员工账号').count()).toBe(0);
  expect(unexpected(problems)).toEqual([]);
}, 120_000);

test('a wrong TOTP code is refused in Chinese and lets nobody in', async () => {
  const { page } = await newPage();
  await page.goto(`${server.url}/console/orders`);
  await page.getByTestId('login-username').fill(owner.username);
  await page.getByTestId('login-password').fill(STAFF_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('login-totp').fill('000000');
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-error').innerText({ timeout: 15_000 })).resolves.toContain('两步验证码错误');
  expect(await page.getByTestId('dashboard').count()).toBe(0);
});

/** Waits until the locator matches exactly `count` elements (a table showing the answer to the latest query). */
async function waitForExactCount(locator: ReturnType<Page['locator']>, count: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = await locator.count();
  while (seen !== count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} rows, still ${seen} after ${timeoutMs} ms`);
    await locator.page().waitForTimeout(100);
    seen = await locator.count();
  }
}

/**
 * The locator's count once it reaches `at least` (tables fill after their query answers). On a loaded machine a
 * write behind the table (a refund goes to the channel first) can take a while; when it never comes, the error
 * says what the page showed instead (a message, a dialog still open) and where its picture is.
 */
async function waitForCount(locator: ReturnType<Page['locator']>, atLeast: number, timeoutMs = 40_000): Promise<number> {
  try {
    await locator.nth(atLeast - 1).waitFor({ timeout: timeoutMs });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${await whatThePageShows(locator.page())}`, { cause: error });
  }
  return locator.count();
}

async function whatThePageShows(page: Page): Promise<string> {
  const picture = path.join(os.tmpdir(), `console-e2e-failure-${Date.now()}.png`);
  await page.screenshot({ path: picture }).catch(() => undefined);
  const texts = async (selector: string) => (await page.locator(selector).allInnerTexts().catch(() => [])).map((text) => text.trim()).filter(Boolean);
  return [`messages: ${JSON.stringify(await texts('.ant-message-notice'))}`, `dialogs open: ${JSON.stringify(await texts('.ant-modal-wrap:visible .ant-modal-title'))}`, `form errors: ${JSON.stringify(await texts('.ant-form-item-explain-error'))}`, `picture: ${picture}`].join('\n');
}

function yuanText(fen: number): string {
  return `¥${Math.trunc(fen / 100).toLocaleString('en-US')}.${String(fen % 100).padStart(2, '0')}`;
}
