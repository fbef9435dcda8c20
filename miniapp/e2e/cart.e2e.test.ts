import type { Box, BoxPage, Cart, Order } from '@blindbox/shared';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../../server/test/support/test-server';
import { shopper } from '../../server/test/support/shop';
import { waitUntil } from '../../server/test/support/wechatpay-harness';
import { closeHereOnly } from '../../server/test/support/job-test-support';
import { checkPage, watchProblems, fillAddress, reachRevealList, submitOrder } from './page-checks';
import { useH5Stack } from './h5-stack';

/**
 * The cart and the combined payment in a real browser at a phone's size: two boxes into the cart, a reload
 * (the cart is the server's, so it is still there), a quantity changed with the stepper, checkout through
 * the confirm page to the pay page; then two unpaid orders picked on the order list and paid with one payment.
 */

let server: TestServer;
let browser: Browser;
// The H5 build logs in as dev-alice; the same code through the API is the same shopper.
let alice: Awaited<ReturnType<typeof shopper>>;

useH5Stack(async (stack) => {
  ({ server, browser } = stack);
  alice = await shopper(server, 'dev-alice');
});

async function phonePage(): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  return { page, problems: watchProblems(page) };
}

/** One order's part of the result page of a combined payment. */
const resultOrder = (page: Page, order: Order) => page.locator(`[data-testid="result-order"][data-order-id="${order.id}"]`);

async function inStock(count: number): Promise<Box[]> {
  const boxes = (await alice.api.get<BoxPage>('/api/boxes')).body.items.filter((box) => box.stock > 5);
  expect(boxes.length).toBeGreaterThanOrEqual(count);
  return boxes.slice(0, count);
}

test('phone: two boxes into the cart → reload keeps them → stepper → checkout → pay sheet → paid', async () => {
  const { page, problems } = await phonePage();
  const [first, second] = (await inStock(2)) as [Box, Box];
  for (const box of [first, second]) {
    await page.goto(`${server.url}/#/pages/box/index?id=${box.id}`);
    await page.getByTestId('add-to-cart').click();
    await page.getByText('已加入购物车').waitFor();
  }
  await checkPage(page, 'phone-cart-01-box-added', ['add-to-cart', 'order-button']);
  await page.getByTestId('cart-link').click();
  await page.getByTestId('cart-line').nth(1).waitFor();

  await page.reload();
  await page.getByTestId('cart-line').nth(1).waitFor();
  expect(await page.getByTestId('cart-line-name').allTextContents()).toEqual([first.name, second.name]);
  await expect(page.getByTestId('cart-count').innerText()).resolves.toBe('2');

  await page.getByTestId('cart-line').first().getByTestId('quantity-plus').click();
  await page.getByText('共 3 件', { exact: false }).waitFor();
  const total = first.priceFen * 2 + second.priceFen;
  await expect(page.getByTestId('cart-total').innerText()).resolves.toContain((total / 100).toFixed(2));
  await checkPage(page, 'phone-cart-02-cart', ['quantity-minus', 'quantity-plus', 'cart-line-remove', 'cart-checkout']);

  await page.getByTestId('cart-checkout').click();
  await page.getByTestId('confirm-cart-line').nth(1).waitFor();
  if ((await page.getByTestId('address-option').count()) === 0) await fillAddress(page);
  await page.getByTestId('quote-subtotal').waitFor();
  await checkPage(page, 'phone-cart-03-confirm', ['submit-order']);
  await expect(page.getByTestId('quote-subtotal').innerText()).resolves.toContain((total / 100).toFixed(2));
  // The best usable coupon is chosen already: the sheet asks the quoted total.
  const due = await page.getByTestId('quote-total').innerText();
  await submitOrder(page);

  // 提交并支付 places the order and opens the pay sheet at once.
  await page.getByTestId('pay-sheet').waitFor();
  await expect(page.getByTestId('pay-sheet-amount').innerText()).resolves.toBe(due);
  expect((await alice.api.get<Cart>('/api/cart')).body.lines).toEqual([]);
  await page.getByTestId('pay-sheet-pay').click();
  await page.getByTestId('reveal-stage').waitFor({ timeout: 30_000 });
  const orders = (await alice.api.get<{ items: Order[] }>('/api/orders')).body.items;
  expect(orders[0]?.items.map((item) => [item.boxId, item.quantity])).toEqual([
    [first.id, 2],
    [second.id, 1],
  ]);
  expect(problems).toEqual([]);
});

test('phone: two unpaid orders picked on the order list are paid with one payment', async () => {
  const [box] = (await inStock(1)) as [Box];
  const one = await alice.placeOrder([{ boxId: box.id, quantity: 1 }]);
  const two = await alice.placeOrder([{ boxId: box.id, quantity: 2 }]);
  const { page, problems } = await phonePage();
  await page.goto(`${server.url}/#/pages/orders/index?status=TO_BE_PAID`);
  for (const order of [one, two]) await page.locator(`[data-order-id="${order.id}"] [data-testid="order-select"]`).click();
  await expect(page.getByTestId('pay-selected').innerText()).resolves.toBe('合并支付');
  await checkPage(page, 'phone-cart-04-orders-selected', ['order-select', 'pay-selected']);
  await page.getByTestId('pay-selected').click();

  await page.getByTestId('pay-together-order').nth(1).waitFor();
  await expect(page.getByTestId('pay-together-total').innerText()).resolves.toContain(((one.totalFen + two.totalFen) / 100).toFixed(2));
  await checkPage(page, 'phone-cart-05-pay-together', ['pay-together-button']);
  await page.getByTestId('pay-together-button').click();
  await expect(page.getByTestId('pay-sheet-amount').innerText()).resolves.toContain(((one.totalFen + two.totalFen) / 100).toFixed(2));
  await page.getByTestId('pay-sheet-pay').click();

  // The result page waits for the one payment, then opens each order's boxes in turn.
  const group = (order: Order) => resultOrder(page, order);
  await reachRevealList(group(one));
  await expect(page.getByTestId('result-progress').innerText()).resolves.toContain('1/2');
  await checkPage(page, 'phone-cart-06-result-first-order', ['result-next-order']);
  await page.getByTestId('result-next-order').click();
  await reachRevealList(group(two));
  await checkPage(page, 'phone-cart-07-result-second-order', ['result-collection', 'result-view-order']);
  const paid = await Promise.all([one, two].map((order) => alice.order(order.id)));
  expect(paid.map((order) => order.status)).toEqual(['TO_BE_DELIVERED', 'TO_BE_DELIVERED']);
  // Both orders' draws are on the page, each under its own order.
  for (const order of paid) expect(await group(order).getByTestId('reveal-name').allTextContents()).toEqual(order.draws.map((draw) => draw.name));
  expect(paid.map((order) => order.draws.length)).toEqual([1, 2]);
  expect(await page.getByTestId('result-refunded-order').count()).toBe(0);
  expect(problems).toEqual([]);
});

test('phone: an order closed before the one payment came is shown refunded on the result page, the other one revealed', async () => {
  const [box] = (await inStock(1)) as [Box];
  const [closed, kept] = [await alice.placeOrder([{ boxId: box.id, quantity: 1 }]), await alice.placeOrder([{ boxId: box.id, quantity: 2 }])] as [Order, Order];
  const { page, problems } = await phonePage();
  await page.goto(`${server.url}/#/order/pay-together/index?orderIds=${closed.id},${kept.id}`);
  await page.getByTestId('pay-together-button').click();
  // The pay sheet is up, so the payment is open at WeChat: now the first order closes, and only here.
  await page.getByTestId('pay-sheet-pay').waitFor();
  await closeHereOnly(server, closed.id);
  await page.getByTestId('pay-sheet-pay').click();

  await reachRevealList(resultOrder(page, kept));
  await expect(page.locator(`[data-testid="result-refunded-order"][data-order-id="${closed.id}"]`).innerText()).resolves.toContain('退回');
  expect(await page.getByTestId('result-order').count()).toBe(1);
  expect(await page.getByTestId('result-next-order').count()).toBe(0);
  await checkPage(page, 'phone-cart-08-result-refunded-member', ['result-collection']);
  const [refunding, paid] = await Promise.all([closed, kept].map((order) => alice.order(order.id)));
  expect(['REFUNDING', 'REFUNDED']).toContain(refunding!.status);
  expect(await page.getByTestId('reveal-name').allTextContents()).toEqual(paid!.draws.map((draw) => draw.name));
  expect(problems).toEqual([]);
});

test('phone: orders paid together through the Alipay cashier: one trade for their sum, back to the result page, both revealed', async () => {
  const [box] = (await inStock(1)) as [Box];
  const orders = [await alice.placeOrder([{ boxId: box.id, quantity: 1 }]), await alice.placeOrder([{ boxId: box.id, quantity: 1 }])] as [Order, Order];
  const { page, problems } = await phonePage();
  await page.goto(`${server.url}/#/order/pay-together/index?orderIds=${orders.map((order) => order.id).join(',')}`);
  await page.getByTestId('alipay-button').click();
  await page.getByTestId('alipay-cashier').waitFor({ timeout: 30_000 });
  await expect(page.getByTestId('alipay-amount').innerText()).resolves.toContain(((orders[0].totalFen + orders[1].totalFen) / 100).toFixed(2));
  await page.getByTestId('alipay-pay').click();

  await reachRevealList(resultOrder(page, orders[0]));
  expect(page.url()).toContain(`${server.url}/#/order/result/index?combinedId=`);
  await page.getByTestId('result-next-order').click();
  await reachRevealList(resultOrder(page, orders[1]));
  const paid = await Promise.all(orders.map((order) => alice.order(order.id)));
  for (const order of paid) expect(await resultOrder(page, order).getByTestId('reveal-name').allTextContents()).toEqual(order.draws.map((draw) => draw.name));
  expect(problems).toEqual([]);
});

test('desktop: orders paid together show one Native-pay QR code for their sum; scanning it pays them all', async () => {
  const [box] = (await inStock(1)) as [Box];
  const orders = [await alice.placeOrder([{ boxId: box.id, quantity: 1 }]), await alice.placeOrder([{ boxId: box.id, quantity: 1 }])];
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(`${server.url}/#/order/pay-together/index?orderIds=${orders.map((order) => order.id).join(',')}`);
  await page.getByTestId('qr-image').waitFor();
  expect(await page.getByTestId('pay-together-button').count()).toBe(0);
  await expect(page.getByTestId('qr-total').innerText()).resolves.toContain(((orders[0]!.totalFen + orders[1]!.totalFen) / 100).toFixed(2));
  await checkPage(page, 'desktop-cart-01-qr-pay-together', ['qr-scan-link']);

  const scanUrl = await page.getByTestId('qr-scan-link').getAttribute('href');
  const phone = await context.newPage();
  await phone.goto(scanUrl!);
  await phone.getByRole('button', { name: '确认支付' }).click();
  await phone.locator('#state[data-trade-state="SUCCESS"]', { hasText: '支付成功' }).waitFor();
  await phone.close();

  await page.getByTestId('reveal-stage').waitFor({ timeout: 30_000 });
  expect(page.url()).toContain('combinedId=');
  const paid = await waitUntil(async () => {
    const current = await Promise.all(orders.map((order) => alice.order(order.id)));
    return current.every((order) => order.status === 'TO_BE_DELIVERED') ? current : null;
  }, 15_000, 'both orders paid by the one QR payment');
  expect(paid.map((order) => order.draws.length)).toEqual([1, 1]);
  expect(problems).toEqual([]);
});
