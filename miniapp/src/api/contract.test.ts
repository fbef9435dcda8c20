import { startTestServer, type TestServer } from '../../../server/test/support/test-server';
import { CONTRACT_MISMATCH } from './api-error';
import { createApiClient, type TokenStore } from './client';
import { createShopApi } from './shop-api';
import type { HttpTransport } from './transport';

const fetchTransport: HttpTransport = async ({ method, url, headers, body }) => {
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
};

function memoryTokens(): TokenStore {
  let value: string | null = null;
  return { get: () => value, set: (token) => (value = token), clear: () => (value = null) };
}

const shopApi = (baseUrl: string, code: string) =>
  createShopApi(createApiClient({ baseUrl, transport: fetchTransport, tokens: memoryTokens(), getLoginCode: async () => code, validateResponses: true }));

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

test('every answer of the real server on the shopper loop parses with its shared schema', async () => {
  const api = shopApi(server.url, 'dev-contract');
  const boxes = await api.listBoxes(1, 10);
  const box = await api.getBox(boxes.items[0]!.id);
  expect((await api.getProfile()).ageBracket).toBeNull();
  expect((await api.declareAge({ bracket: 'ADULT' })).ageBracket).toBe('ADULT');
  expect((await api.setClientSeed('my-lucky-seed')).clientSeed).toBe('my-lucky-seed');
  expect((await api.getFairness(box.id)).seeds[0]?.seed).toBeNull();
  expect((await api.myGuarantee(box.id)).boxId).toBe(box.id);
  const address = await api.createAddress({ name: '张三', phone: '13800138000', region: '上海市', detail: '1 号' });
  expect((await api.listAddresses()).items.map((item) => item.id)).toContain(address.id);
  const coupons = await api.listCoupons();
  const items = [{ boxId: box.id, quantity: 1 }];
  expect((await api.quoteOrder({ items })).totalFen).toBe(box.priceFen);
  const order = await api.createOrder({ items, addressId: address.id, couponId: coupons.items[0]?.id });
  expect((await api.listOrders(undefined, 1, 10)).items.map((item) => item.id)).toContain(order.id);
  expect((await api.getOrder(order.id)).status).toBe('TO_BE_PAID');
  expect((await api.listAftersales(order.id)).items).toEqual([]);
  expect((await api.payJsapi(order.id)).package).toMatch(/^prepay_id=/);
  expect((await api.paymentStatus(order.id)).status).toBe('PENDING');
  expect((await api.cancelOrder(order.id)).status).toBe('CLOSED');
  expect(await api.paymentStatus(order.id)).toMatchObject({ status: 'FAILED', reason: 'CANCELLED', paidAt: null });
});

test('the cart and the combined payment answer in their shared schemas', async () => {
  const api = shopApi(server.url, 'dev-contract-cart');
  await api.declareAge({ bracket: 'ADULT' });
  const [first, second] = (await api.listBoxes(1, 10)).items.filter((box) => box.stock > 2);
  expect((await api.getCart()).lines).toEqual([]);
  await api.addToCart(first!.id, 1);
  expect((await api.addToCart(second!.id, 2)).count).toBe(3);
  expect((await api.setCartQuantity(second!.id, 1)).count).toBe(2);
  await api.addToCart(first!.id, 1);
  expect((await api.removeFromCart(first!.id)).lines.map((line) => line.boxId)).toEqual([second!.id]);
  const address = await api.createAddress({ name: '张三', phone: '13800138000', region: '上海市', detail: '1 号' });
  const fromCart = await api.checkoutCart({ addressId: address.id });
  expect((await api.getCart()).count).toBe(0);
  const another = await api.createOrder({ items: [{ boxId: first!.id, quantity: 1 }], addressId: address.id });
  const combined = await api.payCombinedJsapi([fromCart.id, another.id]);
  expect(combined.totalFen).toBe(fromCart.totalFen + another.totalFen);
  expect(combined.params.package).toMatch(/^prepay_id=/);
  expect((await api.combinedPaymentStatus(combined.id)).orders.map((order) => order.status)).toEqual(['TO_BE_PAID', 'TO_BE_PAID']);
  // The same orders through Alipay: the WeChat payment is closed and a new one opened for the same sum.
  const alipay = await api.payCombinedAlipay([fromCart.id, another.id]);
  expect([alipay.paymentId, alipay.totalFen]).toEqual([`C${alipay.id}`, combined.totalFen]);
  expect(await api.combinedPaymentStatus(combined.id)).toMatchObject({ status: 'FAILED', reason: 'CLOSED' });
});

test('an answer that breaks the contract fails in the client instead of on a screen', async () => {
  const broken = await startTestServer();
  try {
    // A box whose price is a float can no longer be a valid answer.
    await broken.container.db.collection('boxes').updateMany({}, { $set: { priceFen: 12.5 } });
    await expect(shopApi(broken.url, 'dev-contract-broken').listBoxes(1, 10)).rejects.toMatchObject({ code: CONTRACT_MISMATCH });
  } finally {
    await broken.stop();
  }
});
