import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { createStaff, paidOrderOf } from '../../test/support/console';
import { orderDoc } from '../../test/support/job-test-support';
import { simulatorControl } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { recordingChanges } from '../../src/admin/admin-audit';
import { complaintModel } from '../../src/complaints/complaint.model';
import { complaintNotifyUrlOf } from '../../src/payments/callback-paths';
import { expectCjkGlyphs, launchChromium } from '../../../miniapp/e2e/page-checks';
import { consolePage, signInStaff } from './console-browser';

/**
 * Customer service answers a WeChat Pay complaint in a real Chromium: the dashboard warns of a complaint near its
 * 24-hour deadline, the complaint shows the shopper's pictures and the conversation, the reply, a partial refund
 * and "处理完成" go to WeChat Pay (the simulator) through the real API. Screenshots at 1440×900 in docs/screenshots/.
 */

const consoleDist = path.resolve(__dirname, '..', 'dist');
const screenshotDir = path.resolve(__dirname, '..', '..', '..', 'docs', 'screenshots');
const VIEWPORT = { width: 1440, height: 900 };

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(path.join(consoleDist, 'index.html'))) throw new Error('no console build: run `npm run build -w server/console` (npm test does)');
  fs.mkdirSync(screenshotDir, { recursive: true });
  server = await startTestServer({ env: { CONSOLE_DIR: consoleDist } });
  browser = await launchChromium();
  await createStaff(server, 'kefu-xiaomei', 'support');
  await server.container.complaints.registerNotificationUrl(complaintNotifyUrlOf(server.container.config.WECHATPAY_NOTIFY_URL), recordingChanges(server.container.audit, 'test'));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function shoot(page: Page, name: string): Promise<void> {
  // Let antd's transitions (modal zoom, message slide) settle so the picture shows what staff see.
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}

test('customer service answers a complaint near its deadline: reply, partial refund and 处理完成 through WeChat Pay', async () => {
  const order = await paidOrderOf(server, 'complaint-e2e-shopper', 3);
  const outTradeNo = (await orderDoc(server, order.id)).payment.outTradeNo!;
  // Complained 20 hours ago: four hours left to answer.
  const complaintTime = new Date(Date.now() - 20 * 3_600_000).toISOString();
  const { complaintId } = (await simulatorControl(server.simulatorUrl, 'POST', '/sim/complaints', {
    outTradeNo,
    complaintTime,
    images: 2,
    applyRefundAmount: Math.round(order.totalFen / 3),
    detail: '收到的盲盒外包装压坏了，里面的小兔手办耳朵断了，要求退一只的钱',
  })) as { complaintId: string };
  await waitUntil(async () => ((await complaintModel(server.container.db).findById(complaintId).lean())?.imageIds.length === 2 ? true : null), 30_000, 'complaint taken in');

  const { page, problems } = await consolePage(browser, { viewport: VIEWPORT, timezoneId: 'Europe/London', httpErrors: true });

  await signInStaff(page, `${server.url}/console/`, { username: 'kefu-xiaomei' }, server.clock.now());
  await page.getByTestId('dashboard').waitFor({ timeout: 30_000 });
  await expectCjkGlyphs(page);
  // The dashboard's first line: a complaint due within hours.
  await page.getByTestId('complaints-due').waitFor();
  await shoot(page, 'complaints-01-dashboard-due');

  await page.getByTestId('main-menu').getByText('投诉处理').click();
  const rows = page.getByTestId('complaint-table').locator('tbody tr.ant-table-row');
  await rows.first().waitFor();
  await expect(rows.first().innerText()).resolves.toContain('剩 3 小时');
  await shoot(page, 'complaints-02-list');

  await rows.first().getByRole('link', { name: complaintId }).click();
  await page.getByTestId('complaint-detail').waitFor();
  // Both of the shopper's pictures load (downloaded through the signed media API, served by the console).
  await waitUntil(async () => ((await page.getByTestId('complaint-image').locator('img').evaluateAll((imgs) => imgs.filter((img) => (img as HTMLImageElement).naturalWidth > 0).length)) === 2 ? true : null), 15_000, 'pictures');
  await shoot(page, 'complaints-03-detail');

  await page.getByTestId('complaint-reply-input').fill('您好，非常抱歉运输中压坏了您的手办。我们已为您退还一只的货款，请注意查收；如需补发请在此留言。');
  await page.getByTestId('complaint-reply-submit').click();
  await page.getByTestId('complaint-history').getByText('商户回复').waitFor({ timeout: 15_000 });
  await expect(page.getByTestId('complaint-state').innerText()).resolves.toBe('处理中');

  await page.getByTestId('complaint-refund').click();
  await page.getByTestId('complaint-refund-amount').waitFor();
  await shoot(page, 'complaints-04-refund-dialog');
  await page.getByRole('button', { name: '确认退款' }).click();
  await page.getByText('从投诉发起的退款').waitFor({ timeout: 15_000 });
  await page.getByTestId('complaint-history').getByText('商户同意退款').waitFor();
  const refunds = (await orderDoc(server, order.id)).refunds;
  expect(refunds.map((refund) => refund.amountFen)).toEqual([Math.round(order.totalFen / 3)]);

  await page.getByTestId('complaint-complete').click();
  await page.getByRole('button', { name: '确认' }).click();
  await page.getByTestId('complaint-state').filter({ hasText: '已处理完成' }).waitFor({ timeout: 15_000 });
  await shoot(page, 'complaints-05-completed');
  const atWechat = (await simulatorControl(server.simulatorUrl, 'GET', `/sim/complaints/${complaintId}`)) as { complaint_state: string; history: { operate_type: string }[] };
  expect(atWechat.complaint_state).toBe('PROCESSED');
  expect(atWechat.history.map((entry) => entry.operate_type)).toEqual(expect.arrayContaining(['MERCHANT_RESPONSE', 'MERCHANT_APPROVE_REFUND', 'MERCHANT_CONFIRM_COMPLETE']));

  // And it is off the dashboard.
  await page.getByTestId('main-menu').getByText('数据概览').click();
  await page.getByTestId('dashboard').waitFor();
  await page.getByTestId('complaints-due').waitFor({ state: 'detached', timeout: 15_000 });
  // The session check before logging in answers 401: an answer, not a problem.
  expect(problems.filter((problem) => !/status of 401/.test(problem))).toEqual([]);
}, 180_000);
