import { Types } from 'mongoose';
import type { Coupon } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { boxWithItemCounts } from '../../test/support/stock';
import { payAtSimulator, prepayIdOf, shopper } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { countsDatabase, stockDatabase } from '../db/databases';
import type { BoxDoc } from '../catalog/box.model';
import { holdModel, itemTakeModel } from '../catalog/stock.model';
import { couponModel } from '../coupons/coupon.model';
import { drawLogModel } from '../fairness/draw-log.model';
import { guaranteeCounterModel } from '../fairness/fairness.model';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { orderTransitions } from '../orders/order-transitions';
import { runExpirySweep, SETTLE_GRACE_MS } from '../jobs/expiry-sweep.job';

// A fulfilling payment answers the channel once the order is paid, drawn and its guarantee claims released;
// the holds are kept and the draws logged after the answer. A process killed in between leaves the order's
// settleDueAt, and the expiry sweep finishes the job: every hold kept, every draw logged once.

let server: TestServer;
let box: BoxDoc;

beforeAll(async () => {
  server = await startTestServer();
  box = await boxWithItemCounts(server, 'settle', 20);
}, 60_000);
afterAll(async () => {
  await server.stop();
});

const stockDb = () => stockDatabase(server.container.db);

async function placed(name: string): Promise<{ order: OrderDoc; couponId: string; buyer: Awaited<ReturnType<typeof shopper>> }> {
  const buyer = await shopper(server, `dev-settle-after-${name}`);
  const coupon = (await buyer.api.get<{ items: Coupon[] }>('/api/coupons')).body.items[0]!;
  const { id } = await buyer.placeOrder([{ boxId: box._id.toHexString(), quantity: 2 }], coupon.id);
  return { order: (await orderModel(server.container.db).findById(id).lean<OrderDoc>())!, couponId: coupon.id, buyer };
}

/** What settling leaves of an order: its holds, its claim, its public log entries. */
async function settledState(orderId: Types.ObjectId, couponId: string) {
  const order = (await orderModel(server.container.db).findById(orderId).lean<OrderDoc>())!;
  const [first] = order.draws;
  const counter = await guaranteeCounterModel(countsDatabase(server.container.db)).findById(`${order.userId.toHexString()}:${box._id.toHexString()}`).lean();
  const logged = await drawLogModel(server.container.db).find({ boxId: box._id, tag: first?.proof?.shopperTag, nonce: first?.proof?.nonce }).sort({ seq: 1 }).lean();
  return {
    settleDue: order.settleDueAt !== null && order.settleDueAt !== undefined,
    stockHolds: (await holdModel(stockDb()).find({ orderId }).lean()).map((hold) => hold.state),
    itemTakes: (await itemTakeModel(stockDb()).find({ orderId }).lean()).map((take) => take.state),
    coupon: (await couponModel(server.container.db).findById(couponId).lean())?.state,
    claimPending: counter?.pending?.orderId === orderId.toHexString(),
    counted: counter?.counted?.includes(orderId.toHexString()) ?? false,
    logged: logged.map((entry) => [entry.unit, entry.productId]),
    drawn: order.draws.map((draw) => [draw.proof?.unit, draw.productId]),
  };
}

test('a paid WeChat callback is answered before settling, and settling finishes right after: holds kept, draws logged, mark cleared', async () => {
  const { order, couponId, buyer } = await placed('live');
  await payAtSimulator(server.simulatorUrl, prepayIdOf((await buyer.payJsapi(order._id.toHexString())).package));
  // Paid-and-drawn first; the callback then finishes the claim and only then starts settling, so settled() could
  // resolve in between: wait for the mark settling clears last.
  await waitUntil(async () => {
    const current = await orderModel(server.container.db).findById(order._id).lean<OrderDoc>();
    return current?.status === 'TO_BE_DELIVERED' && !current.settleDueAt ? true : null;
  }, 60_000, 'the payment callback and the settling after it');
  await server.container.payments.settled();
  const state = await settledState(order._id, couponId);
  expect(state).toEqual({ settleDue: false, stockHolds: ['SOLD'], itemTakes: ['TAKEN'], coupon: 'USED', claimPending: false, counted: true, logged: state.drawn, drawn: expect.any(Array) });
  expect(state.logged).toHaveLength(2);
}, 120_000);

test('a process killed at any step after the paid-and-drawn write: the expiry sweep settles the rest, once', async () => {
  const { holds, fairness } = server.container;
  const transitions = orderTransitions(server.container.db);
  // The steps after the paid-and-drawn write, in the payment's order: the claims (before the answer), then each
  // hold kept and the public log (after it). Case k: the process dies after the first k.
  const steps: Array<(paid: OrderDoc) => Promise<unknown>> = [(paid) => fairness.draws.release(paid), ...holds.list.map((hold) => (paid: OrderDoc) => hold.keep(paid)), (paid) => fairness.draws.publish(paid)];
  for (let k = 0; k < steps.length; k += 1) {
    const { order, couponId } = await placed(`killed-${k}`);
    const draws = await fairness.draws.prepare(order);
    // Marked as the payment marks it, long enough ago for the sweep (past its grace for appliers still at work).
    const paid = await transitions.markPaid(order._id, { paidAt: new Date(), draws, settleDueAt: new Date(Date.now() - 2 * SETTLE_GRACE_MS) }, { reason: 'crash test', actor: 'test' });
    for (const step of steps.slice(0, k)) await step(paid!);
    expect([k, (await settledState(order._id, couponId)).settleDue]).toEqual([k, true]);

    await runExpirySweep(server.container.jobs.context, 'test');
    const state = await settledState(order._id, couponId);
    expect([k, state]).toEqual([k, { settleDue: false, stockHolds: ['SOLD'], itemTakes: ['TAKEN'], coupon: 'USED', claimPending: false, counted: true, logged: state.drawn, drawn: expect.any(Array) }]);
    expect([k, state.logged]).toEqual([k, expect.arrayContaining([expect.any(Array), expect.any(Array)])]);

    // A second sweep finds nothing left: no entry logged twice.
    await runExpirySweep(server.container.jobs.context, 'test');
    expect([k, (await settledState(order._id, couponId)).logged]).toEqual([k, state.logged]);
  }
  // The box's log stays numbered without repeats.
  const seqs = (await drawLogModel(server.container.db).find({ boxId: box._id }).lean()).map((entry) => entry.seq);
  expect(new Set(seqs).size).toBe(seqs.length);
}, 300_000);
