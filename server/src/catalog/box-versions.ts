import { Schema, type Connection, type Types } from 'mongoose';
import { RARITIES, type GuaranteeRule } from '@blindbox/shared';
import { defineModel } from '../db/define-model';
import type { BoxDoc, BoxProductDoc } from './box.model';

/**
 * The published odds (and item values) of one version of a box, kept for good: `_id` is `<boxId>:<version>`. While a box is on
 * sale its items, weights and guarantee never change in place: an import that changes them publishes the
 * next version (with a server seed of its own, so the new odds get a new commitment) and orders keep the
 * version they were placed under in their snapshot.
 */
export interface BoxVersionDoc {
  _id: string;
  boxId: Types.ObjectId;
  version: number;
  products: BoxProductDoc[];
  guarantee: GuaranteeRule | null;
  /** The server seed committed for this version's odds (fairness/server-seeds.ts). */
  seedId: string | null;
  publishedAt: Date;
}

const boxVersionSchema = new Schema<BoxVersionDoc>(
  {
    _id: { type: String, required: true },
    boxId: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true, min: 1 },
    products: [
      {
        _id: false,
        productId: String,
        name: String,
        rarity: { type: String, enum: RARITIES },
        imageUrl: String,
        weight: Number,
        valueFen: { type: Number, default: null },
      },
    ],
    guarantee: { type: new Schema<GuaranteeRule>({ minRarity: { type: String, enum: RARITIES }, within: Number }, { _id: false }), default: null },
    seedId: { type: String, default: null },
    publishedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export const boxVersionModel = defineModel<BoxVersionDoc>('BoxVersion', boxVersionSchema);

export const boxVersionIdOf = (boxId: Types.ObjectId, version: number) => `${boxId.toHexString()}:${version}`;

/**
 * What a version fixes: the items as drawn (ids, names, rarities, pictures, weights, order), their published
 * values and the guarantee. A value is published information the shopper buys on, as the odds are: changing it
 * while on sale is a new version, so every order's version says which values were shown when it was placed.
 */
export function oddsOf(box: Pick<BoxDoc, 'products' | 'guarantee'>): string {
  return JSON.stringify({
    products: box.products.map(({ productId, name, rarity, imageUrl, weight, valueFen }) => ({ productId, name, rarity, imageUrl, weight, valueFen: valueFen ?? null })),
    guarantee: box.guarantee ? { minRarity: box.guarantee.minRarity, within: box.guarantee.within } : null,
  });
}

export function boxVersions(db: Connection) {
  const Version = boxVersionModel(db);
  return {
    /** Records (or, for a version never sold, replaces) the published odds of `version`. */
    async publish(box: Pick<BoxDoc, '_id' | 'products' | 'guarantee'>, version: number, seedId: string | null, now = new Date()): Promise<void> {
      await Version.updateOne(
        { _id: boxVersionIdOf(box._id, version) },
        { $set: { boxId: box._id, version, products: box.products, guarantee: box.guarantee, seedId, publishedAt: now } },
        { upsert: true },
      );
    },
    byVersion: (boxId: Types.ObjectId, version: number) => Version.findById(boxVersionIdOf(boxId, version)).lean<BoxVersionDoc>(),
  };
}
