import type { Order, OrderPage } from '@blindbox/shared';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../../server/test/support/test-server';
import { apiClient } from '../../server/test/support/api-client';
import { checkPage, expectAllTapTargets, expectNoLatinWords, fillAddress, pageAs } from './page-checks';
import { useH5Stack } from './h5-stack';

/**
 * A brand-new shopper's first purchase in a real browser at a phone's size: shelf to WeChat's pay sheet in at most
 * five taps (typing the address aside), the age asked inline, every word Chinese, every control thumb-sized, and
 * no tap able to order or pay twice. Pages are photographed into e2e/screenshots/ (journey-*.png).
 */


let server: TestServer;
let browser: Browser;

useH5Stack((stack) => {
  ({ server, browser } = stack);
});

/** A page as a shopper who never logged in before (a fresh dev login code: no age declared, no address). */
const newShopper = (code: string) => pageAs(browser, code);

/** Every check a shopper page must pass here, then its photograph. */
async function look(page: Page, name: string): Promise<void> {
  await expectNoLatinWords(page);
  await expectAllTapTargets(page);
  await checkPage(page, name);
}

/** The orders of a shopper, read through the API as they are (the same login code as the browser's). */
async function ordersOf(code: string): Promise<Order[]> {
  const api = apiClient(server.url, await server.login(code, null));
  return (await api.get<OrderPage>('/api/orders')).body.items;
}

test('a brand-new shopper: shelf → box → 立即购买 → age → 确认 → 提交并支付 reaches the pay sheet in five taps', async () => {
  const { page, problems } = await newShopper('dev-journey-first');
  let taps = 0;
  const tap = async (testId: string) => {
    taps += 1;
    await page.getByTestId(testId).first().click();
  };

  await page.goto(`${server.url}/`);
  await page.getByTestId('box-item').first().waitFor();
  await look(page, 'journey-01-shelf');
  await tap('box-item');
  await page.getByTestId('order-button').waitFor();
  await look(page, 'journey-02-box');
  await tap('order-button');

  // The age question comes first, as a sheet; its 确认 is inert until an answer is chosen.
  await page.getByTestId('age-sheet').waitFor();
  await page.getByTestId('age-confirm').evaluate((button: HTMLElement) => button.click());
  expect(await page.getByTestId('age-second-confirm').count()).toBe(0);
  await look(page, 'journey-03-age-sheet');
  await tap('age-ADULT');
  await tap('age-confirm');
  await page.getByTestId('age-sheet').waitFor({ state: 'detached' });

  // The address is typed here (not counted as taps); the new shopper's coupon is already chosen.
  await page.getByTestId('address-form').waitFor();
  await page.locator('[data-testid="coupon-option"].choice--active').waitFor();
  await page.locator('[data-testid="quote-discount"]', { hasNotText: '-¥0.00' }).waitFor();
  await fillAddress(page);
  await page.locator('[data-testid="submit-order"][data-inert="false"]').waitFor();
  await look(page, 'journey-04-confirm');
  await tap('submit-order');

  await page.getByTestId('pay-sheet').waitFor();
  expect(taps).toBeLessThanOrEqual(5);
  await page.screenshot({ path: `${__dirname}/screenshots/journey-05-pay-sheet.png` });

  // Cancelled: the order waits on its own page, payable, with no error.
  await page.getByTestId('pay-sheet-cancel').click();
  await page.getByTestId('pay-cancelled').waitFor();
  expect(await page.getByTestId('order-detail-status').getAttribute('data-status')).toBe('TO_BE_PAID');
  expect(await page.getByTestId('order-detail-total').locator('xpath=..').innerText()).toContain('应付');
  await look(page, 'journey-06-order-cancelled-sheet');
  expect(await ordersOf('dev-journey-first')).toHaveLength(1);

  // Paid from the order's page: two quick taps on 去支付 open one sheet.
  await page.getByTestId('pay-again').evaluate((button: HTMLElement) => {
    button.click();
    button.click();
  });
  await page.getByTestId('pay-sheet').waitFor();
  expect(await page.getByTestId('pay-sheet').count()).toBe(1);
  await page.getByTestId('pay-sheet-pay').click();
  await page.locator('[data-testid="reveal-stage"], [data-testid="reveal-moment"], [data-testid="reveal-list"]').first().waitFor({ timeout: 30_000 });
  expect(problems).toEqual([]);
  await page.context().close();
}, 240_000);

test('the address fields say what is wrong, each in Chinese; a double tap on 提交并支付 places one order, still payable from the order list', async () => {
  const { page, problems } = await newShopper('dev-journey-second');
  await page.goto(`${server.url}/#/order/confirm/index?boxId=${(await firstBoxId())}`);
  await page.getByTestId('age-sheet').waitFor();

  // 未满 8 周岁 and 8–17 周岁 cannot be changed: a second confirmation, and 返回重选 goes back.
  await page.getByTestId('age-UNDER_8').click();
  await page.getByTestId('age-confirm').click();
  await page.getByTestId('age-second-confirm').waitFor();
  await look(page, 'journey-07-age-second-confirm');
  await page.getByTestId('age-back').click();
  await page.getByTestId('age-ADULT').click();
  await page.getByTestId('age-confirm').click();
  await page.getByTestId('age-sheet').waitFor({ state: 'detached' });

  await page.locator('[data-testid="quote-total"]', { hasNotText: '—' }).waitFor();
  await page.locator('[data-testid="address-phone"] input').fill('12345');
  await page.getByTestId('submit-order').click();
  for (const field of ['name', 'phone', 'region', 'detail']) await page.getByTestId(`address-${field}-error`).waitFor();
  await look(page, 'journey-08-address-errors');
  expect(await ordersOf('dev-journey-second')).toHaveLength(0);

  await fillAddress(page);
  await page.locator('[data-testid="address-phone"] input').fill('13800138000');
  await page.locator('[data-testid="submit-order"][data-inert="false"]').waitFor();
  // Two taps in the same frame: the second finds the button already busy.
  await page.getByTestId('submit-order').evaluate((button: HTMLElement) => {
    button.click();
    button.click();
  });
  await page.getByTestId('pay-sheet').waitFor();
  expect(await page.getByTestId('pay-sheet').count()).toBe(1);
  expect(await ordersOf('dev-journey-second')).toHaveLength(1);
  await page.getByTestId('pay-sheet-cancel').click();
  await page.getByTestId('pay-cancelled').waitFor();

  // Still payable from the order list: its 去支付 opens the sheet, paying reveals the draw.
  await page.goto(`${server.url}/#/pages/orders/index`);
  const card = page.locator('[data-testid="order-card"]:visible').first();
  await card.waitFor();
  expect(await card.getByTestId('order-status').innerText()).toBe('待支付');
  await look(page, 'journey-09-orders-unpaid');
  await card.getByTestId('order-pay').click();
  await page.getByTestId('pay-sheet-pay').click();
  await page.locator('[data-testid="reveal-stage"], [data-testid="reveal-moment"], [data-testid="reveal-list"]').first().waitFor({ timeout: 30_000 });
  expect((await ordersOf('dev-journey-second'))[0]!.status).toBe('TO_BE_DELIVERED');
  expect(problems).toEqual([]);
  await page.context().close();
}, 240_000);

test('the tabs and 我的: age, addresses, 隐私政策, the seed folded under 高级设置; empty states are Chinese too', async () => {
  const { page, problems } = await newShopper('dev-journey-third');
  await page.goto(`${server.url}/`);
  await page.getByTestId('box-item').first().waitFor();

  // A tab visited before stays in the page, hidden: only the one on screen counts.
  const empty = page.locator('[data-testid="state-empty"]:visible');
  await page.locator('.weui-tabbar__item', { hasText: '盒柜' }).click();
  await empty.waitFor();
  await look(page, 'journey-10-tab-collection-empty');

  await page.locator('.weui-tabbar__item', { hasText: '订单' }).click();
  await empty.filter({ hasText: /还没有.*订单/ }).waitFor();
  await look(page, 'journey-11-tab-orders-empty');

  await page.locator('.weui-tabbar__item', { hasText: '我的' }).click();
  await page.getByTestId('me-page').waitFor();
  expect(await page.getByTestId('me-seed').count()).toBe(0);
  await look(page, 'journey-12-tab-me');
  await page.getByTestId('me-advanced').click();
  await page.getByTestId('me-seed').waitFor();
  await look(page, 'journey-13-me-advanced');

  await page.getByTestId('me-privacy').click();
  await page.getByTestId('privacy-page').waitFor();
  await look(page, 'journey-14-privacy');
  expect(problems).toEqual([]);
  await page.context().close();
}, 180_000);

test('a failed request shows one Chinese line and 重试, never the server text', async () => {
  const { page } = await newShopper('dev-journey-fourth');
  const me = (url: URL) => url.pathname === '/api/me';
  await page.route(me, (route) => route.fulfill({ status: 500, json: { code: 'INTERNAL', message: 'internal server error' } }));
  await page.goto(`${server.url}/#/pages/me/index`);
  await page.getByTestId('state-error').waitFor();
  await look(page, 'journey-15-error');
  await page.unroute(me);
  await page.getByTestId('state-retry').click();
  await page.getByTestId('me-page').waitFor();
  await page.context().close();
}, 120_000);

test('a page whose code fails to load says so and offers 重试', async () => {
  const { page } = await newShopper('dev-journey-fifth');
  await page.goto(`${server.url}/`);
  await page.getByTestId('box-item').first().waitFor();
  // Every chunk not yet loaded fails, as on a dropped connection; the privacy page's is one of them.
  const chunks = (url: URL) => url.pathname.startsWith('/chunk/');
  await page.route(chunks, (route) => route.abort('internetdisconnected'));
  await page.goto(`${server.url}/#/me/privacy/index`);
  await page.getByTestId('chunk-error').waitFor();
  await look(page, 'journey-16-chunk-error');
  await page.unroute(chunks);
  await page.getByTestId('chunk-retry').click();
  await page.getByTestId('privacy-page').waitFor();
  await page.context().close();
}, 120_000);

async function firstBoxId(): Promise<string> {
  const response = await fetch(`${server.url}/api/boxes`);
  const { items } = (await response.json()) as { items: Array<{ id: string; saleMode: string; stock: number }> };
  return items.find((box) => box.saleMode !== 'SETS' && box.stock > 0)!.id;
}
