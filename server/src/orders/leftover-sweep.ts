import type { Connection, Types } from 'mongoose';
import { stockLedger } from '../catalog/stock';
import { couponModel } from '../coupons/coupon.model';
import { couponLocks } from '../coupons/coupon-locks';
import { orderModel, type OrderDoc } from './order.model';
import { setService } from '../sets/set.service';

/** Long enough for any order creation to have stored its order after locking or reserving (it takes milliseconds). */
const ORPHAN_AGE_MS = 10 * 60 * 1000;

type Fate = 'WAIT' | 'KEEP' | 'RELEASE';

/**
 * What should become of stock or a coupon held for an order. Unpaid orders keep their holds; fulfilled
 * ones (they have draws) have sold the units and spent the coupon; orders that ended without being
 * fulfilled (closed, or refunded after paying late) give them back, as do holds whose order was never
 * stored because creation crashed half way.
 */
function fateOf(orderId: Types.ObjectId, order: Pick<OrderDoc, 'status' | 'draws'> | undefined, now: Date): Fate {
  if (!order) return now.getTime() - orderId.getTimestamp().getTime() > ORPHAN_AGE_MS ? 'RELEASE' : 'WAIT';
  if (order.status === 'TO_BE_PAID') return 'WAIT';
  return order.draws.length > 0 ? 'KEEP' : 'RELEASE';
}

/**
 * Finishes settle and release steps that a crash cut short, whatever path left them: a payment applied by a
 * query whose settle write failed, a close interrupted before release and then paid late, an order creation
 * that died after reserving, a counter change stuck half way (stock.heal). Each step it takes is the same
 * guarded, idempotent one the normal path uses. Every query is index-backed and limited: the cost follows
 * what is left over, not the number of orders.
 */
export function leftoverSweep(connection: Connection, batchSize = 500) {
  const Coupon = couponModel(connection);
  const Order = orderModel(connection);
  const stock = stockLedger(connection);
  const coupons = couponLocks(connection);
  const sets = setService(connection);

  async function fates(orderIds: Types.ObjectId[], now: Date): Promise<Map<string, Fate>> {
    const orders = await Order.find({ _id: { $in: orderIds } }).select({ status: 1, draws: 1 }).lean<Array<Pick<OrderDoc, '_id' | 'status' | 'draws'>>>();
    const byId = new Map(orders.map((order) => [order._id.toHexString(), order]));
    return new Map(orderIds.map((id) => [id.toHexString(), fateOf(id, byId.get(id.toHexString()), now)]));
  }

  return async function sweepLeftovers(now = new Date()): Promise<{ holdsSettled: number; couponsSettled: number }> {
    let holdsSettled = 0;
    let couponsSettled = 0;

    const healed = await stock.heal(now);
    holdsSettled += healed.reclaimed + healed.releasesFinished;

    const holds = await stock.expiredHolds(now, batchSize);
    const holdFates = await fates(holds.map((hold) => hold.orderId), now);
    for (const hold of holds) {
      const fate = holdFates.get(hold.orderId.toHexString());
      const line = { boxId: hold.boxId, quantity: hold.quantity };
      if (fate === 'KEEP') await stock.keep(hold.orderId, [line]);
      if (fate === 'RELEASE') await stock.release(hold.orderId, [line]);
      if (fate !== 'WAIT') holdsSettled += 1;
    }

    // Whole-set positions: a paid order's are sold (with the designs it delivered), any other's go back.
    const positions = await sets.expiredHolds(now, batchSize);
    const positionFates = await fates(positions.map((hold) => hold.orderId), now);
    for (const hold of positions) {
      const fate = positionFates.get(hold.orderId.toHexString());
      const line = { setId: hold.setId, boxId: hold.boxId, positions: [hold.position] };
      if (fate === 'KEEP') {
        const order = await Order.findById(hold.orderId).lean<OrderDoc>();
        if (order) await sets.keep(order);
      }
      if (fate === 'RELEASE') await sets.releaseHold(hold.orderId, line);
      if (fate !== 'WAIT') holdsSettled += 1;
    }

    const locked = await Coupon.find({ state: 'LOCKED' }).select({ orderId: 1 }).limit(batchSize).lean();
    const lockedWithOrder = locked.filter((coupon): coupon is typeof coupon & { orderId: Types.ObjectId } => coupon.orderId !== null);
    const couponFates = await fates(lockedWithOrder.map((coupon) => coupon.orderId), now);
    for (const coupon of lockedWithOrder) {
      const fate = couponFates.get(coupon.orderId.toHexString());
      if (fate === 'KEEP') await coupons.markUsed(coupon._id, coupon.orderId);
      if (fate === 'RELEASE') await coupons.release(coupon._id, coupon.orderId);
      if (fate !== 'WAIT') couponsSettled += 1;
    }
    return { holdsSettled, couponsSettled };
  };
}
