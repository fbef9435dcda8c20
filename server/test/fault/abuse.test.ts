import jwt from 'jsonwebtoken';
import { Types } from 'mongoose';
import type { Box, BoxPage, Coupon, Order, QuoteResponse } from '@blindbox/shared';
import { MAX_QUANTITY_PER_ITEM } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../support/test-server';
import { apiClient } from '../support/api-client';
import { payAtSimulator, shopper } from '../support/shop';
import { waitUntil } from '../support/wechatpay-harness';
import { boxState, orderDoc, prepayIdOf, simTransaction } from '../support/job-test-support';
import { grantCoupon } from '../../src/coupons/grant-coupon';
import { couponModel } from '../../src/coupons/coupon.model';
import { boxModel } from '../../src/catalog/box.model';
import { setStock } from '../support/stock';
import { buyer, changedDocuments, outTradeNoOf, snapshotCollections } from './fault-support';

// Must match startTestServer's SESSION_SECRET: a forged token needs the real secret to show what else is checked.
const SESSION_SECRET = 'test-session-secret-that-is-long-enough';
const DAY_MS = 24 * 3600 * 1000;

let server: TestServer;
let limited: TestServer;
beforeAll(async () => {
  [server, limited] = await Promise.all([
    startTestServer(),
    startTestServer({ env: { RATE_LIMIT_LOGIN_PER_MINUTE: '3', RATE_LIMIT_ORDERS_PER_MINUTE: '2' } }),
  ]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), limited?.stop()]);
});

type Call = () => Promise<{ status: number; body: unknown }>;

/** The request is refused with this status (and code) and leaves orders, stock and coupons byte-identical. */
async function expectRefused(
  what: string,
  call: Call,
  status: number,
  code?: string,
  on: TestServer = server,
  omit: Record<string, readonly string[]> = {},
): Promise<void> {
  const before = await snapshotCollections(on, undefined, omit);
  const response = await call();
  const got = (response.body as { code?: string } | undefined)?.code;
  expect([what, response.status, code === undefined ? 'any' : got]).toEqual([what, status, code ?? 'any']);
  expect([what, changedDocuments(before, await snapshotCollections(on, undefined, omit))]).toEqual([what, []]);
}

async function boxes(on: TestServer = server): Promise<Box[]> {
  return (await apiClient(on.url).get<BoxPage>('/api/boxes?pageSize=50')).body.items;
}

function userIdOf(token: string): Types.ObjectId {
  return new Types.ObjectId(server.container.sessions.verify(token)!.userId);
}

async function couponsOf(api: ReturnType<typeof apiClient>): Promise<Coupon[]> {
  return (await api.get<{ items: Coupon[] }>('/api/coupons')).body.items;
}

test('no session, or a session we did not issue, is refused with 401', async () => {
  const alice = await buyer(server, 'dev-abuse-alice');
  const box = (await boxes())[0]!;
  const order = await alice.orderNow([{ boxId: box.id, quantity: 1 }]);
  const userId = userIdOf(alice.token).toHexString();
  const claims = { openid: 'o-anything', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600 };
  const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(
    JSON.stringify({ ...claims, sub: userId, iss: 'blindbox-pay', aud: 'blindbox-pay/api' }),
  ).toString('base64url')}.`;
  const tokens: Array<[string, string | undefined]> = [
    ['no token', undefined],
    ['garbage token', 'not-a-token'],
    ['alg none', unsigned],
    ['another secret', jwt.sign(claims, 'another-secret-that-is-also-long-enough', { subject: userId, issuer: 'blindbox-pay', audience: 'blindbox-pay/api' })],
    ['another audience', jwt.sign(claims, SESSION_SECRET, { subject: userId, issuer: 'blindbox-pay', audience: 'blindbox-pay/admin' })],
    ['expired', jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, SESSION_SECRET, { subject: userId, issuer: 'blindbox-pay', audience: 'blindbox-pay/api' })],
    ['subject not a user id', jwt.sign(claims, SESSION_SECRET, { subject: '{"$ne":null}', issuer: 'blindbox-pay', audience: 'blindbox-pay/api' })],
  ];
  for (const [label, token] of tokens) {
    const api = apiClient(server.url, token);
    const requests: Array<[string, Call]> = [
      ['list orders', () => api.get('/api/orders')],
      ['place order', () => api.post('/api/orders', { items: [{ boxId: box.id, quantity: 1 }], addressId: alice.addressId })],
      ['quote', () => api.post('/api/orders/quote', { items: [{ boxId: box.id, quantity: 1 }] })],
      ['get order', () => api.get(`/api/orders/${order.id}`)],
      ['pay jsapi', () => api.post(`/api/orders/${order.id}/pay/jsapi`)],
      ['pay native', () => api.post(`/api/orders/${order.id}/pay/native`)],
      ['payment status', () => api.get(`/api/orders/${order.id}/payment-status`)],
      ['cancel', () => api.post(`/api/orders/${order.id}/cancel`)],
      ['confirm receipt', () => api.post(`/api/orders/${order.id}/confirm-receipt`)],
      ['addresses', () => api.get('/api/addresses')],
      ['coupons', () => api.get('/api/coupons')],
    ];
    for (const [what, call] of requests) await expectRefused(`${label}: ${what}`, call, 401, 'UNAUTHORIZED');
  }
});

test("another user's order, address and coupon are 404, and malformed ids 400", async () => {
  const frank = await buyer(server, 'dev-abuse-frank');
  const grace = await buyer(server, 'dev-abuse-grace');
  const box = (await boxes())[0]!;
  const order = await frank.orderNow([{ boxId: box.id, quantity: 1 }]);
  const franksCoupon = (await couponsOf(frank.api))[0]!;

  for (const [what, call] of [
    ['get', () => grace.api.get(`/api/orders/${order.id}`)],
    ['pay jsapi', () => grace.api.post(`/api/orders/${order.id}/pay/jsapi`)],
    ['pay native', () => grace.api.post(`/api/orders/${order.id}/pay/native`)],
    ['payment status', () => grace.api.get(`/api/orders/${order.id}/payment-status`)],
    ['cancel', () => grace.api.post(`/api/orders/${order.id}/cancel`)],
    ['confirm receipt', () => grace.api.post(`/api/orders/${order.id}/confirm-receipt`)],
    ["order to frank's address", () => grace.api.post('/api/orders', { items: [{ boxId: box.id, quantity: 1 }], addressId: frank.addressId })],
    ['order to an unknown address', () => grace.api.post('/api/orders', { items: [{ boxId: box.id, quantity: 1 }], addressId: new Types.ObjectId().toHexString() })],
    ["order with frank's coupon", () => grace.api.post('/api/orders', { items: [{ boxId: box.id, quantity: 1 }], addressId: grace.addressId, couponId: franksCoupon.id })],
    ['order with an unknown coupon', () => grace.api.post('/api/orders', { items: [{ boxId: box.id, quantity: 1 }], addressId: grace.addressId, couponId: new Types.ObjectId().toHexString() })],
  ] as Array<[string, Call]>) {
    await expectRefused(what, call, 404, 'NOT_FOUND');
  }
  // The list shows grace nothing of frank's.
  expect((await grace.api.get<{ total: number }>('/api/orders')).body.total).toBe(0);

  for (const bad of ['not-an-id', '123', 'z'.repeat(24), `${order.id}0`, order.id.slice(1), '%7B%22%24ne%22%3Anull%7D', '%24where']) {
    for (const [what, call] of [
      ['get', () => frank.api.get(`/api/orders/${bad}`)],
      ['pay jsapi', () => frank.api.post(`/api/orders/${bad}/pay/jsapi`)],
      ['cancel', () => frank.api.post(`/api/orders/${bad}/cancel`)],
      ['payment status', () => frank.api.get(`/api/orders/${bad}/payment-status`)],
    ] as Array<[string, Call]>) {
      await expectRefused(`${what} ${bad}`, call, 400, 'INVALID_ID');
    }
  }
  // Ids in the body: malformed strings and query operators never reach the database.
  const line = { boxId: box.id, quantity: 1 };
  for (const [what, body] of [
    ['boxId not hex', { items: [{ boxId: 'z'.repeat(24), quantity: 1 }], addressId: frank.addressId }],
    ['boxId operator', { items: [{ boxId: { $ne: null }, quantity: 1 }], addressId: frank.addressId }],
    ['addressId operator', { items: [line], addressId: { $ne: null } }],
    ['couponId operator', { items: [line], addressId: frank.addressId, couponId: { $exists: true } }],
    ['couponId not hex', { items: [line], addressId: frank.addressId, couponId: franksCoupon.id.toUpperCase().replace(/[0-9]/g, 'G') }],
  ] as Array<[string, unknown]>) {
    await expectRefused(what, () => frank.api.post('/api/orders', body), 400, 'VALIDATION_ERROR');
  }
  // No address chosen means the shopper's first (a drop's one-tap claim); a shopper with none is asked for one.
  const homeless = await shopper(server, 'dev-abuse-no-address');
  await expectRefused('addressId missing, no address on file', () => homeless.api.post('/api/orders', { items: [line] }), 400, 'ADDRESS_REQUIRED');
});

test('bad quantities, too many lines and unknown or inactive boxes are refused without touching stock', async () => {
  const heidi = await buyer(server, 'dev-abuse-heidi');
  const [box, other, inactive] = await boxes();
  const order = (items: unknown) => () => heidi.api.post('/api/orders', { items, addressId: heidi.addressId });

  for (const quantity of [-1, 0, MAX_QUANTITY_PER_ITEM + 1, 1_000_000, 2 ** 53 + 2, 1e308, 1.5, 0.0001, '2', null, true, [1], { $gt: 0 }]) {
    await expectRefused(`quantity ${JSON.stringify(quantity)}`, order([{ boxId: box!.id, quantity }]), 400, 'VALIDATION_ERROR');
  }
  await expectRefused('no lines', order([]), 400, 'VALIDATION_ERROR');
  await expectRefused('items not an array', order({ boxId: box!.id, quantity: 1 }), 400, 'VALIDATION_ERROR');
  await expectRefused('11 lines', order(Array.from({ length: 11 }, () => ({ boxId: box!.id, quantity: 1 }))), 400, 'VALIDATION_ERROR');
  await expectRefused('unknown box', order([{ boxId: new Types.ObjectId().toHexString(), quantity: 1 }]), 404, 'BOX_NOT_FOUND');
  // A refusal on the second line must not leave the first line's units taken.
  await expectRefused('known box then unknown box', order([{ boxId: other!.id, quantity: 2 }, { boxId: new Types.ObjectId().toHexString(), quantity: 1 }]), 404, 'BOX_NOT_FOUND');

  await boxModel(server.container.db).updateOne({ _id: new Types.ObjectId(inactive!.id) }, { $set: { active: false } });
  try {
    await expectRefused('inactive box', order([{ boxId: inactive!.id, quantity: 1 }]), 404, 'BOX_NOT_FOUND');
    await expectRefused('active box then inactive box', order([{ boxId: box!.id, quantity: 1 }, { boxId: inactive!.id, quantity: 1 }]), 404, 'BOX_NOT_FOUND');
  } finally {
    await boxModel(server.container.db).updateOne({ _id: new Types.ObjectId(inactive!.id) }, { $set: { active: true } });
  }
  // More than is in stock: refused whole, with no unit of the first line kept. Stock is taken first (a drop's loser
  // spends one write), so the first line's units are taken and given back: the ledger ends where it began, with
  // the given-back hold on record (RELEASED), and no order, coupon or other document changed.
  await setStock(server, other!.id, 3);
  const ledgerBefore = [await boxState(server, box!.id), await boxState(server, other!.id)];
  const notHolds = ['orders', 'boxes', 'coupons', 'stocks', 'purchasequotas'];
  const omit = { stocks: ['releasing', 'reserving', 'tokensAt'] };
  const before = await snapshotCollections(server, notHolds, omit);
  const refused = await order([{ boxId: box!.id, quantity: 1 }, { boxId: other!.id, quantity: 4 }])();
  expect([refused.status, (refused.body as { code?: string }).code]).toEqual([409, 'OUT_OF_STOCK']);
  expect(changedDocuments(before, await snapshotCollections(server, notHolds, omit))).toEqual([]);
  expect([await boxState(server, box!.id), await boxState(server, other!.id)]).toEqual(ledgerBefore);
});

test('expired, foreign-threshold and reused coupons are refused; a coupon returns on close and stays spent after payment', async () => {
  const ivan = await buyer(server, 'dev-abuse-ivan');
  const box = (await boxes())[0]!;
  const userId = userIdOf(ivan.token);
  const expired = await grantCoupon(server.container.db, userId, { title: 'expired', amountOffFen: 100, minSpendFen: 0, expiresAt: new Date(Date.now() - DAY_MS) });
  const bigSpend = await grantCoupon(server.container.db, userId, { title: 'big spend', amountOffFen: 100, minSpendFen: box.priceFen * 50, expiresAt: new Date(Date.now() + DAY_MS) });
  const welcome = (await couponsOf(ivan.api)).find((coupon) => coupon.status === 'AVAILABLE' && coupon.title !== 'big spend')!;
  const place = (couponId: string) => () => ivan.api.post<Order>('/api/orders', { items: [{ boxId: box.id, quantity: 1 }], addressId: ivan.addressId, couponId });
  const couponState = async () => {
    const coupon = (await couponModel(server.container.db).findById(welcome.id).lean())!;
    return { state: coupon.state, orderId: coupon.orderId?.toHexString() ?? null };
  };

  await expectRefused('expired coupon', place(expired._id.toHexString()), 409, 'COUPON_EXPIRED');
  await expectRefused('minimum spend not met', place(bigSpend._id.toHexString()), 409, 'COUPON_MIN_SPEND');

  const first = await ivan.orderNow([{ boxId: box.id, quantity: 1 }], welcome.id);
  expect(first.discountFen).toBe(welcome.amountOffFen);
  expect(await couponState()).toEqual({ state: 'LOCKED', orderId: first.id });
  await expectRefused('coupon locked by another order', place(welcome.id), 409, 'COUPON_UNAVAILABLE');

  // Closing the first order unpaid gives the coupon back, usable again.
  expect((await ivan.api.post<Order>(`/api/orders/${first.id}/cancel`)).body.status).toBe('CLOSED');
  expect(await couponState()).toEqual({ state: 'AVAILABLE', orderId: null });

  // Two orders racing for the freed coupon: one gets it, the other is refused and keeps no stock.
  const stockBefore = (await boxState(server, box.id)).stock;
  const raced = await Promise.all([place(welcome.id)(), place(welcome.id)()]);
  expect(raced.map((response) => response.status).sort()).toEqual([201, 409]);
  const second = raced.find((response) => response.status === 201)!.body;
  expect((await boxState(server, box.id)).stock).toBe(stockBefore - 1);
  expect(await couponState()).toEqual({ state: 'LOCKED', orderId: second.id });

  const params = await ivan.payJsapi(second.id);
  expect((await simTransaction(server.simulatorUrl, await outTradeNoOf(server, second.id))) as unknown).toMatchObject({ amount: { total: box.priceFen - welcome.amountOffFen } });
  await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));
  await waitUntil(async () => ((await couponState()).state === 'USED' ? true : null), 15_000, 'the coupon to be spent');
  // The rest of settling (public log, the order's settle mark) also runs after the answer: done before the snapshots.
  await server.container.payments.settled();
  expect((await orderDoc(server, second.id)).status).toBe('TO_BE_DELIVERED');

  await expectRefused('coupon spent by a paid order', place(welcome.id), 409, 'COUPON_UNAVAILABLE');
  await expectRefused('cancelling the paid order', () => ivan.api.post(`/api/orders/${second.id}/cancel`), 409, 'ORDER_NOT_CANCELLABLE');
  await expectRefused('paying the paid order again', () => ivan.api.post(`/api/orders/${second.id}/pay/jsapi`), 409, 'ORDER_NOT_PAYABLE');
  await expectRefused('paying the closed order', () => ivan.api.post(`/api/orders/${first.id}/pay/jsapi`), 409, 'ORDER_NOT_PAYABLE');
  expect((await couponsOf(ivan.api)).find((coupon) => coupon.id === welcome.id)?.status).toBe('USED');
});

test('prices, totals, status and draws sent by the client are ignored', async () => {
  const judy = await buyer(server, 'dev-abuse-judy');
  const box = (await boxes())[0]!;
  const junk = {
    totalFen: 1,
    subtotalFen: 1,
    discountFen: 999_999,
    priceFen: 1,
    status: 'TO_BE_DELIVERED',
    paidAt: new Date().toISOString(),
    draws: [{ boxId: box.id, productId: box.products.at(-1)!.id }],
    userId: new Types.ObjectId().toHexString(),
  };
  const lines = [{ boxId: box.id, quantity: 2, priceFen: 1, totalFen: 1, name: 'cheap' }];
  const quote = await judy.api.post<QuoteResponse>('/api/orders/quote', { items: lines, ...junk });
  expect(quote.status).toBe(200);
  expect(quote.body).toEqual({ subtotalFen: box.priceFen * 2, discountFen: 0, totalFen: box.priceFen * 2 });

  const { status, body } = await judy.api.post<Order>('/api/orders', { items: lines, addressId: judy.addressId, ...junk });
  expect(status).toBe(201);
  expect(body).toMatchObject({ status: 'TO_BE_PAID', subtotalFen: box.priceFen * 2, discountFen: 0, totalFen: box.priceFen * 2, draws: [], paidAt: null });
  expect(body.items[0]).toMatchObject({ priceFen: box.priceFen, quantity: 2, name: box.name });
  expect((await orderDoc(server, body.id)).userId.toHexString()).toBe(userIdOf(judy.token).toHexString());
  // WeChat is asked for the database's amount, not the client's.
  await judy.payJsapi(body.id);
  expect((await simTransaction(server.simulatorUrl, await outTradeNoOf(server, body.id))) as unknown).toMatchObject({ amount: { total: box.priceFen * 2 } });
});

test('login and order creation are rate limited with 429 RATE_LIMITED, and a refused request changes nothing', async () => {
  const box = (await boxes(limited))[0]!;
  const users = limited.container.db.collection('users');
  // Two logins inside buyer(), one more by hand: the budget of 3 per minute per client address is spent.
  const kim = await buyer(limited, 'dev-limit-kim');
  const leo = await buyer(limited, 'dev-limit-leo');
  expect((await apiClient(limited.url).post('/api/auth/login', { code: 'dev-limit-max' })).status).toBe(200);
  const usersBefore = await users.countDocuments();
  await expectRefused('4th login', () => apiClient(limited.url).post('/api/auth/login', { code: 'dev-limit-nia' }), 429, 'RATE_LIMITED', limited);
  await expectRefused('5th login, a known user', () => apiClient(limited.url).post('/api/auth/login', { code: 'dev-limit-kim' }), 429, 'RATE_LIMITED', limited);
  // No user was created and no welcome coupon granted (expectRefused compared the coupons).
  expect(await users.countDocuments()).toBe(usersBefore);

  const line = [{ boxId: box.id, quantity: 1 }];
  await kim.orderNow(line);
  await kim.orderNow(line);
  await expectRefused('3rd order in a minute', () => kim.api.post('/api/orders', { items: line, addressId: kim.addressId }), 429, 'RATE_LIMITED', limited);
  expect((await kim.api.get<{ total: number }>('/api/orders')).body.total).toBe(2);
  // The order budget is per user: another user is not held back by kim.
  expect((await leo.api.post('/api/orders', { items: line, addressId: leo.addressId })).status).toBe(201);
});
