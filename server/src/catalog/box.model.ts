import { Schema, type Types } from 'mongoose';
import { RARITIES, type Rarity } from '@blindbox/shared';
import { defineModel } from '../db/define-model';

export interface BoxProductDoc {
  productId: string;
  name: string;
  rarity: Rarity;
  imageUrl: string;
  /** Relative weight; the published odds are weight / total weight of the box. */
  weight: number;
}

export interface BoxDoc {
  _id: Types.ObjectId;
  slug: string;
  name: string;
  description: string;
  coverUrl: string;
  priceFen: number;
  stock: number;
  products: BoxProductDoc[];
  /**
   * Stock held for unpaid orders as "<orderId>:<quantity>" strings: taken from `stock` at order time,
   * given back or kept when the order settles. Plain strings because FerretDB v1's $pull matches whole
   * values only; the order id's embedded timestamp tells a hold's age.
   */
  holds: string[];
  sortOrder: number;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const productSchema = new Schema<BoxProductDoc>(
  {
    productId: { type: String, required: true },
    name: { type: String, required: true },
    rarity: { type: String, enum: RARITIES, required: true },
    imageUrl: { type: String, required: true },
    weight: { type: Number, required: true, min: 1, validate: Number.isInteger },
  },
  { _id: false },
);

const boxSchema = new Schema<BoxDoc>(
  {
    slug: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    description: { type: String, default: '' },
    coverUrl: { type: String, required: true },
    priceFen: { type: Number, required: true, min: 1, validate: Number.isInteger },
    stock: { type: Number, required: true, min: 0, validate: Number.isInteger },
    products: { type: [productSchema], validate: (products: unknown[]) => products.length > 0 },
    holds: { type: [String], default: [] },
    sortOrder: { type: Number, default: 0 },
    active: { type: Boolean, default: true },
  },
  { timestamps: true },
);
boxSchema.index({ active: 1, sortOrder: 1 });

export const boxModel = defineModel<BoxDoc>('Box', boxSchema);
