import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { createStaff } from '../../test/support/console';
import { JOB_TEST_ENV } from '../../test/support/job-test-support';
import { shippedOrder } from '../../test/support/receipt-support';
import { simulatorControl } from '../../test/support/shop';
import { MINIPROGRAM_PUSH_PATH } from '../../src/payments/callback-paths';
import { expectCjkGlyphs, launchChromium } from '../../../miniapp/e2e/page-checks';
import { consolePage, signInStaff } from './console-browser';

/**
 * The money side of a shipment in the console: an operator marks a parcel received (WeChat then reminds the
 * shopper), WeChat's settlement arrives by message push, and the order page shows frozen → settled; WeChat's
 * reminder to upload shipping information shows on the shipping page. Photographed into docs/console/.
 */

const consoleDist = path.resolve(__dirname, '..', 'dist');
const screenshotDir = path.resolve(__dirname, '..', '..', '..', 'docs', 'console');
const TOKEN = 'consolePushToken';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(path.join(consoleDist, 'index.html'))) throw new Error('no console build: run `npm run build -w server/console` (npm test does)');
  server = await startTestServer({ env: { ...JOB_TEST_ENV, CONSOLE_DIR: consoleDist, MINIPROGRAM_PUSH_TOKEN: TOKEN } });
  browser = await launchChromium();
  await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/push-config', { url: `${server.url}${MINIPROGRAM_PUSH_PATH}`, token: TOKEN, format: 'xml' });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function shoot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

test('an operator marks a parcel received, sees the money frozen, then settled by WeChat’s push; WeChat’s reminders show on the shipping page', async () => {
  const operator = await createStaff(server, 'receipt-operator', 'operator');
  const { orderId, transactionId } = await shippedOrder(server, 'console-receipt-shopper');
  const late = await shippedOrder(server, 'console-receipt-late');
  const { page, problems } = await consolePage(browser, { timezoneId: 'Asia/Shanghai' });

  await signInStaff(page, `${server.url}/console/`, operator, server.clock.now());
  await page.getByTestId('dashboard').waitFor({ timeout: 30_000 });

  await page.goto(`${server.url}/console/orders/${orderId}`);
  await page.getByTestId('order-detail').waitFor();
  await expect(page.getByTestId('order-money').innerText()).resolves.toBe('冻结中（待确认收货）');
  await page.getByTestId('order-markReceived').click();
  await page.getByTestId('order-reminder').waitFor();
  // The reminder goes out from the shipment's job; the page shows it once sent.
  for (let attempt = 0; attempt < 50 && (await page.getByTestId('order-reminder').innerText()).startsWith('待发送'); attempt += 1) {
    await page.waitForTimeout(300);
    await page.getByRole('button', { name: '刷新' }).click();
  }
  await expect(page.getByTestId('order-reminder').innerText()).resolves.toMatch(/^已提醒/);
  // The log says what the operator changed in Chinese, the time in Beijing time (the record keeps UTC).
  const change = await page.getByText(/签收时间: — → /).innerText();
  expect(change).toMatch(/^签收时间: — → \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/m);
  expect(change).toMatch(/^确认收货提醒: — → 是$/m);
  await expectCjkGlyphs(page);
  await shoot(page, '20-order-money-frozen');

  await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/receipt', { transactionId });
  await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/push', { event: 'trade_manage_order_settlement', transactionId });
  await page.getByRole('button', { name: '刷新' }).click();
  await page.getByTestId('order-money').filter({ hasText: '已结算' }).waitFor();
  await expect(page.getByTestId('order-status').innerText()).resolves.toBe('已完成');
  await shoot(page, '21-order-money-settled');

  await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/push', { event: 'trade_manage_remind_shipping', transactionId: late.transactionId });
  await page.goto(`${server.url}/console/shipping`);
  await page.getByTestId('platform-reminders').waitFor();
  await expect(page.getByTestId('platform-reminders').innerText()).resolves.toContain('请尽快录入发货信息');
  await shoot(page, '22-shipping-wechat-reminder');
  await page.getByRole('button', { name: '已处理' }).click();
  await page.getByTestId('platform-reminders').waitFor({ state: 'detached' });

  // The session check before login answers 401, and leaving the dashboard at once aborts its chart's chunks (the
  // bundler names them after what they hold: DashboardChart, ComposedChart, …; seen in CI).
  expect(problems.filter((problem) => !/status of 401|\/console\/assets\/[\w.-]+\.js \(net::ERR_ABORTED\)/.test(problem))).toEqual([]);
}, 120_000);
