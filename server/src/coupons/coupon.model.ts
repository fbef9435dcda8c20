import { Schema, type Types } from 'mongoose';
import { defineModel } from '../db/define-model';

export type CouponState = 'AVAILABLE' | 'LOCKED' | 'USED';

export interface CouponDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  title: string;
  /** Fen off; 0 for a percentage coupon. */
  amountOffFen: number;
  /** Percentage off in basis points (1000 = 10 % off, 九折); null for an amount coupon. */
  percentOffBp: number | null;
  /** The most a percentage coupon takes off, in fen; null: no cap. */
  maxOffFen: number | null;
  /** The template it was granted from (coupon-templates.ts); null for a coupon granted directly. */
  templateCode: string | null;
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
    amountOffFen: { type: Number, required: true, min: 0, validate: Number.isInteger },
    percentOffBp: { type: Number, default: null, min: 1, max: 9999, validate: (value: number | null) => value === null || Number.isInteger(value) },
    maxOffFen: { type: Number, default: null, min: 1, validate: (value: number | null) => value === null || Number.isInteger(value) },
    templateCode: { type: String, default: null },
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
