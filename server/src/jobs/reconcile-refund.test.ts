import { jobsDatabase } from '../db/databases';
import { Types } from 'mongoose';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { shopper, payAtSimulator } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { orderTransitions } from '../orders/order-transitions';
import { buildReconciliationReport } from './daily-reconciliation-report.job';
import { JOB_TEST_ENV, boxState, clearFaults, orderDoc, prepayIdOf, setFaults, simTransaction } from '../../test/support/job-test-support';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { ...JOB_TEST_ENV } });
});
afterAll(async () => {
  await server.stop();
});
afterEach(async () => {
  await clearFaults(server.simulatorUrl);
});

test('a payment whose callbacks are all lost is applied by reconciliation', async () => {
  const alice = await shopper(server, 'dev-reconcile-alice');
  const order = await alice.placeOrder();
  const params = await alice.payJsapi(order.id);
  await setFaults(server.simulatorUrl, { dropNext: 1000 });
  await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));

  const paid = await waitUntil(async () => {
    const current = await orderDoc(server, order.id);
    return current.status === 'TO_BE_DELIVERED' ? current : null;
  }, 20_000, 'reconciliation to apply the payment');
  expect(paid.audit.at(-1)?.actor).toBe('job:reconcile');
  expect(paid.payment.transactionId).toBeTruthy();
  expect(paid.payment.lastCheckedAt).toBeInstanceOf(Date);
  expect(paid.draws).toHaveLength(2);
});

test('money that arrives after the order closed is refunded automatically: CLOSED → REFUNDING → REFUNDED', async () => {
  const bob = await shopper(server, 'dev-reconcile-bob');
  const box = await bob.firstBox();
  const before = await boxState(server, box.id);
  const order = await bob.placeOrder([{ boxId: box.id, quantity: 1 }]);
  const params = await bob.payJsapi(order.id);
  const outTradeNo = (await orderDoc(server, order.id)).payment.current!.outTradeNo;

  // Our side closed the order, but the close request never reached WeChat (lost on the network), so the
  // payer can still pay the open transaction. The simulator refuses to pay a transaction it has closed,
  // so this is the realistic way for money to reach a CLOSED order.
  const { attemptCount } = (await orderDoc(server, order.id)).payment;
  const closed = await orderTransitions(server.container.db).close(new Types.ObjectId(order.id), attemptCount, { reason: 'expired', actor: 'test' });
  expect(closed).not.toBeNull();
  await server.container.orders.releaseResources(closed!);
  expect((await boxState(server, box.id)).stock).toBe(before.stock);

  await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));
  const refunded = await waitUntil(async () => {
    const current = await orderDoc(server, order.id);
    return current.status === 'REFUNDED' ? current : null;
  }, 20_000, 'the refund to be confirmed');

  expect(refunded.audit.map((entry) => entry.to)).toEqual(['TO_BE_PAID', 'CLOSED', 'REFUNDING', 'REFUNDED']);
  expect(refunded.refunds).toHaveLength(1);
  expect(refunded.refunds[0]?.status).toBe('SUCCESS');
  expect((await simTransaction(server.simulatorUrl, outTradeNo)).trade_state).toBe('REFUND');
  // Stock was released once at close and is not touched by the refund.
  expect((await boxState(server, box.id)).stock).toBe(before.stock);
  await waitUntil(
    async () => ((await jobsDatabase(server.container.db).collection('agendaJobs').countDocuments({ name: 'refund-order', 'data.orderId': order.id })) === 0 ? true : null),
    5_000,
    'the finished refund job to remove itself',
  );
});

test('refund requests that fail at WeChat are retried with backoff until confirmed', async () => {
  const carol = await shopper(server, 'dev-reconcile-carol');
  const order = await carol.placeOrder();
  const params = await carol.payJsapi(order.id);
  await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));
  await waitUntil(async () => ((await orderDoc(server, order.id)).status === 'TO_BE_DELIVERED' ? true : null), 15_000, 'payment');

  await setFaults(server.simulatorUrl, { apiError: { code: 'SYSTEM_ERROR', count: 3 } });
  const started = await server.container.refunds.refundOrder(new Types.ObjectId(order.id), 'admin:test', 'customer asked');
  expect(started.status).toBe('REFUNDING');
  const refunded = await waitUntil(async () => {
    const current = await orderDoc(server, order.id);
    return current.status === 'REFUNDED' ? current : null;
  }, 20_000, 'the refund to succeed after the errors');
  expect(refunded.refunds[0]?.status).toBe('SUCCESS');
  expect(refunded.audit.filter((entry) => entry.to === 'REFUNDED')).toHaveLength(1);
});

test('the daily report counts outcomes and lists mismatches', async () => {
  const dave = await shopper(server, 'dev-reconcile-dave');
  const unpaid = await dave.placeOrder();
  await dave.payJsapi(unpaid.id);
  const tampered = await dave.placeOrder();
  const params = await dave.payJsapi(tampered.id);
  await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));
  await waitUntil(async () => ((await orderDoc(server, tampered.id)).status === 'TO_BE_DELIVERED' ? true : null), 15_000, 'payment');
  // Corrupt our side: paid at WeChat, but the order says CLOSED.
  await server.container.db.collection('orders').updateOne({ _id: new Types.ObjectId(tampered.id) }, { $set: { status: 'CLOSED' } });

  const report = await buildReconciliationReport(server.container.jobs.context, { since: new Date(Date.now() - 3600_000) });
  expect(report.checked).toBeGreaterThanOrEqual(2);
  expect(report.outcomes.MATCH_UNPAID ?? 0).toBeGreaterThanOrEqual(1);
  expect(report.mismatches.map((m) => [m.orderId, m.outcome])).toContainEqual([tampered.id, 'MISMATCH_PAID_AT_WECHAT_ORDER_CLOSED']);
  expect(report.mismatches.find((m) => m.orderId === unpaid.id)).toBeUndefined();
});
