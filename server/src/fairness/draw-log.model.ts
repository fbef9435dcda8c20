import { Schema, type Types } from 'mongoose';
import { RARITIES, type GuaranteeRule, type RarityName } from '@blindbox/shared';
import { defineModel } from '../db/define-model';

/**
 * One unit's draw in its box's public log (docs/fairness.md "The public draw log"): everything needed to
 * recompute it, and nothing naming the shopper or the order. `seq` numbers the box's entries in the order they
 * were logged (from 1); the shopper is `tag` (random, per box: fairness/guarantee-counters.ts), the line is the
 * shopper's sequence number `nonce`, the unit its place `unit` in the line.
 */
export interface DrawLogDoc {
  _id: Types.ObjectId;
  boxId: Types.ObjectId;
  seq: number;
  tag: string;
  nonce: number;
  unit: number;
  clientSeed: string;
  seedId: string;
  serverSeedHash: string;
  /** The box version (odds table) the line was sold under; null for lines sold before versions. */
  boxVersion: number | null;
  products: Array<{ productId: string; rarity: RarityName; weight: number }>;
  guarantee: GuaranteeRule | null;
  missesBefore: number;
  exhausted: string[];
  forced: boolean;
  productId: string;
  drawnAt: Date;
}

/** The last `seq` given out per box: the log's head. */
export interface DrawLogHeadDoc {
  _id: Types.ObjectId;
  last: number;
}

const drawLogSchema = new Schema<DrawLogDoc>(
  {
    boxId: { type: Schema.Types.ObjectId, required: true },
    seq: { type: Number, required: true, min: 1 },
    tag: { type: String, required: true },
    nonce: { type: Number, required: true, min: 1 },
    unit: { type: Number, required: true, min: 0 },
    clientSeed: { type: String, required: true },
    seedId: { type: String, required: true },
    serverSeedHash: { type: String, required: true },
    boxVersion: { type: Number, default: null },
    products: [{ _id: false, productId: String, rarity: { type: String, enum: RARITIES }, weight: Number }],
    guarantee: { type: new Schema<GuaranteeRule>({ minRarity: { type: String, enum: RARITIES }, within: Number }, { _id: false }), default: null },
    missesBefore: { type: Number, required: true, min: 0 },
    exhausted: { type: [String], default: [] },
    forced: { type: Boolean, required: true },
    productId: { type: String, required: true },
    drawnAt: { type: Date, required: true },
  },
  { versionKey: false },
);
// The log read in order, page after page (cursor: the last `seq` read).
drawLogSchema.index({ boxId: 1, seq: 1 }, { unique: true });
// One entry per unit: a line logged twice (two appliers, a repeat after a crash) collides here; also no shopper's
// sequence number is ever used by two lines of a box.
drawLogSchema.index({ boxId: 1, tag: 1, nonce: 1, unit: 1 }, { unique: true });

const drawLogHeadSchema = new Schema<DrawLogHeadDoc>({ _id: { type: Schema.Types.ObjectId, required: true }, last: { type: Number, required: true, min: 0 } }, { versionKey: false });

export const drawLogModel = defineModel<DrawLogDoc>('DrawLog', drawLogSchema);
export const drawLogHeadModel = defineModel<DrawLogHeadDoc>('DrawLogHead', drawLogHeadSchema);
