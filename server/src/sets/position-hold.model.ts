import { Schema, type Types } from 'mongoose';
import { defineModel } from '../db/define-model';

export type PositionHoldState = 'HELD' | 'RELEASED' | 'SOLD';

/**
 * One position of one set, held for one order: `_id` is `<setId>:<position>`, so a position has exactly one
 * document and taking it is one guarded write (an insert, or RELEASED → HELD), whoever else taps it at the
 * same moment. In the stock database, beside the stock holds, so its writes never queue behind the shop's.
 * A released document stays (RELEASED) and is taken again by the next order; a SOLD one is the record of the
 * sale, with the design it delivered.
 */
export interface PositionHoldDoc {
  _id: string;
  setId: Types.ObjectId;
  boxId: Types.ObjectId;
  position: number;
  orderId: Types.ObjectId;
  state: PositionHoldState;
  /** When the holding order stops being payable: the leftover sweep releases it after that unless paid. */
  expiresAt: Date;
  updatedAt: Date;
  /** Set when SOLD: the design the position delivered (the arrangement's entry). */
  productId: string | null;
}

const positionHoldSchema = new Schema<PositionHoldDoc>(
  {
    _id: { type: String, required: true },
    setId: { type: Schema.Types.ObjectId, required: true },
    boxId: { type: Schema.Types.ObjectId, required: true },
    position: { type: Number, required: true, min: 0 },
    orderId: { type: Schema.Types.ObjectId, required: true },
    state: { type: String, enum: ['HELD', 'RELEASED', 'SOLD'], required: true },
    expiresAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    productId: { type: String, default: null },
  },
  { versionKey: false },
);
// A set's grid and its sales.
positionHoldSchema.index({ setId: 1, state: 1 });
// The leftover sweep: positions still HELD after their order stopped being payable.
positionHoldSchema.index({ state: 1, expiresAt: 1 });

export const positionHoldModel = defineModel<PositionHoldDoc>('PositionHold', positionHoldSchema);
