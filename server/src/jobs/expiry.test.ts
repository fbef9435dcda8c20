import { startTestServer, type TestServer } from '../../test/support/test-server';
import { shopper, payAtSimulator } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { orderTransitions } from '../orders/order-transitions';
import { Types } from 'mongoose';
import { jobsDatabase } from '../db/databases';
import {
  JOB_TEST_ENV,
  boxState,
  expireInDb,
  orderDoc,
  prepayIdOf,
  setFaults,
  clearFaults,
  simTransaction,
} from '../../test/support/job-test-support';

// Reconciliation is slowed down here so that what closes or pays an order is the expiry path under test.
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

test('an unpaid order closes at both ends at expiry and gives its stock back exactly once', async () => {
  const alice = await shopper(server, 'dev-expiry-alice');
  const box = await alice.firstBox();
  const before = await boxState(server, box.id);
  const order = await alice.placeOrder([{ boxId: box.id, quantity: 2 }]);
  await alice.payJsapi(order.id);
  const outTradeNo = (await orderDoc(server, order.id)).payment.current!.outTradeNo;
  expect((await boxState(server, box.id)).stock).toBe(before.stock - 2);
  expect((await simTransaction(server.simulatorUrl, outTradeNo)).trade_state).toBe('NOTPAY');

  // Placing an order writes no job: expiry is the sweep's.
  expect(await jobsDatabase(server.container.db).collection('agendaJobs').countDocuments({ 'data.orderId': order.id })).toBe(0);

  await expireInDb(server, order.id);
  const closed = await waitUntil(async () => {
    const current = await orderDoc(server, order.id);
    return current.status === 'CLOSED' && current.releasedAt ? current : null;
  }, 15_000, 'the expiry to close the order');

  expect((await simTransaction(server.simulatorUrl, outTradeNo)).trade_state).toBe('CLOSED');
  expect(closed.audit.filter((entry) => entry.to === 'CLOSED')).toHaveLength(1);
  expect(closed.audit.at(-1)?.actor).toBe('job:expiry-sweep');
  // Let the sweep run over it a few more times: nothing more is released.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  const after = await boxState(server, box.id);
  expect(after.stock).toBe(before.stock);
  expect(after.holds.filter((hold) => hold.startsWith(order.id))).toEqual([]);
});

test('paid at the last second with the callback lost: expiry finds the payment and the order ends paid, not closed', async () => {
  const bob = await shopper(server, 'dev-expiry-bob');
  const box = await bob.firstBox();
  const before = await boxState(server, box.id);
  const order = await bob.placeOrder([{ boxId: box.id, quantity: 1 }]);
  const params = await bob.payJsapi(order.id);
  await setFaults(server.simulatorUrl, { dropNext: 1000 });
  await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect((await orderDoc(server, order.id)).status).toBe('TO_BE_PAID');

  await expireInDb(server, order.id);
  const paid = await waitUntil(async () => {
    const current = await orderDoc(server, order.id);
    return current.status !== 'TO_BE_PAID' ? current : null;
  }, 15_000, 'the expiry to settle the order');

  expect(paid.status).toBe('TO_BE_DELIVERED');
  expect(paid.audit.map((entry) => entry.to)).toEqual(['TO_BE_PAID', 'TO_BE_DELIVERED']);
  expect(paid.audit.at(-1)?.actor).toBe('job:expiry-sweep');
  expect(paid.draws).toHaveLength(1);
  // Settling (holds → sold) follows the transition; wait for it.
  const after = await waitUntil(async () => {
    const state = await boxState(server, box.id);
    return state.holds.some((hold) => hold.startsWith(order.id)) ? null : state;
  }, 15_000, 'the hold to be kept as sold');
  expect(after.stock).toBe(before.stock - 1); // sold, not given back
});

test('a crash between closing and releasing converges: the sweep releases the stock once', async () => {
  const carol = await shopper(server, 'dev-expiry-carol');
  const box = await carol.firstBox();
  const before = await boxState(server, box.id);
  const order = await carol.placeOrder([{ boxId: box.id, quantity: 3 }]);
  expect((await boxState(server, box.id)).stock).toBe(before.stock - 3);

  // The process died right after the CLOSED transition, before releaseResources ran.
  const { attemptCount } = (await orderDoc(server, order.id)).payment;
  const closed = await orderTransitions(server.container.db).close(new Types.ObjectId(order.id), attemptCount, { reason: 'expired', actor: 'job:expiry-sweep' });
  expect(closed?.status).toBe('CLOSED');
  expect(closed?.releasedAt).toBeNull();

  const released = await waitUntil(async () => {
    const current = await orderDoc(server, order.id);
    return current.releasedAt ? current : null;
  }, 15_000, 'the sweep to release the stock');
  expect(released.audit.filter((entry) => entry.to === 'CLOSED')).toHaveLength(1);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const after = await boxState(server, box.id);
  expect(after.stock).toBe(before.stock);
  expect(after.holds.filter((hold) => hold.startsWith(order.id))).toEqual([]);
});

test('the sweep closes an expired order and gives its stock back', async () => {
  const dave = await shopper(server, 'dev-expiry-dave');
  const box = await dave.firstBox();
  const before = await boxState(server, box.id);
  const order = await dave.placeOrder([{ boxId: box.id, quantity: 1 }]);
  await expireInDb(server, order.id);
  const closed = await waitUntil(async () => {
    const current = await orderDoc(server, order.id);
    return current.status === 'CLOSED' && current.releasedAt ? current : null;
  }, 15_000, 'the sweep to close the order');
  expect(closed.audit.at(-1)?.actor).toBe('job:expiry-sweep');
  expect((await boxState(server, box.id)).stock).toBe(before.stock);
});
