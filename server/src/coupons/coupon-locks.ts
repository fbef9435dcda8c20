import type { Connection, Types } from 'mongoose';
import { couponModel } from './coupon.model';

/** A coupon follows its order with guarded single-document updates: lock at order, use at payment, return at close. */
export function couponLocks(connection: Connection) {
  const Coupon = couponModel(connection);
  return {
    /** Locks an unexpired coupon of this user whose minimum spend the subtotal meets; null if it cannot be used. */
    async lock(couponId: Types.ObjectId, userId: Types.ObjectId, orderId: Types.ObjectId, subtotalFen: number, now: Date) {
      return Coupon.findOneAndUpdate(
        { _id: couponId, userId, state: 'AVAILABLE', expiresAt: { $gt: now }, minSpendFen: { $lte: subtotalFen } },
        { $set: { state: 'LOCKED', orderId } },
        { returnDocument: 'after' },
      ).lean();
    },
    async release(couponId: Types.ObjectId, orderId: Types.ObjectId): Promise<void> {
      await Coupon.updateOne({ _id: couponId, state: 'LOCKED', orderId }, { $set: { state: 'AVAILABLE', orderId: null } });
    },
    /** Coupons locked for an order, for the leftover sweep to settle by that order's fate. */
    async lockedWithOrder(limit: number): Promise<Array<{ _id: Types.ObjectId; orderId: Types.ObjectId }>> {
      const locked = await Coupon.find({ state: 'LOCKED' }).select({ orderId: 1 }).limit(limit).lean();
      return locked.filter((coupon): coupon is typeof coupon & { orderId: Types.ObjectId } => coupon.orderId !== null);
    },
    async markUsed(couponId: Types.ObjectId, orderId: Types.ObjectId): Promise<void> {
      await Coupon.updateOne({ _id: couponId, state: 'LOCKED', orderId }, { $set: { state: 'USED' } });
    },
  };
}

export type CouponLocks = ReturnType<typeof couponLocks>;
