import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../../server/test/support/test-server';
import { createStaff, loginAs, paidOrderOf } from '../../server/test/support/console';
import { photograph } from '../../server/test/support/pictures';
import { checkPage, expectAllTapTargets, expectNoLatinWords, pageAs } from './page-checks';
import { useH5Stack } from './h5-stack';

/**
 * After-sales (售后) in the shop, in a real browser at 375×812: on a shipped order the shopper applies for help
 * with a damaged figure, customer service answers, the shopper replies in the thread and sees the reshipment.
 * The request page is photographed into docs/screenshots/ as well.
 */

const docsShots = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');
let server: TestServer;
let browser: Browser;

useH5Stack((stack) => {
  ({ server, browser } = stack);
});

/** The page checks, every word Chinese, and (`everyControl`) every control on the page at least 44 px. */
async function settled(page: Page, name: string, tapTargets: string[], everyControl = true): Promise<void> {
  await checkPage(page, name, tapTargets);
  await expectNoLatinWords(page);
  if (everyControl) await expectAllTapTargets(page);
}

test('a shipped order → 申请售后 → a thread with customer service → the reshipment shown', async () => {
  const code = 'as-h5-shopper';
  const order = await paidOrderOf(server, code, 2);
  const staff = await loginAs(server, await createStaff(server, 'as-h5-support', 'support'));
  expect((await staff.post(`/orders/${order.id}/ship`, { trackingNo: '773012345678', carrier: 'SF' })).status).toBe(200);

  const { page, problems } = await pageAs(browser, code, { viewport: { width: 375, height: 812 }, locale: 'zh-CN' });

  await page.goto(`${server.url}/#/order/detail/index?orderId=${order.id}`);
  await page.getByTestId('aftersales-apply-0').waitFor({ timeout: 30_000 });
  // The after-sales card sits at the end of the order: in view for its picture.
  await page.getByTestId('aftersales-card').evaluate((card) => card.scrollIntoView({ block: 'center' }));
  // The order page's own draw list has small 验证 links (not this feature's): only the after-sales controls here.
  await settled(page, 'aftersales-order', ['aftersales-apply-0'], false);

  await page.getByTestId('aftersales-apply-0').click();
  await page.getByTestId('aftersales-submit').waitFor();
  // Nothing chosen yet: the shopper is told what is missing, nothing is sent.
  await page.getByTestId('aftersales-submit').click();
  await page.getByTestId('aftersales-error').filter({ hasText: '请选择遇到的问题' }).waitFor();
  await page.getByTestId('aftersales-kind-DAMAGED').click();
  await page.locator('[data-testid="aftersales-description"] textarea').fill('收到时外盒压扁了，隐藏款月兔的右手断了');
  // A photo from the phone's album: uploaded at once, shown as a thumbnail that can be removed.
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('photo-add').click();
  await (await chooser).setFiles({ name: 'damage.jpg', mimeType: 'image/jpeg', buffer: await photograph('jpeg', { width: 900, height: 700 }) });
  await page.getByTestId('photo-remove').waitFor({ timeout: 15_000 });
  await settled(page, 'aftersales-apply', ['aftersales-kind-DAMAGED', 'aftersales-kind-NOT_RECEIVED', 'photo-add', 'photo-remove', 'aftersales-submit']);
  await page.screenshot({ path: path.join(docsShots, 'aftersales-shopper-apply.png') });
  await page.getByTestId('aftersales-submit').click();
  await page.getByTestId('aftersales-status').filter({ hasText: '待客服处理' }).waitFor({ timeout: 15_000 });
  expect(await page.getByTestId('aftersales-photo').count()).toBe(1);

  // Customer service asks; the shopper sees it when the page is shown again, and answers.
  const requestId = new URL(page.url().replace('/#/', '/')).searchParams.get('id')!;
  expect((await staff.post(`/aftersales/${requestId}/messages`, { text: '您好，很抱歉！请拍一张破损处的照片，或描述一下外盒的情况' })).status).toBe(200);
  await page.reload();
  await page.getByTestId('aftersales-status').filter({ hasText: '待你回复' }).waitFor({ timeout: 15_000 });
  await page.locator('[data-testid="aftersales-reply-text"] textarea').fill('外盒一角被压扁了，里面的小盒也变形了');
  await page.getByTestId('aftersales-reply-send').click();
  await page.getByTestId('aftersales-status').filter({ hasText: '待客服回复' }).waitFor({ timeout: 15_000 });
  expect(await page.getByTestId('aftersales-message').count()).toBe(2);
  await settled(page, 'aftersales-thread', ['aftersales-reply-send', 'aftersales-order-link']);
  await page.screenshot({ path: path.join(docsShots, 'aftersales-shopper-thread.png') });

  // Resolved by a reshipment: the parcel's carrier and number, the thread closed.
  expect((await staff.post(`/aftersales/${requestId}/resolve`, { kind: 'RESHIP', carrier: 'SF', trackingNo: '773098765432', note: '补发同款一盒' })).status).toBe(200);
  await page.reload();
  await page.getByTestId('aftersales-resolution').waitFor({ timeout: 15_000 });
  expect(await page.getByTestId('aftersales-tracking').textContent()).toBe('顺丰速运 773098765432');
  expect(await page.getByTestId('aftersales-reply-text').count()).toBe(0);
  await settled(page, 'aftersales-request', ['aftersales-copy-tracking', 'aftersales-order-link']);
  await page.screenshot({ path: path.join(docsShots, 'aftersales-shopper-request.png') });

  // Back on the order: the line offers a new request and the record of this one.
  await page.goto(`${server.url}/#/order/detail/index?orderId=${order.id}`);
  await page.getByTestId('aftersales-view-0').filter({ hasText: '售后记录' }).waitFor({ timeout: 15_000 });
  await page.getByTestId('aftersales-apply-0').waitFor();
  expect(problems).toEqual([]);
  await page.context().close();
}, 180_000);
