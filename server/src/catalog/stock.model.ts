import { Schema, type Types } from 'mongoose';
import { defineModel } from '../db/define-model';

/**
 * A box's units for sale, in a document of its own: every reservation rewrites it, so it stays small.
 * `reserving` and `releasing` carry only the tokens of counter changes in flight (bounded by concurrency,
 * not by unpaid orders); a token present means its change was applied, which is what lets each step of the
 * ledger run again after a crash without counting twice.
 */
export interface StockDoc {
  _id: Types.ObjectId;
  available: number;
  reserving: string[];
  releasing: string[];
  /**
   * Units of each item not drawn yet, by product id (catalog/item-stock.ts). The counter above stays the
   * reservation guard: available = Σ items − units held − units paid but not drawn yet, so every paid unit
   * finds an item. Absent: the box keeps no per-item counts (stocked before they existed, or by setAvailable).
   */
  items?: Record<string, number>;
  /**
   * Item takes in flight (catalog/item-stock.ts): `drawingLines` holds the line (`<orderId>:<boxId>`, or
   * `<orderId>:<boxId>#back` for one given back) and guards against a second take of it; `drawing` holds the
   * take that landed (`<line>#<attempt>#<nonce>`), so a take can tell its own from another applier's.
   */
  drawingLines: string[];
  drawing: string[];
  /**
   * No later than the oldest token: set with every token, cleared by the healing sweep once none is left, so
   * the sweep finds the counters worth a look through an index instead of reading every box's.
   */
  tokensAt?: Date;
}

/** A held order line's id: one hold (and one item take) per order and box. */
export const holdIdOf = (orderId: Types.ObjectId, boxId: Types.ObjectId) => `${orderId.toHexString()}:${boxId.toHexString()}`;

export type HoldState = 'HELD' | 'RELEASING' | 'RELEASED' | 'SOLD';

/** Units of one box held for one order: `_id` is `<orderId>:<boxId>`, so each order line has exactly one. */
export interface HoldDoc {
  _id: string;
  boxId: Types.ObjectId;
  orderId: Types.ObjectId;
  quantity: number;
  state: HoldState;
  /** When the order stops being payable: the hold's units come back then unless it is paid. */
  expiresAt: Date;
  updatedAt: Date;
}

export type ItemTakeState = 'CHOSEN' | 'TAKEN' | 'RETURNING' | 'RETURNED';

/** One unit of an order line as drawn: the product, and what had run out when it was drawn (it took no tickets). */
export interface TakenUnit {
  productId: string;
  exhausted: string[];
}

/**
 * The items one order line's draws take (`_id` is `<orderId>:<boxId>`, like its hold). `attempts` only grows:
 * each entry is a draw of the line's units against the item counts then; the one whose token reached the
 * counter (`takenAttempt`) is what was taken, so every applier of the order stores the same draws.
 */
export interface ItemTakeDoc {
  _id: string;
  boxId: Types.ObjectId;
  orderId: Types.ObjectId;
  attempts: { units: TakenUnit[] }[];
  takenAttempt: number | null;
  /** The counter token of the take that landed: a take that finds another's here gives its own units back. */
  takenToken: string | null;
  state: ItemTakeState;
  updatedAt: Date;
}

const stockSchema = new Schema<StockDoc>(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    available: { type: Number, required: true, min: 0, validate: Number.isInteger },
    reserving: { type: [String], default: [] },
    releasing: { type: [String], default: [] },
    items: { type: Schema.Types.Mixed, default: undefined },
    drawingLines: { type: [String], default: [] },
    drawing: { type: [String], default: [] },
    tokensAt: { type: Date },
  },
  { versionKey: false, minimize: false },
);
stockSchema.index({ tokensAt: 1 });

const holdSchema = new Schema<HoldDoc>(
  {
    _id: { type: String, required: true },
    boxId: { type: Schema.Types.ObjectId, required: true },
    orderId: { type: Schema.Types.ObjectId, required: true },
    quantity: { type: Number, required: true, min: 1 },
    state: { type: String, enum: ['HELD', 'RELEASING', 'RELEASED', 'SOLD'], required: true },
    expiresAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
// "Sold out until when?": the earliest expiry among a box's open holds.
holdSchema.index({ boxId: 1, state: 1, expiresAt: 1 });
// The leftover sweep: holds still HELD after their order stopped being payable.
holdSchema.index({ state: 1, expiresAt: 1 });
// The healing sweep: holds stuck half way through a release.
holdSchema.index({ state: 1, updatedAt: 1 });

const itemTakeSchema = new Schema<ItemTakeDoc>(
  {
    _id: { type: String, required: true },
    boxId: { type: Schema.Types.ObjectId, required: true },
    orderId: { type: Schema.Types.ObjectId, required: true },
    attempts: { type: [{ _id: false, units: [{ _id: false, productId: String, exhausted: [String] }] }], default: [] },
    takenAttempt: { type: Number, default: null },
    takenToken: { type: String, default: null },
    state: { type: String, enum: ['CHOSEN', 'TAKEN', 'RETURNING', 'RETURNED'], required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
// `admin stock`: what each item of a box has given to draws.
itemTakeSchema.index({ boxId: 1, state: 1 });

export const stockModel = defineModel<StockDoc>('Stock', stockSchema);
export const holdModel = defineModel<HoldDoc>('Hold', holdSchema);
export const itemTakeModel = defineModel<ItemTakeDoc>('ItemTake', itemTakeSchema);
