import { Schema, type Types } from 'mongoose';
import { defineModel } from '../db/define-model';

export type CouponState = 'AVAILABLE' | 'LOCKED' | 'USED';

export interface CouponDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  title: string;
  amountOffFen: number;
  minSpendFen: number;
  expiresAt: Date;
  state: CouponState;
  /** The order holding this coupon while LOCKED or after USED; null while AVAILABLE. */
  orderId: Types.ObjectId | null;
  createdAt: Date;
}

const couponSchema = new Schema<CouponDoc>(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    title: { type: String, required: true },
    amountOffFen: { type: Number, required: true, min: 1, validate: Number.isInteger },
    minSpendFen: { type: Number, required: true, min: 0, validate: Number.isInteger },
    expiresAt: { type: Date, required: true },
    state: { type: String, enum: ['AVAILABLE', 'LOCKED', 'USED'], default: 'AVAILABLE' },
    orderId: { type: Schema.Types.ObjectId, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false } },
);
couponSchema.index({ userId: 1, state: 1 });
// The leftover sweep looks at LOCKED coupons only.
couponSchema.index({ state: 1 });

export const couponModel = defineModel<CouponDoc>('Coupon', couponSchema);
