import { Types } from 'mongoose';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { shopper, payAtSimulator, prepayIdOf } from '../../test/support/shop';
import { boxState } from '../../test/support/stock';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { stockDatabase } from '../db/databases';
import { holdIdOf } from '../catalog/stock';
import { holdModel, stockModel } from '../catalog/stock.model';
import { couponModel } from '../coupons/coupon.model';
import { orderModel } from './order.model';
import { placingSlots } from './order.service';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

const hourAgo = () => new Date(Date.now() - 3_600_000);

test('holds, counter tokens and coupons left by interrupted steps are kept, released or left alone according to their order', async () => {
  const db = server.container.db;
  const Hold = holdModel(stockDatabase(db));
  const Stock = stockModel(stockDatabase(db));
  const alice = await shopper(server, 'dev-leftover-alice');
  const target = await alice.firstBox();
  const boxId = new Types.ObjectId(target.id);
  const coupon = (await alice.api.get<{ items: Array<{ id: string }> }>('/api/coupons')).body.items[0]!;

  // A paid order whose settle step never ran: its hold is still HELD (past its window) and its coupon locked.
  const paid = await alice.placeOrder([{ boxId: target.id, quantity: 2 }], coupon.id);
  const params = await alice.payJsapi(paid.id);
  await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));
  await waitUntil(async () => ((await alice.order(paid.id)).status === 'TO_BE_DELIVERED' ? true : null), 15_000, 'payment');
  // Settling follows the paid transition: let it finish before undoing it by hand.
  const paidHold = holdIdOf(new Types.ObjectId(paid.id), boxId);
  await waitUntil(async () => ((await Hold.findById(paidHold).lean())?.state === 'SOLD' && (await couponModel(db).findById(coupon.id).lean())?.state === 'USED' ? true : null), 15_000, 'settling');
  await Hold.updateOne({ _id: paidHold }, { $set: { state: 'HELD', expiresAt: hourAgo() } });
  await couponModel(db).updateOne({ _id: coupon.id }, { $set: { state: 'LOCKED' } });

  // An unpaid order keeps its hold.
  const unpaid = await alice.placeOrder([{ boxId: target.id, quantity: 1 }]);
  // An order creation that died after taking units, before storing its hold: only the counter's token is left.
  const orphan = Types.ObjectId.createFromTime(Math.floor(Date.now() / 1000) - 3600);
  await Stock.updateOne({ _id: boxId }, { $inc: { available: -3 }, $push: { reserving: `${holdIdOf(orphan, boxId)}:3` }, $set: { tokensAt: hourAgo() } });
  // A close interrupted before release, then paid late (CLOSED → REFUNDING): nothing was ever drawn.
  const late = await alice.placeOrder([{ boxId: target.id, quantity: 1 }]);
  await orderModel(db).updateOne({ _id: late.id }, { $set: { status: 'REFUNDING' } });
  await Hold.updateOne({ _id: holdIdOf(new Types.ObjectId(late.id), boxId) }, { $set: { expiresAt: hourAgo() } });
  // A release that died after HELD → RELEASING, before the units went back.
  const stuck = await alice.placeOrder([{ boxId: target.id, quantity: 4 }]);
  await Hold.updateOne({ _id: holdIdOf(new Types.ObjectId(stuck.id), boxId) }, { $set: { state: 'RELEASING', updatedAt: hourAgo() } });

  const before = (await boxState(server, target.id)).stock;
  const result = await server.container.holds.sweep(new Date(), 500);
  expect(result).toEqual({ 'item takes': 0, 'daily caps': 0, coupon: 1, 'purchase quota': 0, 'seed commitment': 0, 'set positions': 0, stock: 4 });

  const after = await boxState(server, target.id);
  expect(after.holds).toEqual([`${unpaid.id}:1`]);
  expect(after.stock).toBe(before + 3 + 1 + 4);
  expect((await Hold.findById(holdIdOf(new Types.ObjectId(paid.id), boxId)).lean())?.state).toBe('SOLD');
  expect(await Stock.findById(boxId).lean()).toMatchObject({ reserving: [], releasing: [] });
  expect((await couponModel(db).findById(coupon.id).lean())?.state).toBe('USED');
  // The orphan's reservation, waking up late, can no longer store its hold: the sweep stored a RELEASED one in its place.
  const lateHold = { _id: holdIdOf(orphan, boxId), boxId, orderId: orphan, quantity: 3, state: 'HELD' as const, expiresAt: new Date(), updatedAt: new Date() };
  await expect(Hold.create(lateHold)).rejects.toThrow(/duplicate key/i);
  expect((await Hold.findById(lateHold._id).lean())?.state).toBe('RELEASED');

  expect(Object.values(await server.container.holds.sweep(new Date(), 500)).every((settled) => settled === 0)).toBe(true);
  expect((await boxState(server, target.id)).stock).toBe(before + 8);
});

test('a reservation\'s token leaves the box\'s counter once its hold is stored, without waiting for the sweep', async () => {
  const Stock = stockModel(stockDatabase(server.container.db));
  const bob = await shopper(server, 'dev-token-pull');
  const target = await bob.firstBox();
  const placed = await bob.placeOrder([{ boxId: target.id, quantity: 1 }]);
  const token = `${holdIdOf(new Types.ObjectId(placed.id), new Types.ObjectId(target.id))}:1`;
  await waitUntil(async () => ((await Stock.findById(target.id).lean())?.reserving.includes(token) === false ? true : null), 5_000, 'token pulled');
  expect((await holdModel(stockDatabase(server.container.db)).findById(holdIdOf(new Types.ObjectId(placed.id), new Types.ObjectId(target.id))).lean())?.state).toBe('HELD');
});

test('placing never takes every pooled connection: a pool too small for the configured placings lowers them', () => {
  const { widestStep } = server.container.holds;
  // The seed, the quota, the coupon and the daily caps are taken at once.
  expect(widestStep).toBe(4);
  expect(placingSlots({ ORDER_PLACING_CONCURRENCY: 10, MONGODB_POOL_SIZE: 50 }, widestStep)).toBe(10);
  // Ten placings at four connections each would hold all twenty: a payment callback would wait for one.
  expect(placingSlots({ ORDER_PLACING_CONCURRENCY: 10, MONGODB_POOL_SIZE: 20 }, widestStep)).toBe(4);
  expect(placingSlots({ ORDER_PLACING_CONCURRENCY: 10, MONGODB_POOL_SIZE: 2 }, widestStep)).toBe(1);
});
