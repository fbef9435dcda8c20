import { Types } from 'mongoose';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { shopper, payAtSimulator, prepayIdOf } from '../../test/support/shop';
import { waitUntil } from '../payments/wechatpay/testing/harness';
import { boxModel } from '../catalog/box.model';
import { couponModel } from '../coupons/coupon.model';
import { orderModel } from './order.model';
import { leftoverSweep } from './leftover-sweep';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

const box = (id: string) => boxModel(server.container.db).findById(id).lean();

test('holds and coupons left by interrupted steps are kept, released or left alone according to their order', async () => {
  const db = server.container.db;
  const alice = await shopper(server, 'dev-leftover-alice');
  const target = await alice.firstBox();
  const coupon = (await alice.api.get<{ items: Array<{ id: string }> }>('/api/coupons')).body.items[0]!;

  // A paid order whose settle step never ran: its hold and coupon lock are still there.
  const paid = await alice.placeOrder([{ boxId: target.id, quantity: 2 }], coupon.id);
  const params = await alice.payJsapi(paid.id);
  await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));
  await waitUntil(async () => ((await alice.order(paid.id)).status === 'TO_BE_DELIVERED' ? true : null), 15_000, 'payment');
  await boxModel(db).updateOne({ _id: target.id }, { $push: { holds: `${paid.id}:2` } });
  await couponModel(db).updateOne({ _id: coupon.id }, { $set: { state: 'LOCKED' } });

  // An unpaid order keeps its hold; an order creation that died before storing its order leaves an orphan.
  const unpaid = await alice.placeOrder([{ boxId: target.id, quantity: 1 }]);
  const orphan = Types.ObjectId.createFromTime(Math.floor(Date.now() / 1000) - 3600);
  await boxModel(db).updateOne({ _id: target.id }, { $inc: { stock: -3 }, $push: { holds: `${orphan.toHexString()}:3` } });
  // A close interrupted before release, then paid late (CLOSED → REFUNDING): nothing was ever drawn.
  const late = await alice.placeOrder([{ boxId: target.id, quantity: 1 }]);
  await orderModel(db).updateOne({ _id: late.id }, { $set: { status: 'REFUNDING' } });

  const before = (await box(target.id))!.stock;
  const result = await leftoverSweep(db)();
  expect(result).toEqual({ holdsSettled: 3, couponsSettled: 1 });

  const after = (await box(target.id))!;
  expect(after.holds).toEqual([`${unpaid.id}:1`]);
  expect(after.stock).toBe(before + 3 + 1);
  expect((await couponModel(db).findById(coupon.id).lean())?.state).toBe('USED');

  expect(await leftoverSweep(db)()).toEqual({ holdsSettled: 0, couponsSettled: 0 });
  expect((await box(target.id))!.stock).toBe(before + 4);
});
