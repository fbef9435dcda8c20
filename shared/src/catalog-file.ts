import { z } from 'zod';
import { guaranteeRuleSchema, raritySchema } from './api';
import { MAX_SET_POSITIONS } from './constants';
import { MAX_FEN } from './money';

/** Slugs and item ids name files, URLs and fields of the stock counter (`items.<id>`): no dots, no `$`. */
export const CATALOG_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const catalogId = z.string().regex(CATALOG_ID_PATTERN, 'lower-case letters, digits and "-", at most 63');
/** Picture files are named relative to the box file; on import they are checked by their content (not this name) and stored in the served image store. */
const pictureFile = z.string().min(1).max(200).regex(/\.(svg|jpe?g|png|webp)$/i, 'a picture file: .jpg, .jpeg, .png, .webp or .svg');

/** A field of the other sale mode: named by its path with the reason, not as an unknown key of the object. */
const notIn = (message: string) => z.never({ error: message }).optional();

const itemFields = {
  id: catalogId,
  name: z.string().min(1).max(64),
  rarity: raritySchema,
  picture: pictureFile,
  /** What the 盒柜 collection shows until the shopper draws the item; a generic shape when absent. */
  silhouette: pictureFile.optional(),
  /**
   * 商品价值: what the item is worth on its own (its retail price), published before purchase as the national
   * blind-box guideline requires (compliance.ts). Optional here only so files written before the field still
   * read: an import refuses a new item without one and warns about an existing item without one.
   */
  valueFen: z.number().int().min(1).max(MAX_FEN).optional(),
};

export const catalogItemFileSchema = z
  .object({
    ...itemFields,
    /** Relative weight: the item's published odds are weight / total weight of the box's items still in stock. */
    weight: z.number().int().min(1).max(1_000_000),
    /** Units of this item when it is first imported; later changes go through `admin stock` (export writes what is left). */
    stock: z.number().int().min(0).max(1_000_000),
  })
  .strict();

/** A design of a whole-set series: once in every set (a SECRET design instead replaces one position of some sets). */
export const catalogDesignFileSchema = z
  .object({
    ...itemFields,
    weight: notIn('weight is for weighted boxes: in a whole-set box each design is once per set'),
    stock: notIn('stock is for weighted boxes: a whole-set box sells the positions of its sets (firstSets, then admin sets create)'),
  })
  .strict();

const boxFields = {
  slug: catalogId,
  name: z.string().min(1).max(64),
  description: z.string().max(500).default(''),
  priceFen: z.number().int().min(1).max(MAX_FEN),
  cover: pictureFile,
  /** Minutes an order stays payable; absent: the shop's ORDER_EXPIRY_MINUTES. */
  paymentWindowMinutes: z.number().int().min(2).max(120).optional(),
  /** Units one shopper may buy per drop; absent: the shop's PURCHASE_LIMIT_PER_BOX. */
  purchaseLimit: z.number().int().min(1).max(1000).optional(),
  /** Position in the catalog list (lower first). */
  sortOrder: z.number().int().min(0).max(1_000_000).default(0),
};

type Issues = z.core.$RefinementCtx;
/** Fields of a file that failed other checks may be anything: these run anyway (`when` below), so one pass lists every error. */
const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const fieldOf = (value: unknown, key: string): unknown => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined);
const anyObject = { when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null };

function refuseDuplicateIds(items: unknown[], context: Issues): void {
  const ids = items.map((item) => fieldOf(item, 'id'));
  ids.forEach((id, index) => {
    if (typeof id === 'string' && ids.indexOf(id) < index) context.addIssue({ code: 'custom', path: ['items', index, 'id'], message: `item id "${id}" appears twice` });
  });
}

/** The rarities of the items, or null while one of them is not a rarity (its own error says so). */
function raritiesOf(items: unknown[]): z.infer<typeof raritySchema>[] | null {
  const rarities = items.map((item) => raritySchema.safeParse(fieldOf(item, 'rarity')));
  return rarities.every((rarity) => rarity.success) ? rarities.map((rarity) => rarity.data) : null;
}

const rank = (rarity: z.infer<typeof raritySchema>) => raritySchema.options.indexOf(rarity);

/** A box of independent draws by weight (the default when a file names no `saleMode`). */
export const catalogWeightedBoxFileSchema = z
  .object({
    ...boxFields,
    saleMode: z.literal('WEIGHTED').optional(),
    guarantee: guaranteeRuleSchema.strict().optional(),
    items: z.array(catalogItemFileSchema).min(1).max(50),
    secretEvery: notIn('secretEvery is for whole-set boxes (saleMode: SETS)'),
    firstSets: notIn('firstSets is for whole-set boxes (saleMode: SETS)'),
  })
  .strict()
  .superRefine((box, context) => {
    const items = listOf(box.items);
    refuseDuplicateIds(items, context);
    const minRarity = raritySchema.safeParse(fieldOf(box.guarantee, 'minRarity'));
    const rarities = raritiesOf(items);
    if (minRarity.success && rarities && !rarities.some((rarity) => rank(rarity) >= rank(minRarity.data))) {
      context.addIssue({ code: 'custom', path: ['guarantee', 'minRarity'], message: `no item is ${minRarity.data} or rarer` });
    }
  }, anyObject);

/**
 * A whole-set box (端盒, sets/): every regular design once per set, and in 1 set of every `secretEvery` a SECRET
 * design replaces one position. The design list is fixed once the box's first set is made (its sets are
 * committed to it); `firstSets` sets are made when the box has none yet.
 */
export const catalogSetBoxFileSchema = z
  .object({
    ...boxFields,
    saleMode: z.literal('SETS'),
    /** 1 set of every N has a secret design in place of one position; absent: the series has no secret. */
    secretEvery: z.number().int().min(1).max(1000).optional(),
    /** Sets made (each committed before sale) when the box has none yet; export writes the sets still on sale. */
    firstSets: z.number().int().min(0).max(1000).default(0),
    items: z.array(catalogDesignFileSchema).min(1).max(50),
    guarantee: notIn('guarantee (保底) is for weighted boxes: whoever buys a whole set has the whole series'),
  })
  .strict()
  .superRefine((box, context) => {
    const items = listOf(box.items);
    refuseDuplicateIds(items, context);
    const rarities = raritiesOf(items);
    if (!rarities) return;
    const regular = rarities.filter((rarity) => rarity !== 'SECRET').length;
    if (regular < 1 || regular > MAX_SET_POSITIONS) {
      context.addIssue({ code: 'custom', path: ['items'], message: `a set has one position per design that is not SECRET: 1–${MAX_SET_POSITIONS} of them, not ${regular}` });
    }
    const secrets = rarities.length - regular;
    if (box.secretEvery !== undefined && secrets === 0) context.addIssue({ code: 'custom', path: ['secretEvery'], message: 'no SECRET design to replace a position with' });
    if (box.secretEvery === undefined && secrets > 0) context.addIssue({ code: 'custom', path: ['secretEvery'], message: `the series has ${secrets} SECRET design(s): say in how many sets one replaces a position (secretEvery)` });
  }, anyObject);

/** One box (series) per JSON or YAML file: what `admin box import` reads and `admin box export` writes. */
export const catalogBoxFileSchema = z.discriminatedUnion('saleMode', [catalogWeightedBoxFileSchema, catalogSetBoxFileSchema]);

export type CatalogItemFile = z.infer<typeof catalogItemFileSchema>;
export type CatalogDesignFile = z.infer<typeof catalogDesignFileSchema>;
export type CatalogWeightedBoxFile = z.infer<typeof catalogWeightedBoxFileSchema>;
export type CatalogSetBoxFile = z.infer<typeof catalogSetBoxFileSchema>;
export type CatalogBoxFile = z.infer<typeof catalogBoxFileSchema>;

export const isSetBoxFile = (box: CatalogBoxFile): box is CatalogSetBoxFile => box.saleMode === 'SETS';
