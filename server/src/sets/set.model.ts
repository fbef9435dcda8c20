import { Schema, type Types } from 'mongoose';
import { SET_STATES, type SetState } from '@blindbox/shared';
import { defineModel } from '../db/define-model';

/**
 * One whole set of a SETS box. `arrangement` (the product id at each position) and `salt` stay on the server
 * until the set is SOLD_OUT or RETIRED: only `commitment` = SHA-256(arrangement ‖ salt) is public before that
 * (sets/set-view.ts is the one place that decides what a set shows).
 */
export interface BoxSetDoc {
  _id: Types.ObjectId;
  boxId: Types.ObjectId;
  /** 1, 2, 3, … per box: the order sets go on sale in. */
  number: number;
  positions: number;
  arrangement: string[];
  salt: string;
  commitment: string;
  /** Whether a secret design replaced a position: decided with the arrangement, as secret as it. */
  hasSecret: boolean;
  /** RETIRING: a retire in progress (new picks are refused while it checks no position is held). */
  state: SetState | 'RETIRING';
  createdAt: Date;
  revealedAt: Date | null;
}

const setSchema = new Schema<BoxSetDoc>(
  {
    boxId: { type: Schema.Types.ObjectId, required: true },
    number: { type: Number, required: true, min: 1 },
    positions: { type: Number, required: true, min: 1 },
    arrangement: { type: [String], required: true },
    salt: { type: String, required: true },
    commitment: { type: String, required: true },
    hasSecret: { type: Boolean, required: true },
    state: { type: String, enum: [...SET_STATES, 'RETIRING'], required: true },
    createdAt: { type: Date, required: true },
    revealedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
// Set numbers are unique per box (two admins creating at once: one insert loses and takes the next number);
// the same index answers "this box's sets in order" and "the sets of a block of numbers".
setSchema.index({ boxId: 1, number: 1 }, { unique: true });
// "The set on sale now": the lowest-numbered set of the box still ON_SALE.
setSchema.index({ boxId: 1, state: 1, number: 1 });

export const boxSetModel = defineModel<BoxSetDoc>('BoxSet', setSchema);
