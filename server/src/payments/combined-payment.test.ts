import { Types } from 'mongoose';
import type { CombinedJsapiResponse, CombinedNativeResponse, CombinedPaymentStatus, Order, PaymentStatusResponse } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { payAtSimulator, prepayIdOf, shopper } from '../../test/support/shop';
import { postCallback, wechatCallbacks } from '../../test/support/wechat-callbacks';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { JOB_TEST_ENV, boxState, clearFaults, closeHereOnly, expireInDb, orderDoc, setFaults, simTransaction } from '../../test/support/job-test-support';
import { inParallel } from '../../test/support/in-parallel';
import type { OrderDoc } from '../orders/order.model';
import { combinedPaymentModel, type CombinedPaymentDoc } from './combined-payment.model';
import { buildReconciliationReport } from '../jobs/daily-reconciliation-report.job';

interface SimRefund {
  out_refund_no: string;
  status: string;
  amount: { refund: number; total: number };
}

// Reconciliation waits long here, so what pays or closes an order is the path each test drives; one test turns it on.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { ...JOB_TEST_ENV, RECONCILE_INTERVAL_SECONDS: '3600', RECONCILE_GRACE_SECONDS: '3600' } });
});
afterAll(async () => {
  await server.stop();
});
afterEach(async () => {
  await clearFaults(server.simulatorUrl);
});

type Shopper = Awaited<ReturnType<typeof shopper>>;

/** Three unpaid orders of different sizes (so a share is never the whole). */
async function threeOrders(buyer: Shopper): Promise<Order[]> {
  const box = await buyer.firstBox();
  return [await buyer.placeOrder([{ boxId: box.id, quantity: 1 }]), await buyer.placeOrder([{ boxId: box.id, quantity: 2 }]), await buyer.placeOrder([{ boxId: box.id, quantity: 3 }])];
}

async function payTogether(buyer: Shopper, orders: readonly Order[], body: Record<string, unknown> = {}) {
  return buyer.api.post<CombinedJsapiResponse & { code?: string }>('/api/payments/combined/jsapi', { orderIds: orders.map((order) => order.id), ...body });
}

const combinedDoc = async (id: string) => (await combinedPaymentModel(server.container.db).findById(id).lean<CombinedPaymentDoc>())!;
const docs = (orders: readonly Order[]) => Promise.all(orders.map((order) => orderDoc(server, order.id)));

async function waitForStatuses(orders: readonly Order[], statuses: readonly string[], what: string): Promise<OrderDoc[]> {
  return waitUntil(async () => {
    const current = await docs(orders);
    return current.every((order, index) => order.status === statuses[index]) ? current : null;
  }, 20_000, what);
}

test('one JSAPI payment for three orders charges their stored sum; duplicate and concurrent callbacks fulfil each order exactly once', async () => {
  const alice = await shopper(server, 'dev-combined-alice');
  const orders = await threeOrders(alice);
  const sum = orders.reduce((total, order) => total + order.totalFen, 0);

  // An amount from the client is not even read.
  const paying = await payTogether(alice, orders, { totalFen: 1 });
  expect(paying.status).toBe(200);
  expect(paying.body.totalFen).toBe(sum);
  expect(paying.body.orderIds).toEqual(orders.map((order) => order.id));
  const combined = await combinedDoc(paying.body.id);
  expect(combined.shares.map((share) => share.amountFen)).toEqual(orders.map((order) => order.totalFen));
  const atWechat = (await simTransaction(server.simulatorUrl, combined.outTradeNo)) as unknown as { trade_state: string; amount: { total: number } };
  expect([atWechat.trade_state, atWechat.amount.total]).toEqual(['NOTPAY', sum]);
  // Asking again for the same orders reuses the open payment and its prepay.
  expect((await payTogether(alice, orders)).body.params.package).toBe(paying.body.params.package);

  const callbacks = await wechatCallbacks();
  const delivery = callbacks.signed(callbacks.envelope(callbacks.transaction(combined.outTradeNo, sum, { payer: { openid: combined.openid } })));
  const statuses = await Promise.all(Array.from({ length: 20 }, () => postCallback(server.url, delivery)));
  expect(statuses.every((status) => status === 204)).toBe(true);
  // WeChat's retry after everything was applied: one more duplicate.
  expect(await postCallback(server.url, delivery)).toBe(204);

  const paid = await docs(orders);
  for (const [index, order] of paid.entries()) {
    expect(order.status).toBe('TO_BE_DELIVERED');
    expect(order.audit.filter((entry) => entry.to === 'TO_BE_DELIVERED')).toHaveLength(1);
    expect(order.draws).toHaveLength(index + 1);
    expect(order.payment.outTradeNo).toBe(combined.outTradeNo);
    expect(order.payment.transactionTotalFen).toBe(sum);
    expect(order.refunds).toEqual([]);
  }
  expect((await combinedDoc(paying.body.id)).state).toBe('PAID');
  expect((await alice.api.get<PaymentStatusResponse>(`/api/orders/${orders[0]!.id}/payment-status`)).body.status).toBe('PAID');
});

test('a wrong amount or payer for a combined payment is refused and changes no order', async () => {
  const bob = await shopper(server, 'dev-combined-bob');
  const orders = (await threeOrders(bob)).slice(0, 2);
  const paying = await payTogether(bob, orders);
  const combined = await combinedDoc(paying.body.id);
  const callbacks = await wechatCallbacks();
  const send = (amount: number, openid: string) => postCallback(server.url, callbacks.signed(callbacks.envelope(callbacks.transaction(combined.outTradeNo, amount, { payer: { openid } }))));
  expect(await send(orders[0]!.totalFen, combined.openid)).toBe(400);
  expect(await send(combined.totalFen, 'o-someone-else')).toBe(400);
  expect((await docs(orders)).map((order) => order.status)).toEqual(['TO_BE_PAID', 'TO_BE_PAID']);
  expect((await combinedDoc(paying.body.id)).state).toBe('OPEN');
});

test("one order cannot join two open payments (409 ORDER_IN_OPEN_PAYMENT); someone else's order is 404; paying one alone releases the others", async () => {
  const carol = await shopper(server, 'dev-combined-carol');
  const [a, b, c] = (await threeOrders(carol)) as [Order, Order, Order];
  const first = await payTogether(carol, [a, b]);
  expect(first.status).toBe(200);
  const refused = await payTogether(carol, [b, c]);
  expect([refused.status, refused.body.code]).toEqual([409, 'ORDER_IN_OPEN_PAYMENT']);
  expect((await orderDoc(server, c.id)).payment.combinedId).toBeNull();

  const dave = await shopper(server, 'dev-combined-dave');
  const daves = await dave.placeOrder();
  expect((await payTogether(carol, [c, daves])).status).toBe(404);
  expect((await payTogether(dave, [a, daves])).status).toBe(404);
  expect((await carol.api.post('/api/payments/combined/jsapi', { orderIds: [c.id] })).status).toBe(400);
  expect((await carol.api.post('/api/payments/combined/jsapi', { orderIds: [c.id, c.id] })).status).toBe(400);

  // Paying `a` alone closes the combined payment at WeChat first and lets `b` go: it can now join another.
  const combined = await combinedDoc(first.body.id);
  await carol.payJsapi(a.id);
  expect((await simTransaction(server.simulatorUrl, combined.outTradeNo)).trade_state).toBe('CLOSED');
  expect((await combinedDoc(first.body.id)).state).toBe('CLOSED');
  expect((await orderDoc(server, b.id)).payment.combinedId).toBeNull();
  const second = await payTogether(carol, [b, c]);
  expect(second.status).toBe(200);
  // Joining a combined payment closes an order's own open attempt at WeChat first, as switching channel does.
  const erin = await shopper(server, 'dev-combined-erin');
  const [x, y] = (await threeOrders(erin)) as [Order, Order];
  await erin.payJsapi(x.id);
  const together = await payTogether(erin, [x, y]);
  expect(together.status).toBe(200);
  expect((await simTransaction(server.simulatorUrl, `${x.id}_1`)).trade_state).toBe('CLOSED');
  expect((await orderDoc(server, x.id)).payment.current).toBeNull();
});

test('concurrent combined payments over the same order: exactly one opens, the others answer 409', async () => {
  const frank = await shopper(server, 'dev-combined-frank');
  const orders = await threeOrders(frank);
  const sets = [
    [orders[0]!, orders[1]!],
    [orders[1]!, orders[2]!],
    [orders[0]!, orders[2]!],
  ];
  const answers = await inParallel(sets, 3, (set) => payTogether(frank, set));
  expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
  expect(answers.filter((answer) => answer.status === 409).map((answer) => answer.body.code)).toEqual(['ORDER_IN_OPEN_PAYMENT', 'ORDER_IN_OPEN_PAYMENT']);
  const links = (await docs(orders)).map((order) => order.payment.combinedId?.toHexString() ?? null);
  const winner = answers.find((answer) => answer.status === 200)!.body;
  expect(links.filter((link) => link === winner.id)).toHaveLength(2);
  expect(links.filter((link) => link !== null && link !== winner.id)).toEqual([]);
});

test('pay vs expire: a member closed before the money came is refunded its share (total = the combined amount), the others are fulfilled', async () => {
  const grace = await shopper(server, 'dev-combined-grace');
  const orders = await threeOrders(grace);
  const paying = await payTogether(grace, orders);
  const combined = await combinedDoc(paying.body.id);
  const [expired, ...others] = orders as [Order, Order, Order];

  // The simulator refuses to pay what it has closed, so only our side closes the first order.
  await closeHereOnly(server, expired.id);

  await payAtSimulator(server.simulatorUrl, prepayIdOf(paying.body.params.package));
  const [refunded, ...paid] = await waitForStatuses(orders, ['REFUNDED', 'TO_BE_DELIVERED', 'TO_BE_DELIVERED'], 'the refund of the closed member and the others fulfilled');
  expect(refunded!.refunds).toHaveLength(1);
  expect(refunded!.refunds[0]).toMatchObject({ amountFen: expired.totalFen, totalFen: combined.totalFen, outTradeNo: combined.outTradeNo, status: 'SUCCESS' });
  expect(refunded!.audit.map((entry) => entry.to)).toEqual(['TO_BE_PAID', 'CLOSED', 'REFUNDING', 'REFUNDED']);
  for (const [index, order] of paid.entries()) expect(order.draws).toHaveLength(others[index]!.items[0]!.quantity);
  const sim = (await simTransaction(server.simulatorUrl, combined.outTradeNo)) as unknown as { sim: { refunds: SimRefund[] } };
  expect(sim.sim.refunds.map((refund) => [refund.amount.refund, refund.amount.total])).toEqual([[expired.totalFen, combined.totalFen]]);
});

test("the shopper polls one combined payment: PENDING while unpaid, PAID once each member is drawn or refunded its share; another shopper's is 404", async () => {
  const olga = await shopper(server, 'dev-combined-olga');
  const orders = await threeOrders(olga);
  const paying = await payTogether(olga, orders);
  const poll = (buyer: Shopper, id = paying.body.id) => buyer.api.get<CombinedPaymentStatus & { code?: string }>(`/api/payments/combined/${id}`);

  const pending = await poll(olga);
  expect(pending.status).toBe(200);
  expect(pending.body).toEqual({
    id: paying.body.id,
    status: 'PENDING',
    reason: null,
    paidAt: null,
    totalFen: paying.body.totalFen,
    orders: orders.map((order) => ({ orderId: order.id, amountFen: order.totalFen, status: 'TO_BE_PAID' })),
  });
  expect((await poll(await shopper(server, 'dev-combined-oscar'))).status).toBe(404);
  expect((await poll(olga, 'not-an-id')).body.code).toBe('INVALID_ID');

  await closeHereOnly(server, orders[0]!.id);
  await payAtSimulator(server.simulatorUrl, prepayIdOf(paying.body.params.package));
  await waitForStatuses(orders, ['REFUNDED', 'TO_BE_DELIVERED', 'TO_BE_DELIVERED'], 'the combined payment applied');

  const paid = await poll(olga);
  expect(paid.body.status).toBe('PAID');
  expect(paid.body.paidAt).not.toBeNull();
  expect(paid.body.orders.map((order) => [order.orderId, order.status])).toEqual([
    [orders[0]!.id, 'REFUNDED'],
    [orders[1]!.id, 'TO_BE_DELIVERED'],
    [orders[2]!.id, 'TO_BE_DELIVERED'],
  ]);
});

test('a combined payment recorded paid before its members were is still PENDING to its poller, whose poll finds the money and fulfils them', async () => {
  const pia = await shopper(server, 'dev-combined-pia');
  const orders = (await threeOrders(pia)).slice(0, 2);
  const paying = await payTogether(pia, orders);
  await setFaults(server.simulatorUrl, { dropNext: 1000 });
  await payAtSimulator(server.simulatorUrl, prepayIdOf(paying.body.params.package));
  const tx = await simTransaction(server.simulatorUrl, (await combinedDoc(paying.body.id)).outTradeNo);
  // The first write of applyCombinedTransaction, and then the process died.
  await combinedPaymentModel(server.container.db).updateOne({ _id: new Types.ObjectId(paying.body.id) }, { $set: { state: 'PAID', transactionId: tx.transaction_id } });

  const status = await pia.api.get<CombinedPaymentStatus>(`/api/payments/combined/${paying.body.id}`);
  expect([status.body.status, status.body.orders.map((order) => order.status)]).toEqual(['PAID', ['TO_BE_DELIVERED', 'TO_BE_DELIVERED']]);
  const paid = await docs(orders);
  const poller = `user:${paid[0]!.userId.toHexString()}`;
  expect(paid.map((order) => order.audit.at(-1)?.actor)).toEqual([poller, poller]);
});

test('pay and expire at the same moment, many times: every paid combined payment fulfils or refunds each member once, every unpaid one frees them', async () => {
  const lee = await shopper(server, 'dev-combined-lee');
  const box = await lee.firstBox();
  const before = (await boxState(server, box.id)).stock;
  let sold = 0;
  // The payment leaves a little later each round, so both orders of events happen.
  for (const delayMs of [0, 5, 10, 20, 40, 80]) {
    const orders = [await lee.placeOrder([{ boxId: box.id, quantity: 1 }]), await lee.placeOrder([{ boxId: box.id, quantity: 1 }])];
    const paying = await payTogether(lee, orders);
    const combined = await combinedDoc(paying.body.id);
    const [expiring] = orders as [Order, Order];
    await Promise.all([
      server.container.orders.closeUnpaid(new Types.ObjectId(expiring.id), { reason: 'expired', actor: 'test:expiry' }),
      new Promise((resolve) => setTimeout(resolve, delayMs)).then(() => payAtSimulator(server.simulatorUrl, prepayIdOf(paying.body.params.package))).catch(() => undefined),
    ]);
    const atWechat = (await simTransaction(server.simulatorUrl, combined.outTradeNo)).trade_state;
    if (atWechat === 'SUCCESS' || atWechat === 'REFUND') {
      const settled = await waitUntil(async () => {
        const current = await docs(orders);
        return current.every((order) => order.status === 'TO_BE_DELIVERED' || order.status === 'REFUNDED') ? current : null;
      }, 20_000, 'every member of the paid combined payment settled');
      for (const order of settled) {
        expect(order.audit.filter((entry) => entry.to === 'TO_BE_DELIVERED' || entry.to === 'REFUNDING')).toHaveLength(1);
        expect(order.payment.outTradeNo).toBe(combined.outTradeNo);
      }
      sold += settled.filter((order) => order.status === 'TO_BE_DELIVERED').length;
    } else {
      expect(atWechat).toBe('CLOSED');
      const [closed, freed] = await docs(orders);
      expect([closed!.status, freed!.status, freed!.payment.combinedId]).toEqual(['CLOSED', 'TO_BE_PAID', null]);
      await lee.api.post(`/api/orders/${freed!._id.toHexString()}/cancel`);
    }
  }
  // Units: what was sold stays sold; what was closed (refunded or not) came back, once.
  expect((await boxState(server, box.id)).stock).toBe(before - sold);
});

test('the expiry sweep closes the combined payment at WeChat and frees the other members, which stay payable', async () => {
  const henry = await shopper(server, 'dev-combined-henry');
  const orders = (await threeOrders(henry)).slice(0, 2);
  const paying = await payTogether(henry, orders);
  const combined = await combinedDoc(paying.body.id);
  await expireInDb(server, orders[0]!.id);
  const [closed, kept] = await waitForStatuses(orders, ['CLOSED', 'TO_BE_PAID'], 'the sweep to close the expired member');
  expect(closed!.audit.at(-1)?.actor).toBe('job:expiry-sweep');
  expect((await simTransaction(server.simulatorUrl, combined.outTradeNo)).trade_state).toBe('CLOSED');
  expect((await combinedDoc(paying.body.id)).state).toBe('CLOSED');
  expect(kept!.payment.combinedId).toBeNull();
  const params = await henry.payJsapi(orders[1]!.id);
  await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));
  await waitForStatuses([orders[1]!], ['TO_BE_DELIVERED'], 'the freed member to be paid alone');
});

test('a combined payment whose callbacks are all lost is found by the payment-status poll of any member', async () => {
  const ivy = await shopper(server, 'dev-combined-ivy');
  // Order ids carry whole seconds: a second of its own, so the daily report below sees only these orders.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const since = new Date();
  const orders = await threeOrders(ivy);
  const paying = await ivy.api.post<CombinedNativeResponse>('/api/payments/combined/native', { orderIds: orders.map((order) => order.id) });
  expect(paying.status).toBe(200);
  expect(paying.body.qrDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);
  await setFaults(server.simulatorUrl, { dropNext: 1000 });
  await fetch(`${server.simulatorUrl}/sim/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ codeUrl: paying.body.codeUrl, result: 'SUCCESS' }) });
  expect((await docs(orders)).map((order) => order.status)).toEqual(['TO_BE_PAID', 'TO_BE_PAID', 'TO_BE_PAID']);
  const status = await ivy.api.get<PaymentStatusResponse>(`/api/orders/${orders[1]!.id}/payment-status`);
  expect(status.body.status).toBe('PAID');
  const paid = await docs(orders);
  expect(paid.map((order) => order.status)).toEqual(['TO_BE_DELIVERED', 'TO_BE_DELIVERED', 'TO_BE_DELIVERED']);
  expect(paid.map((order) => order.audit.at(-1)?.actor)).toEqual(paid.map(() => `user:${paid[0]!.userId.toHexString()}`));

  // The daily report checks them too, though none opened an attempt of its own, against the combined transaction.
  expect(paid.every((order) => order.payment.attemptCount === 0)).toBe(true);
  const report = await buildReconciliationReport(server.container.jobs.context, { since });
  expect([report.checked, report.outcomes, report.mismatches]).toEqual([3, { MATCH_PAID: 3 }, []]);
});

test('a crash after the combined payment was recorded paid, before its members were: a member\'s expiry finds the money and fulfils them all', async () => {
  const nina = await shopper(server, 'dev-combined-nina');
  const orders = (await threeOrders(nina)).slice(0, 2);
  const paying = await payTogether(nina, orders);
  await setFaults(server.simulatorUrl, { dropNext: 1000 });
  await payAtSimulator(server.simulatorUrl, prepayIdOf(paying.body.params.package));
  const tx = await simTransaction(server.simulatorUrl, (await combinedDoc(paying.body.id)).outTradeNo);
  // The first write of applyCombinedTransaction, and then the process died.
  await combinedPaymentModel(server.container.db).updateOne({ _id: new Types.ObjectId(paying.body.id) }, { $set: { state: 'PAID', transactionId: tx.transaction_id } });

  await expireInDb(server, orders[0]!.id);
  const paid = await waitForStatuses(orders, ['TO_BE_DELIVERED', 'TO_BE_DELIVERED'], 'the sweep to find the payment');
  expect(paid.map((order) => order.payment.transactionId)).toEqual([tx.transaction_id, tx.transaction_id]);
  expect(paid.map((order) => order.audit.filter((entry) => entry.to === 'CLOSED'))).toEqual([[], []]);
});

test('partial refund of one member refunds only its share of the combined transaction', async () => {
  const judy = await shopper(server, 'dev-combined-judy');
  const orders = await threeOrders(judy);
  const paying = await payTogether(judy, orders);
  const combined = await combinedDoc(paying.body.id);
  await payAtSimulator(server.simulatorUrl, prepayIdOf(paying.body.params.package));
  await waitForStatuses(orders, ['TO_BE_DELIVERED', 'TO_BE_DELIVERED', 'TO_BE_DELIVERED'], 'the combined payment');

  const refundedOne = orders[1]!;
  await server.container.refunds.refundOrder(new Types.ObjectId(refundedOne.id), 'admin:test', 'customer asked');
  const [first, refunded, third] = await waitForStatuses(orders, ['TO_BE_DELIVERED', 'REFUNDED', 'TO_BE_DELIVERED'], 'the member refund');
  expect(refunded!.refunds.map((refund) => [refund.amountFen, refund.totalFen, refund.outTradeNo, refund.status])).toEqual([[refundedOne.totalFen, combined.totalFen, combined.outTradeNo, 'SUCCESS']]);
  expect([first!.refunds, third!.refunds]).toEqual([[], []]);
  const sim = (await simTransaction(server.simulatorUrl, combined.outTradeNo)) as unknown as { sim: { refunds: SimRefund[] } };
  expect(sim.sim.refunds.map((refund) => [refund.amount.refund, refund.amount.total, refund.status])).toEqual([[refundedOne.totalFen, combined.totalFen, 'SUCCESS']]);

  // A second member refunded as well: its own out_refund_no, its own share.
  await server.container.refunds.refundOrder(new Types.ObjectId(orders[2]!.id), 'admin:test', 'customer asked');
  await waitForStatuses([orders[2]!], ['REFUNDED'], 'the second member refund');
  const after = (await simTransaction(server.simulatorUrl, combined.outTradeNo)) as unknown as { sim: { refunds: SimRefund[] } };
  expect(after.sim.refunds.map((refund) => refund.amount.refund).sort()).toEqual([refundedOne.totalFen, orders[2]!.totalFen].sort());
  expect(new Set(after.sim.refunds.map((refund) => refund.out_refund_no)).size).toBe(2);

  // The day's trade bill lists the one payment and both refunds under the combined out_trade_no: all agree.
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const report = await server.container.tradeBills.reconcileDay(today, 'test');
  const ours = new Set([combined.outTradeNo, ...orders.map((order) => order.id)]);
  expect(report.findings.filter((found) => ours.has(found.outTradeNo) || (found.orderId !== null && ours.has(found.orderId)))).toEqual([]);
});

test('reconciliation asks WeChat by the combined out_trade_no when every callback is lost', async () => {
  const reconciling = await startTestServer({ env: { ...JOB_TEST_ENV }, simulatorUrl: server.simulatorUrl });
  try {
    const kim = await shopper(reconciling, 'dev-combined-kim');
    const orders = (await threeOrders(kim)).slice(0, 2);
    const paying = await payTogether(kim, orders);
    await setFaults(server.simulatorUrl, { dropNext: 1000 });
    await payAtSimulator(server.simulatorUrl, prepayIdOf(paying.body.params.package));
    const paid = await waitUntil(async () => {
      const current = await Promise.all(orders.map((order) => orderDoc(reconciling, order.id)));
      return current.every((order) => order.status === 'TO_BE_DELIVERED') ? current : null;
    }, 20_000, 'reconciliation to apply the combined payment');
    expect(paid.map((order) => order.audit.at(-1)?.actor)).toEqual(['job:reconcile', 'job:reconcile']);
  } finally {
    await reconciling.stop();
  }
});

test('orders paid together ship as parcels of one transaction: split delivery, the last parcel completes it', async () => {
  const shipping = await startTestServer({ env: { ...JOB_TEST_ENV }, simulatorUrl: server.simulatorUrl });
  try {
    const mia = await shopper(shipping, 'dev-combined-mia');
    const orders = (await threeOrders(mia)).slice(0, 2) as [Order, Order];
    const paying = await payTogether(mia, orders);
    await payAtSimulator(shipping.simulatorUrl, prepayIdOf(paying.body.params.package));
    const paid = await waitUntil(async () => {
      const current = await Promise.all(orders.map((order) => orderDoc(shipping, order.id)));
      return current.every((order) => order.status === 'TO_BE_DELIVERED') ? current : null;
    }, 20_000, 'the combined payment');
    const key = { kind: 'out_trade_no' as const, mchid: shipping.container.shipping.mchid, outTradeNo: paid[0]!.payment.outTradeNo! };
    const uploaded = (orderId: string) =>
      waitUntil(async () => ((await shipping.container.shipping.status(new Types.ObjectId(orderId)))?.status === 'UPLOADED' ? true : null), 20_000, 'the upload');

    const [first, second] = orders;
    await shipping.container.shipping.recordShipment(await shipping.container.orders.ship(new Types.ObjectId(first.id), 'SF1000000001', 'admin:test'));
    await uploaded(first.id);
    expect(await shipping.container.platform.getOrder(key)).toMatchObject({ orderState: 1, shipped: false, trackingNos: ['SF1000000001'] });

    await shipping.container.shipping.recordShipment(await shipping.container.orders.ship(new Types.ObjectId(second.id), 'SF1000000002', 'admin:test'));
    await uploaded(second.id);
    expect(await shipping.container.platform.getOrder(key)).toMatchObject({ orderState: 2, shipped: true, trackingNos: ['SF1000000001', 'SF1000000002'] });
  } finally {
    await shipping.stop();
  }
});
