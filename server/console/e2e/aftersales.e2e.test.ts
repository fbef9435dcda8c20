import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { createStaff, loginAs, paidOrderOf } from '../../test/support/console';
import { orderDoc } from '../../test/support/job-test-support';
import { shopper } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { photograph } from '../../test/support/pictures';
import { expectCjkGlyphs, launchChromium } from '../../../miniapp/e2e/page-checks';
import { consolePage, signInStaff } from './console-browser';

/**
 * After-sales in the console, in a real Chromium against the real server and simulator: a customer-service
 * member finds a shopper's damaged-figure request in the queue, asks a question, reads the answer and resolves
 * it with a partial refund that reaches the WeChat Pay simulator. The queue and the request are photographed
 * at 1440×900 into docs/screenshots/.
 */

const consoleDist = path.resolve(__dirname, '..', 'dist');
const screenshotDir = path.resolve(__dirname, '..', '..', '..', 'docs', 'screenshots');

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(path.join(consoleDist, 'index.html'))) throw new Error('no console build: run `npm run build -w server/console` (npm test does)');
  server = await startTestServer({ env: { CONSOLE_DIR: consoleDist, JOBS: 'inline', JOBS_POLL_INTERVAL_MS: '100', JOB_RETRY_BASE_MS: '100', JOB_RETRY_MAX_MS: '1000', JOB_LOCK_LIFETIME_MS: '3000' } });
  browser = await launchChromium();
  fs.mkdirSync(screenshotDir, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test('customer service answers a damaged-figure request in its thread and resolves it with a partial refund', async () => {
  const owner = await loginAs(server, await createStaff(server, 'as-e2e-owner', 'owner'));
  await createStaff(server, 'as-e2e-support', 'support');
  // Two shoppers' requests, so the queue shows more than one; the first is the one resolved.
  const requests: Array<{ id: string; orderId: string; totalFen: number; buyer: Awaited<ReturnType<typeof shopper>> }> = [];
  for (const [code, kind, description] of [
    ['as-e2e-shopper', 'DAMAGED', '收到时外盒压扁了，隐藏款的手断了一只'],
    ['as-e2e-other', 'NOT_RECEIVED', '物流显示已签收，但我没有收到包裹'],
  ] as const) {
    const order = await paidOrderOf(server, code, 2);
    expect((await owner.post(`/orders/${order.id}/ship`, { trackingNo: 'SF1234567890', carrier: 'SF' })).status).toBe(200);
    const buyer = await shopper(server, code);
    // The shopper's photo, uploaded from the mini-program as its bytes.
    const upload = await fetch(`${server.url}/api/aftersales/photos`, { method: 'POST', headers: { authorization: `Bearer ${buyer.token}`, 'content-type': 'application/octet-stream' }, body: await photograph('jpeg', { width: 900, height: 700 }) });
    const { url } = (await upload.json()) as { url: string };
    const opened = await buyer.api.post<{ id: string }>('/api/aftersales', { orderId: order.id, itemIndex: 0, kind, description, photos: [url] });
    expect(opened.status).toBe(201);
    requests.push({ id: opened.body.id, orderId: order.id, totalFen: order.totalFen, buyer });
  }
  const [damaged] = requests as [(typeof requests)[number]];

  const { page, problems } = await consolePage(browser, { timezoneId: 'Europe/London' });
  await signInStaff(page, `${server.url}/console/`, { username: 'as-e2e-support' }, server.clock.now());
  await page.getByTestId('dashboard').waitFor({ timeout: 30_000 });
  await expectCjkGlyphs(page);

  await page.getByTestId('main-menu').getByText('售后处理').click();
  const rows = page.getByTestId('aftersales-table').locator('tbody tr.ant-table-row');
  await rows.nth(1).waitFor({ timeout: 15_000 });
  expect(await rows.count()).toBe(2);
  await expect(page.getByTestId('aftersales-table').innerText()).resolves.toContain('隐藏款的手断了');
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(screenshotDir, 'aftersales-console-queue.png') });

  await rows.filter({ hasText: '商品破损' }).getByRole('link', { name: /^查看/ }).click();
  await page.getByTestId('aftersales-detail').waitFor();
  await page.locator('[data-testid="aftersales-photo"] img, img[data-testid="aftersales-photo"]').first().waitFor();
  await page.getByTestId('aftersales-reply-text').fill('您好，很抱歉！请问破损的是哪一款？');
  await page.getByTestId('aftersales-reply-send').click();
  await page.getByTestId('aftersales-status').filter({ hasText: '待买家回复' }).waitFor({ timeout: 15_000 });

  // The shopper answers from the mini-program; staff see it after a refresh.
  expect((await damaged.buyer.api.post(`/api/aftersales/${damaged.id}/messages`, { text: '是隐藏款月兔，右手断了' })).status).toBe(200);
  await page.getByRole('button', { name: '刷新' }).click();
  await page.getByTestId('aftersales-status').filter({ hasText: '买家已回复' }).waitFor({ timeout: 15_000 });
  await page.getByTestId('aftersales-message').nth(1).waitFor();
  expect(await page.getByTestId('aftersales-message').count()).toBe(2);

  // A refund above the cap is refused by the form; a partial one goes through and reaches the simulator.
  await page.getByTestId('aftersales-refund').click();
  await page.getByTestId('resolve-cap').waitFor();
  await page.getByTestId('resolve-amount').fill(((damaged.totalFen + 100) / 100).toFixed(2));
  await page.getByTestId('resolve-confirm').click();
  await page.getByText('不能超过本次可退').waitFor();
  const amountFen = Math.min(1000, damaged.totalFen);
  await page.getByTestId('resolve-amount').fill((amountFen / 100).toFixed(2));
  await page.getByTestId('resolve-note').fill('破损补偿');
  // A double click on the confirm button: one refund.
  await page.getByTestId('resolve-confirm').dblclick();
  await page.getByTestId('aftersales-resolution').waitFor({ timeout: 15_000 });
  await page.getByTestId('aftersales-status').filter({ hasText: '已处理' }).waitFor();
  const refunded = await waitUntil(async () => {
    const order = await orderDoc(server, damaged.orderId);
    return order.refunds[0]?.status === 'SUCCESS' ? order : null;
  }, 30_000, 'the refund confirmed by the simulator');
  expect(refunded.refunds.map((refund) => refund.amountFen)).toEqual([amountFen]);
  await page.getByRole('button', { name: '刷新' }).click();
  await page.getByTestId('aftersales-resolution').getByText('已到账').waitFor({ timeout: 15_000 });
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(screenshotDir, 'aftersales-console-resolved.png') });

  expect(problems.filter((problem) => !/status of 40[19]/.test(problem))).toEqual([]);
}, 180_000);
