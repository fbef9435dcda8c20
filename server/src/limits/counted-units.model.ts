import { Schema } from 'mongoose';
import { defineModel } from '../db/define-model';

/** Which limit a counter belongs to: each hold of an order sweeps its own kind (orders/order-holds.ts). */
export type CountedKind = 'quota' | 'daily';

/**
 * Units counted against one limit under one key (`_id`): a shopper's purchases of a box in one drop, or their
 * spend or draws of one day (limits/).
 */
export interface CountedUnitsDoc {
  _id: string;
  units: number;
  /** The orders counted in `units` (at most the limit), so taking and giving back are idempotent. */
  orders: string[];
  /**
   * Orders counted whose fate is not settled yet (unpaid, or never stored because placing crashed): a paid
   * order's units stay counted, a closed or never-stored one's go back. The leftover sweep settles them.
   * Each is `<orderId>:<units>`, then `:<part>=<units>,…` when the order counted parts.
   */
  pending: string[];
  /** Units counted per part under a limit of their own (a day's draws per box, keyed by box id); absent when none. */
  parts?: Record<string, number>;
  /** Absent for counters stored before sweeping existed (treated as quota). */
  kind?: CountedKind;
  /** When the sweep should look at `pending` (the earliest payment deadline among them); absent when empty. */
  checkAt?: Date;
}

const countedUnitsSchema = new Schema<CountedUnitsDoc>(
  {
    _id: { type: String, required: true },
    units: { type: Number, required: true, min: 0 },
    orders: { type: [String], default: [] },
    pending: { type: [String], default: [] },
    parts: { type: Map, of: Number },
    kind: { type: String, enum: ['quota', 'daily'] },
    checkAt: { type: Date },
  },
  { versionKey: false },
);
// The leftover sweep: counters of one kind with a pending order due a look.
countedUnitsSchema.index({ kind: 1, checkAt: 1 });

// The collection keeps its first name: it held the purchase quota before the daily caps joined it.
export const countedUnitsModel = defineModel<CountedUnitsDoc>('PurchaseQuota', countedUnitsSchema);
