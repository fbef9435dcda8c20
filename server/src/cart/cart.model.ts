import { Schema, type Types } from 'mongoose';
import { defineModel } from '../db/define-model';

export interface CartLineDoc {
  boxId: Types.ObjectId;
  quantity: number;
}

/**
 * One document per shopper, its _id the user's id (so there can be no second one), changed only by a write
 * guarded on `version`: two tabs editing at once never lose each other's line. Holds no price: a cart is
 * always shown and checked out at the catalog's prices of that moment.
 */
export interface CartDoc {
  _id: Types.ObjectId;
  lines: CartLineDoc[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

const lineSchema = new Schema<CartLineDoc>({ boxId: { type: Schema.Types.ObjectId, required: true }, quantity: { type: Number, required: true } }, { _id: false });

const cartSchema = new Schema<CartDoc>(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    lines: { type: [lineSchema], default: [] },
    version: { type: Number, required: true },
  },
  { timestamps: true, minimize: false },
);

export const cartModel = defineModel<CartDoc>('Cart', cartSchema);
