import { Schema, type Types } from 'mongoose';
import { defineModel } from '../db/define-model';

/**
 * One server seed of one box: `_id` is `<boxId>:<generation>`, so two rotations racing to commit the next
 * generation collide on the key and exactly one seed exists per generation. `hash` is public from the moment
 * the document exists; an order takes the seed current when it is placed (so the commitment precedes the
 * shopper's inputs, and the server cannot pick a seed after seeing them). `seed` leaves the server only once
 * the seed is retired and every order that took it can no longer be paid (see server-seeds.ts).
 */
export interface ServerSeedDoc {
  _id: string;
  boxId: Types.ObjectId;
  generation: number;
  seed: string;
  hash: string;
  committedAt: Date;
  /** The schedule: the first use at or after this moment commits the next seed and retires this one. */
  rotateAt: Date;
  /** Set when a newer generation took over: no order takes this seed any more. */
  retiredAt: Date | null;
  /** Not revealed before: the latest payment deadline of the orders that took this seed, plus the reveal step (raised only while it is not retired). */
  lastOrderExpiresAt: Date | null;
}

/**
 * A draw of this shopper and box is under way for `orderId` (since `at`): it draws against the counter's `misses`
 * with sequence number `nonces`, neither of which moves while the claim is held (fairness/guarantee-counters.ts).
 */
export interface PendingClaimDoc {
  orderId: string;
  at: Date;
}

/**
 * The draw counter of one shopper for one box, in the stock database: `_id` is `<userId>:<boxId>`. Every drawn
 * line of the box claims it (so a shopper's lines of one box are drawn one after the other). `misses` counts
 * the consecutive draws without an item of the guaranteed rarity (保底); `draws` counts the units drawn (it only
 * grows); `counted` lists the orders whose draws are in `misses`. `nonces` is the last
 * sequence number given to a line (the HMAC message's nonce, docs/fairness.md), `tag` the shopper's anonymous
 * name in the box's public draw log (random, so it says nothing of who they are).
 */
export interface GuaranteeCounterDoc {
  _id: string;
  misses: number;
  draws: number;
  /** Absent until the first order is counted: the engine leaves an upsert's empty array out (guarantee-counters.ts). */
  counted?: string[];
  pending: PendingClaimDoc | null;
  nonces: number;
  tag: string;
}

const serverSeedSchema = new Schema<ServerSeedDoc>(
  {
    _id: { type: String, required: true },
    boxId: { type: Schema.Types.ObjectId, required: true },
    generation: { type: Number, required: true, min: 1 },
    seed: { type: String, required: true },
    hash: { type: String, required: true },
    committedAt: { type: Date, required: true },
    rotateAt: { type: Date, required: true },
    retiredAt: { type: Date, default: null },
    lastOrderExpiresAt: { type: Date, default: null },
  },
  { versionKey: false },
);
// The current seed of a box: its newest generation not retired; and the box's published history.
serverSeedSchema.index({ boxId: 1, retiredAt: 1, generation: -1 });
serverSeedSchema.index({ boxId: 1, generation: -1 });

const guaranteeCounterSchema = new Schema<GuaranteeCounterDoc>(
  {
    _id: { type: String, required: true },
    misses: { type: Number, required: true, min: 0 },
    draws: { type: Number, required: true, min: 0 },
    counted: { type: [String], default: [] },
    pending: { type: new Schema<PendingClaimDoc>({ orderId: String, at: Date }, { _id: false }), default: null },
    nonces: { type: Number, required: true, min: 0 },
    tag: { type: String, required: true },
  },
  { versionKey: false },
);

export const serverSeedModel = defineModel<ServerSeedDoc>('ServerSeed', serverSeedSchema);
export const guaranteeCounterModel = defineModel<GuaranteeCounterDoc>('GuaranteeCounter', guaranteeCounterSchema);
