import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../../server/test/support/test-server';
import { JOB_TEST_ENV } from '../../server/test/support/job-test-support';
import { shippedOrder } from '../../server/test/support/receipt-support';
import { simulatorControl } from '../../server/test/support/shop';
import { checkPage, h5Dir, launchChromium, watchProblems } from './page-checks';

/**
 * 确认收货 of a mini-program payment in the H5 build: H5 has no WeChat component, so the shop's own button asks
 * the server, which asks WeChat (get_order) — refused while WeChat has no confirmation, done once it has.
 */

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(path.join(h5Dir, 'index.html'))) throw new Error('no H5 build: run `npm run build:h5 -w miniapp` (npm test does)');
  server = await startTestServer({ env: { ...JOB_TEST_ENV, H5_DIR: h5Dir } });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test('phone: 确认收货 of a WeChat-paid order waits for WeChat’s own confirmation, then completes the order', async () => {
  // The H5 build's default dev user, as the browser logs in.
  const { orderId, transactionId } = await shippedOrder(server, 'dev-alice');
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(`${server.url}/#/order/detail/index?orderId=${orderId}`);
  await page.locator('[data-testid="order-detail-status"][data-status="DELIVERED"]').waitFor();
  await page.getByTestId('confirm-receipt').click();
  await page.getByText('微信还没有收到你的确认收货').waitFor();
  await checkPage(page, 'phone-40-receipt-not-confirmed-at-wechat', ['confirm-receipt']);

  await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/receipt', { transactionId });
  await page.getByTestId('confirm-receipt').click();
  await page.locator('[data-testid="order-detail-status"][data-status="COMPLETED"]').waitFor();
  await checkPage(page, 'phone-41-receipt-confirmed');
  // The refused first tap is the one failed request this test causes on purpose.
  expect(problems.filter((problem) => !/status of 409/.test(problem))).toEqual([]);
}, 120_000);
