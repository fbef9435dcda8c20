import { Types } from 'mongoose';
import type { Coupon } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { boxWithItemCounts } from '../../test/support/stock';
import { shopper } from '../../test/support/shop';
import { setBoxWithSets } from '../../test/support/sets';
import { countsDatabase, stockDatabase } from '../db/databases';
import { boxModel, type BoxDoc } from '../catalog/box.model';
import { holdModel, itemTakeModel, stockModel } from '../catalog/stock.model';
import { positionHoldModel } from '../sets/position-hold.model';
import { countedUnitsModel } from '../limits/counted-units.model';
import { couponModel } from '../coupons/coupon.model';
import { orderModel, type OrderDoc } from './order.model';
import { orderTransitions } from './order-transitions';
import type { OrderDraft, PlacingHold } from './order-holds';

// A crash at every step of placing, closing and settling an order, then the leftover sweep: whatever the
// crash cut off, every hold heals. Closing and settling run the holds one by one (closing in reverse), so a crash
// after the k-th leaves what running the first k leaves; placing takes the last holds of its steps at once, so a
// crash there may leave any of them. Each case runs those and stops, as a killed process would, and then sweeps
// at a time past every deadline.

let server: TestServer;
let weighted: BoxDoc;
let setBox: { boxId: string; setIds: string[] };
const UNITS = 40;

beforeAll(async () => {
  server = await startTestServer();
  weighted = await boxWithItemCounts(server, 'crash', UNITS / 2);
  // One set per test (placing's cases use two): each case picks a position of its own.
  setBox = await setBoxWithSets(server, 12, 4);
}, 60_000);
afterAll(async () => {
  await server.stop();
});

const later = () => new Date(Date.now() + 3 * 3600_000);
const stockDb = () => stockDatabase(server.container.db);

/** Everything any hold may have left for the order, in the stock database and the coupon. */
async function leftoversOf(orderId: Types.ObjectId, couponId: string | null) {
  const id = orderId.toHexString();
  const Counted = countedUnitsModel(countsDatabase(server.container.db));
  const counters = await Counted.find({ orders: id }).lean();
  const pending = await Counted.find({ pending: { $regex: `^${id}:` } }).lean();
  const stock = await stockModel(stockDb()).findById(weighted._id).lean();
  return {
    stockHolds: (await holdModel(stockDb()).find({ orderId }).lean()).map((hold) => hold.state),
    reserving: (stock?.reserving ?? []).filter((token) => token.startsWith(id)),
    itemLines: [...(stock?.drawing ?? []), ...(stock?.drawingLines ?? [])].filter((token) => token.startsWith(id)),
    itemTakes: (await itemTakeModel(stockDb()).find({ orderId }).lean()).map((take) => take.state),
    positions: (await positionHoldModel(stockDb()).find({ orderId }).lean()).map((hold) => hold.state),
    counted: counters.map((counter) => counter._id.split(':')[0]).sort(),
    pending: pending.length,
    coupon: couponId ? (await couponModel(server.container.db).findById(couponId).lean())?.state : null,
  };
}

async function availableNow() {
  return (await server.container.stock.available([weighted._id])).get(weighted._id.toHexString());
}

/** A shopper with a welcome coupon, and the lines of a mixed order: two weighted units and one set position. */
async function buyerFor(name: string, set: number, position: number) {
  const buyer = await shopper(server, `dev-crash-holds-${name}`);
  const coupon = (await buyer.api.get<{ items: Coupon[] }>('/api/coupons')).body.items[0]!;
  const lines = [
    { boxId: weighted._id.toHexString(), quantity: 2 },
    { boxId: setBox.boxId, quantity: 1, setPick: { setId: setBox.setIds[set]!, positions: [position] } },
  ];
  return { buyer, coupon, lines };
}

test('a crash after any hold taken while placing: the sweep gives every one back (stock, positions, quota, coupon, caps)', async () => {
  const holds = server.container.holds;
  const before = await availableNow();
  // A real order gives the shape of what placing takes; it is cancelled, so its holds are back before the cases.
  const { buyer, coupon, lines } = await buyerFor('create', 0, 0);
  const template = await orderModel(server.container.db).findById((await buyer.placeOrder(lines, coupon.id)).id).lean<OrderDoc>();
  expect((await buyer.api.post(`/api/orders/${template!._id.toHexString()}/cancel`)).status).toBe(200);
  const boxes = new Map((await boxModel(server.container.db).find({ _id: { $in: template!.items.map((item) => item.boxId) } }).lean<BoxDoc[]>()).map((box) => [box._id.toHexString(), box]));
  const steps = holds.placingSteps.map((step) => step.map((hold) => hold.name));
  expect(steps).toEqual([['stock'], ['set positions'], ['seed commitment', 'purchase quota', 'coupon', 'daily caps']]);
  // Every step before the last whole, and then any holds of the last (taken at once: any of them may be done).
  const earlier = holds.placingSteps.slice(0, -1);
  const last = holds.placingSteps.at(-1)!;
  const cases: PlacingHold[][] = earlier.map((_, k) => earlier.slice(0, k + 1).flat());
  for (let subset = 1; subset < 1 << last.length; subset += 1) cases.push([...earlier.flat(), ...last.filter((_, index) => subset & (1 << index))]);
  expect(cases).toHaveLength(2 + 15);

  for (const [index, taken] of cases.entries()) {
    const names = taken.map((hold) => hold.name);
    const orderId = new Types.ObjectId();
    // The template's set position is 0 of set 0; the cases take 1–11 of set 0, then 0–11 of set 3.
    const position = { setId: new Types.ObjectId(setBox.setIds[index < 11 ? 0 : 3]!), positions: [index < 11 ? index + 1 : index - 11] };
    const items = template!.items.map((item) => ({ ...item, seedId: '', setPick: item.setPick && { ...item.setPick, ...position } }));
    const draft: OrderDraft = {
      order: { _id: orderId, userId: template!.userId, items, couponId: template!.couponId, limitDay: template!.limitDay, totalFen: template!.totalFen, expiresAt: new Date(Date.now() + 15 * 60_000) },
      boxes,
      placedAt: new Date(),
      requestedAt: new Date(),
      price: { subtotalFen: template!.subtotalFen, discountFen: template!.discountFen, totalFen: template!.totalFen },
      refuseShort: async () => new Error('short'),
    };
    // The process dies with these holds taken: nothing is undone, the order is never stored.
    for (const hold of taken) await hold.take(draft);
    const held = await leftoversOf(orderId, coupon.id);
    expect([names, held.stockHolds, held.coupon]).toEqual([names, ['HELD'], names.includes('coupon') ? 'LOCKED' : 'AVAILABLE']);

    await holds.sweep(later(), 500);
    expect([names, await leftoversOf(orderId, coupon.id)]).toEqual([
      names,
      { stockHolds: ['RELEASED'], reserving: [], itemLines: [], itemTakes: [], positions: names.includes('set positions') ? ['RELEASED'] : [], counted: [], pending: 0, coupon: 'AVAILABLE' },
    ]);
    expect([names, await availableNow()]).toEqual([names, before]);
  }
}, 180_000);

test('a crash after any hold given back while closing: the sweep gives back the rest', async () => {
  const holds = server.container.holds;
  const before = await availableNow();
  const reversed = [...holds.list].reverse();
  for (let k = 0; k < reversed.length; k += 1) {
    const { buyer, coupon, lines } = await buyerFor(`close-${k}`, 1, k);
    const placed = await buyer.placeOrder(lines, coupon.id);
    const orderId = new Types.ObjectId(placed.id);
    const closed = await orderTransitions(server.container.db).close(orderId, 0, { reason: 'crash test', actor: 'test' });
    expect(closed?.status).toBe('CLOSED');
    // The process dies after giving back k holds; the close's own retry (releaseDueAt) is not waited for.
    for (const hold of reversed.slice(0, k)) await hold.giveBack(closed!);
    await orderModel(server.container.db).updateOne({ _id: orderId }, { $set: { releaseDueAt: null } });

    await holds.sweep(later(), 500);
    expect([k, await leftoversOf(orderId, coupon.id)]).toEqual([
      k,
      { stockHolds: ['RELEASED'], reserving: [], itemLines: [], itemTakes: [], positions: ['RELEASED'], counted: [], pending: 0, coupon: 'AVAILABLE' },
    ]);
    expect([k, await availableNow()]).toEqual([k, before]);
  }
}, 180_000);

test('a crash after any hold kept while settling a payment: the sweep keeps the rest (sold, spent, counted)', async () => {
  const { holds, fairness } = server.container;
  const transitions = orderTransitions(server.container.db);
  const before = await availableNow();
  for (let k = 0; k <= holds.list.length; k += 1) {
    const { buyer, coupon, lines } = await buyerFor(`settle-${k}`, 2, k);
    const placed = await buyer.placeOrder(lines, coupon.id);
    const order = (await orderModel(server.container.db).findById(placed.id).lean<OrderDoc>())!;
    // Paid and drawn in one write, as the payment path does; the process dies after keeping k holds.
    const draws = await fairness.draws.prepare(order);
    const paid = await transitions.markPaid(order._id, { paidAt: new Date(), draws }, { reason: 'crash test', actor: 'test' });
    await fairness.draws.settle(paid!);
    for (const hold of holds.list.slice(0, k)) await hold.keep(paid!);

    await holds.sweep(later(), 500);
    const left = await leftoversOf(order._id, coupon.id);
    expect([k, left]).toEqual([
      k,
      // Counted: the quota (keyed by box) and the caps (one counter of the shopper's day) keep the paid order's units.
      { stockHolds: ['SOLD'], reserving: [], itemLines: [], itemTakes: ['TAKEN'], positions: ['SOLD'], counted: expect.arrayContaining(['daily']), pending: 0, coupon: 'USED' },
    ]);
    expect(left.counted).toHaveLength(3);
  }
  // Each paid order took two units for good.
  expect(await availableNow()).toBe((before ?? 0) - 2 * (holds.list.length + 1));
}, 240_000);
