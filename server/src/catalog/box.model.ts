import { Schema, type Types } from 'mongoose';
import { RARITIES, SALE_MODES, type GuaranteeRule, type Rarity, type SaleMode } from '@blindbox/shared';
import { defineModel } from '../db/define-model';

export interface BoxProductDoc {
  productId: string;
  name: string;
  rarity: Rarity;
  imageUrl: string;
  /** Relative weight; the published odds are weight / total weight of the box. */
  weight: number;
  /**
   * 商品价值 in fen, published before purchase; null or absent on items stored before values were kept (the
   * shop shows them as not published and `admin doctor` lists the box until an import sets them).
   */
  valueFen?: number | null;
}

export interface BoxDoc {
  _id: Types.ObjectId;
  slug: string;
  name: string;
  description: string;
  coverUrl: string;
  priceFen: number;
  products: BoxProductDoc[];
  /** Units one shopper may buy per drop; null: the shop's default (config PURCHASE_LIMIT_PER_BOX). */
  purchaseLimit: number | null;
  /** Minutes an order of this box stays payable; null: config ORDER_EXPIRY_MINUTES. A drop sets it short. */
  paymentWindowMinutes: number | null;
  /** Names the current drop: per-shopper limits count per drop, so a new drop starts them again. */
  dropKey: string;
  /** A scheduled drop: orders are refused before this moment by the server's clock; null: on sale now. */
  onSaleAt: Date | null;
  /** Set when the scheduled drop was called off: not on sale until a new drop is scheduled. */
  dropCancelledAt: Date | null;
  /** 保底: at least one item of rarity ≥ minRarity within `within` consecutive draws by one shopper; null: none. */
  guarantee: GuaranteeRule | null;
  /** WEIGHTED (independent draws) or SETS: committed whole sets of positions (sets/). Absent on boxes stored before sets. */
  saleMode?: SaleMode;
  /** SETS only: in 1 of every `secretEvery` sets a secret design replaces one position; null: never. */
  setRules?: { secretEvery: number | null } | null;
  sortOrder: number;
  active: boolean;
  /**
   * The version of `products` and `guarantee` on sale (catalog/box-versions.ts): while the box is on sale they
   * never change in place; an import that changes them publishes version + 1 with a seed of its own.
   */
  version: number;
  /** `admin box retire`: no new orders (BOX_RETIRED), no longer listed; paid orders are still served. */
  retiredAt: Date | null;
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
    valueFen: { type: Number, default: null, min: 1, validate: (value: number | null) => value === null || Number.isInteger(value) },
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
    products: { type: [productSchema], validate: (products: unknown[]) => products.length > 0 },
    purchaseLimit: { type: Number, default: null, min: 1, validate: (value: number | null) => value === null || Number.isInteger(value) },
    paymentWindowMinutes: { type: Number, default: null, min: 2, max: 120, validate: (value: number | null) => value === null || Number.isInteger(value) },
    dropKey: { type: String, default: 'first' },
    onSaleAt: { type: Date, default: null },
    dropCancelledAt: { type: Date, default: null },
    guarantee: {
      type: new Schema<GuaranteeRule>(
        { minRarity: { type: String, enum: RARITIES, required: true }, within: { type: Number, required: true, min: 1, validate: Number.isInteger } },
        { _id: false },
      ),
      default: null,
    },
    saleMode: { type: String, enum: SALE_MODES, default: 'WEIGHTED' },
    setRules: {
      type: new Schema({ secretEvery: { type: Number, default: null, min: 1, validate: (value: number | null) => value === null || Number.isInteger(value) } }, { _id: false }),
      default: null,
    },
    sortOrder: { type: Number, default: 0 },
    active: { type: Boolean, default: true },
    version: { type: Number, default: 1, min: 1 },
    retiredAt: { type: Date, default: null },
  },
  { timestamps: true },
);
boxSchema.index({ active: 1, sortOrder: 1 });

export const boxModel = defineModel<BoxDoc>('Box', boxSchema);
