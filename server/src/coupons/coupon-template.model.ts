import { Schema, type Types } from 'mongoose';
import { defineModel } from '../db/define-model';

/**
 * A coupon the merchant defines once and grants many times (the welcome coupon among them): catalog data, set and
 * switched with `admin coupon`. Each grant becomes a coupon of its own (coupon.model.ts) that follows the one
 * lock / use / release path; the template only counts what it may still give.
 */
export interface CouponTemplateDoc {
  _id: Types.ObjectId;
  code: string;
  title: string;
  /** Fen off; 0 for a percentage template. */
  amountOffFen: number;
  /** Basis points off (1000 = 10 %); null for an amount template. */
  percentOffBp: number | null;
  maxOffFen: number | null;
  minSpendFen: number;
  /** A granted coupon is valid this many days from its grant, unless `validUntil` fixes one end for all. */
  validDays: number | null;
  validUntil: Date | null;
  /** How many grants it may make in all; null: no limit. */
  quantity: number | null;
  /** What it may still grant (quantity − granted); null: no limit. Taken by a guarded $inc, so never below 0. */
  remaining: number | null;
  granted: number;
  /** Every new shopper gets one at their first login. At most one template is. */
  welcome: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const optionalInt = (min: number) => ({ type: Number, default: null, min, validate: (value: number | null) => value === null || Number.isInteger(value) });

const couponTemplateSchema = new Schema<CouponTemplateDoc>(
  {
    code: { type: String, required: true, unique: true },
    title: { type: String, required: true },
    amountOffFen: { type: Number, required: true, min: 0, validate: Number.isInteger },
    percentOffBp: { ...optionalInt(1), max: 9999 },
    maxOffFen: optionalInt(1),
    minSpendFen: { type: Number, required: true, min: 0, validate: Number.isInteger },
    validDays: optionalInt(1),
    validUntil: { type: Date, default: null },
    quantity: optionalInt(0),
    remaining: optionalInt(0),
    granted: { type: Number, default: 0 },
    welcome: { type: Boolean, default: false },
  },
  { timestamps: true },
);
// Every first login looks the welcome template up.
couponTemplateSchema.index({ welcome: 1 });

export const couponTemplateModel = defineModel<CouponTemplateDoc>('CouponTemplate', couponTemplateSchema);
