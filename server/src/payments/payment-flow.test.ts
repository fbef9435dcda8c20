import { createVerify } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Order, PaymentStatusResponse } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { shopper, payAtSimulator, prepayIdOf, simulatorControl } from '../../test/support/shop';
import { wechatCallbacks, postCallback } from '../../test/support/wechat-callbacks';
import { freshRsaKey, waitUntil } from '../../test/support/wechatpay-harness';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { userModel } from '../users/user.model';
import { descriptionOf } from './payment-attempts';
import { boxState } from '../../test/support/stock';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});


const withResource = (body: ReturnType<Awaited<ReturnType<typeof wechatCallbacks>>['envelope']>, change: Record<string, string>) => ({
  ...body,
  resource: { ...body.resource, ...change },
});
const flipFirstChar = (text: string) => (text.startsWith('A') ? 'B' : 'A') + text.slice(1);

async function snapshotOrders() {
  return JSON.stringify(await orderModel(server.container.db).find().sort({ _id: 1 }).lean());
}

test('full loop: order → jsapi params signed by the merchant → simulator pays → callback → paid and drawn', async () => {
  const alice = await shopper(server, 'dev-alice');
  const box = await alice.firstBox();
  const order = await alice.placeOrder([{ boxId: box.id, quantity: 3 }]);
  expect(order.status).toBe('TO_BE_PAID');
  expect(order.totalFen).toBe(box.priceFen * 3);

  const params = await alice.payJsapi(order.id);
  const credentials = await wechatCallbacks();
  const merchantCert = fs.readFileSync(path.join(process.env.BLINDBOX_TEST_CREDENTIALS_DIR!, credentials.credentials.merchantCertificateFile), 'utf8');
  const signed = `${params.appId}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`;
  expect(createVerify('RSA-SHA256').update(signed).verify(merchantCert, params.paySign, 'base64')).toBe(true);
  expect(params.appId).toBe(credentials.credentials.appid);

  // Asking again reuses the still-valid prepay instead of opening another transaction.
  expect((await alice.payJsapi(order.id)).package).toBe(params.package);

  await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));
  const paid = await waitUntil(async () => {
    const current = await alice.order(order.id);
    return current.status === 'TO_BE_DELIVERED' ? current : null;
  }, 15_000, 'the callback to fulfil the order');
  expect(paid.draws).toHaveLength(3);
  const productIds = new Set(box.products.map((product) => product.id));
  for (const draw of paid.draws) expect(productIds.has(draw.productId)).toBe(true);
  expect(paid.audit.map((entry) => entry.to)).toEqual(['TO_BE_PAID', 'TO_BE_DELIVERED']);
  expect((await alice.api.get<PaymentStatusResponse>(`/api/orders/${order.id}/payment-status`)).body.status).toBe('PAID');

  // The hold is kept as sold just after the order turns paid (settling follows the guarded transition).
  await waitUntil(async () => ((await boxState(server, box.id)).holds.some((hold) => hold.startsWith(order.id)) ? null : true), 15_000, 'the hold to be kept as sold');
});

test('50 concurrent deliveries of one notification fulfil once, each answered 2xx', async () => {
  const bob = await shopper(server, 'dev-bob');
  const order = await bob.placeOrder();
  await bob.payJsapi(order.id);
  const doc = await orderModel(server.container.db).findById(order.id).lean();
  const callbacks = await wechatCallbacks();
  const delivery = callbacks.signed(callbacks.envelope(callbacks.transaction(doc!.payment.current!.outTradeNo, order.totalFen, { payer: { openid: doc!.openid } })));

  const statuses = await Promise.all(Array.from({ length: 50 }, () => postCallback(server.url, delivery)));
  expect(statuses.every((status) => status === 204)).toBe(true);
  const paid = await bob.order(order.id);
  expect(paid.status).toBe('TO_BE_DELIVERED');
  expect(paid.audit.filter((entry) => entry.to === 'TO_BE_DELIVERED')).toHaveLength(1);
  expect(paid.draws).toHaveLength(2);
});

test('forged, stale, probing, tampered and mismatched callbacks are rejected and change nothing', async () => {
  const carol = await shopper(server, 'dev-carol');
  const order = await carol.placeOrder();
  await carol.payJsapi(order.id);
  const doc = (await orderModel(server.container.db).findById(order.id).lean())!;
  const outTradeNo = doc.payment.current!.outTradeNo;
  const cb = await wechatCallbacks();
  const otherKey = freshRsaKey();
  const genuineBody = cb.envelope(cb.transaction(outTradeNo, order.totalFen, { payer: { openid: doc.openid } }));
  const genuine = cb.signed(genuineBody);
  const tampered = JSON.parse(genuine.raw) as { resource: { ciphertext: string } };
  const bytes = Buffer.from(tampered.resource.ciphertext, 'base64');
  bytes[0] = (bytes[0] ?? 0) ^ 0xff;
  tampered.resource.ciphertext = bytes.toString('base64');

  const before = await snapshotOrders();
  const attempts: Array<[string, { raw: string; headers: Record<string, string> }, number]> = [
    ['signature by another key', cb.signed(genuineBody, { serial: cb.platformSigner.serial, key: otherKey }), 401],
    ['bad signature', { raw: genuine.raw, headers: { ...genuine.headers, 'wechatpay-signature': flipFirstChar(genuine.headers['wechatpay-signature'] ?? '') } }, 401],
    ['stale timestamp', cb.signed(genuineBody, cb.platformSigner, Math.floor(Date.now() / 1000) - 600), 401],
    ['future timestamp', cb.signed(genuineBody, cb.platformSigner, Math.floor(Date.now() / 1000) + 600), 401],
    ['unknown serial', cb.signed(genuineBody, { serial: 'DEADBEEF00', key: cb.platformSigner.key }), 401],
    ['SIGNTEST probe', { raw: genuine.raw, headers: { ...genuine.headers, 'wechatpay-signature': 'WECHATPAY/SIGNTEST/abc' } }, 401],
    ['tampered ciphertext', cb.signed(tampered), 401],
    ['wrong associated_data', cb.signed(withResource(genuineBody, { associated_data: 'certificate' })), 401],
    ['wrong amount', cb.signed(cb.envelope(cb.transaction(outTradeNo, order.totalFen - 1))), 400],
    ['wrong mchid', cb.signed(cb.envelope(cb.transaction(outTradeNo, order.totalFen, { mchid: '1999999999' }))), 400],
    ['wrong appid', cb.signed(cb.envelope(cb.transaction(outTradeNo, order.totalFen, { appid: 'wx0000000000000000' }))), 400],
    ['unknown out_trade_no', cb.signed(cb.envelope(cb.transaction('ffffffffffffffffffffffff_1', order.totalFen))), 400],
    ['non-JSON body', cb.signed('not json'), 400],
  ];
  for (const [what, delivery, expected] of attempts) {
    expect([what, await postCallback(server.url, delivery)]).toEqual([what, expected]);
  }
  expect(await snapshotOrders()).toBe(before);
  expect(await postCallback(server.url, genuine)).toBe(204);
});

test('payment-status applies a payment whose callback was dropped', async () => {
  const dave = await shopper(server, 'dev-dave');
  const order = await dave.placeOrder();
  const params = await dave.payJsapi(order.id);
  await simulatorControl(server.simulatorUrl, 'POST', '/sim/faults', { dropNext: 100 });
  try {
    await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));
    expect((await dave.order(order.id)).status).toBe('TO_BE_PAID');
    const status = await dave.api.get<PaymentStatusResponse>(`/api/orders/${order.id}/payment-status`);
    expect(status.body.status).toBe('PAID');
    const paid = await dave.order(order.id);
    expect(paid.status).toBe('TO_BE_DELIVERED');
    expect(paid.draws).toHaveLength(2);
  } finally {
    await simulatorControl(server.simulatorUrl, 'DELETE', '/sim/faults');
  }
});

test('cancelled pay sheet leaves the order payable; cancel closes it at both ends and returns the stock', async () => {
  const erin = await shopper(server, 'dev-erin');
  const box = await erin.firstBox();
  const order = await erin.placeOrder([{ boxId: box.id, quantity: 1 }]);
  const params = await erin.payJsapi(order.id);
  await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package), 'CANCEL');
  expect((await erin.api.get<PaymentStatusResponse>(`/api/orders/${order.id}/payment-status`)).body.status).toBe('PENDING');

  const stockBefore = (await boxState(server, box.id)).stock;
  const cancelled = await erin.api.post<Order>(`/api/orders/${order.id}/cancel`);
  expect(cancelled.status).toBe(200);
  expect(cancelled.body.status).toBe('CLOSED');
  const outTradeNo = `${order.id}_1`;
  const atWechat = (await simulatorControl(server.simulatorUrl, 'GET', `/sim/transactions/${outTradeNo}`)) as { trade_state?: string; tradeState?: string };
  expect(atWechat.trade_state ?? atWechat.tradeState).toBe('CLOSED');
  expect((await boxState(server, box.id)).stock).toBe(stockBefore + 1);
  // A second cancel is refused and gives nothing back twice.
  expect((await erin.api.post(`/api/orders/${order.id}/cancel`)).status).toBe(409);
  expect((await boxState(server, box.id)).stock).toBe(stockBefore + 1);
});

test("another user's order is invisible", async () => {
  const frank = await shopper(server, 'dev-frank');
  const grace = await shopper(server, 'dev-grace');
  const order = await frank.placeOrder();
  expect((await grace.api.get(`/api/orders/${order.id}`)).status).toBe(404);
  expect((await grace.api.post(`/api/orders/${order.id}/pay/jsapi`)).status).toBe(404);
  expect((await grace.api.post(`/api/orders/${order.id}/cancel`)).status).toBe(404);
  expect((await grace.api.get(`/api/orders/${order.id}/payment-status`)).status).toBe(404);
  expect((await grace.api.get('/api/orders/not-an-id')).status).toBe(400);
});

test('native pay returns a QR code; switching from JSAPI closes the first WeChat transaction before opening another', async () => {
  const henry = await shopper(server, 'dev-henry');
  const order = await henry.placeOrder();
  await henry.payJsapi(order.id);
  const native = await henry.api.post<{ codeUrl: string; qrDataUrl: string }>(`/api/orders/${order.id}/pay/native`);
  expect(native.status).toBe(200);
  expect(native.body.codeUrl).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/);
  expect(Buffer.from(native.body.qrDataUrl.replace(/^data:image\/svg\+xml;base64,/, ''), 'base64').toString()).toContain('<svg');

  const first = (await simulatorControl(server.simulatorUrl, 'GET', `/sim/transactions/${order.id}_1`)) as { trade_state?: string };
  const second = (await simulatorControl(server.simulatorUrl, 'GET', `/sim/transactions/${order.id}_2`)) as { trade_state?: string };
  expect([first.trade_state, second.trade_state]).toEqual(['CLOSED', 'NOTPAY']);

  await simulatorControl(server.simulatorUrl, 'POST', '/sim/pay', { codeUrl: native.body.codeUrl, result: 'SUCCESS' });
  const paid = await waitUntil(async () => {
    const current = await henry.order(order.id);
    return current.status === 'TO_BE_DELIVERED' ? current : null;
  }, 15_000, 'the native payment to be applied');
  expect(paid.draws).toHaveLength(2);
});

test('a transaction WeChat prepared for an attempt never stored (the process died first) cannot be paid: the next prepay finds it again, a QR code moves past its number', async () => {
  const jack = await shopper(server, 'dev-jack');
  const Order = orderModel(server.container.db);
  const wechatpay = server.container.channels.get('wechatpay');
  /** What a process that died before its write had asked WeChat for: attempt 1 of the order, on the order's own terms. */
  async function preparedThenLost(orderId: string) {
    const stored = (await Order.findById(orderId).lean<OrderDoc>())!;
    const openid = (await userModel(server.container.db).findById(stored.userId).lean())!.openid;
    const terms = { outTradeNo: `${orderId}_1`, description: descriptionOf(stored.items), amountFen: stored.totalFen, timeExpire: stored.expiresAt, attach: orderId, payerOpenid: openid };
    return wechatpay.prepay({ kind: 'JSAPI', ...terms });
  }

  const order = await jack.placeOrder();
  const lost = await preparedThenLost(order.id);
  expect((await Order.findById(order.id).lean<OrderDoc>())!.payment.attemptCount).toBe(0);
  const params = await jack.payJsapi(order.id);
  // The same transaction, now recorded: WeChat answers the same number on the same terms with the same prepay id.
  expect(prepayIdOf(params.package)).toBe(lost.prepayId);
  const recorded = (await Order.findById(order.id).lean<OrderDoc>())!.payment;
  expect([recorded.attemptCount, recorded.current?.outTradeNo, recorded.current?.prepayId]).toEqual([1, `${order.id}_1`, lost.prepayId]);

  const other = await jack.placeOrder();
  await preparedThenLost(other.id);
  const native = await jack.api.post<{ codeUrl: string }>(`/api/orders/${other.id}/pay/native`);
  expect(native.status).toBe(200);
  const moved = (await Order.findById(other.id).lean<OrderDoc>())!.payment;
  expect([moved.attemptCount, moved.current?.outTradeNo, moved.current?.kind]).toEqual([2, `${other.id}_2`, 'NATIVE']);
  await simulatorControl(server.simulatorUrl, 'POST', '/sim/pay', { codeUrl: native.body.codeUrl, result: 'SUCCESS' });
  await waitUntil(async () => ((await jack.order(other.id)).status === 'TO_BE_DELIVERED' ? true : null), 15_000, 'the QR payment to be applied');
  const unrecorded = (await simulatorControl(server.simulatorUrl, 'GET', `/sim/transactions/${other.id}_1`)) as { trade_state?: string };
  expect(unrecorded.trade_state).toBe('NOTPAY');
});

test('a delivered order can be confirmed received once WeChat has it confirmed; an undelivered one cannot', async () => {
  const ivy = await shopper(server, 'dev-ivy');
  const order = await ivy.placeOrder();
  expect((await ivy.api.post(`/api/orders/${order.id}/confirm-receipt`)).status).toBe(409);
  const params = await ivy.payJsapi(order.id);
  await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));
  await waitUntil(async () => ((await ivy.order(order.id)).status === 'TO_BE_DELIVERED' ? true : null), 15_000, 'payment');
  const orderId = orderModel(server.container.db).castObject({ _id: order.id })._id;
  const shipped = await server.container.orders.ship(orderId, 'SF1234567890', 'admin:test');
  // A mini-program payment: WeChat's receipt component decides (shipping/receipt.test.ts has the whole flow).
  await server.container.shipping.recordShipment(shipped);
  await server.container.shipping.uploadShipping(orderId, 'test');
  await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/receipt', { transactionId: shipped.payment.transactionId });

  const confirmed = await ivy.api.post<Order>(`/api/orders/${order.id}/confirm-receipt`);
  expect(confirmed.status).toBe(200);
  expect(confirmed.body.status).toBe('COMPLETED');
  expect(confirmed.body.trackingNote).toBe('SF1234567890');
  expect(confirmed.body.audit.map((entry) => entry.to)).toEqual(['TO_BE_PAID', 'TO_BE_DELIVERED', 'DELIVERED', 'COMPLETED']);
  // Coming back from WeChat's component twice answers the completed order; it completes once.
  const again = await ivy.api.post<Order>(`/api/orders/${order.id}/confirm-receipt`);
  expect(again.body.audit.filter((entry) => entry.to === 'COMPLETED')).toHaveLength(1);
});
