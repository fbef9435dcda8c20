import { z } from 'zod';
import { guaranteeRuleSchema, raritySchema } from './api';
import { MAX_FEN } from './money';

/** Slugs and item ids name files, URLs and fields of the stock counter (`items.<id>`): no dots, no `$`. */
export const CATALOG_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const catalogId = z.string().regex(CATALOG_ID_PATTERN, 'lower-case letters, digits and "-", at most 63');
/** Picture files are named relative to the box file; they are copied into the served image store on import. */
const pictureFile = z.string().min(1).max(200).regex(/\.svg$/i, 'an .svg file');

export const catalogItemFileSchema = z
  .object({
    id: catalogId,
    name: z.string().min(1).max(64),
    rarity: raritySchema,
    /** Relative weight: the item's published odds are weight / total weight of the box's items still in stock. */
    weight: z.number().int().min(1).max(1_000_000),
    picture: pictureFile,
    /** What the 盒柜 collection shows until the shopper draws the item; a generic shape when absent. */
    silhouette: pictureFile.optional(),
    /** Units of this item when it is first imported; later changes go through `admin stock` (export writes what is left). */
    stock: z.number().int().min(0).max(1_000_000),
  })
  .strict();

/** One box (series) per JSON or YAML file: what `admin box import` reads and `admin box export` writes. */
export const catalogBoxFileSchema = z
  .object({
    slug: catalogId,
    name: z.string().min(1).max(64),
    description: z.string().max(500).default(''),
    priceFen: z.number().int().min(1).max(MAX_FEN),
    cover: pictureFile,
    /** Minutes an order stays payable; absent: the shop's ORDER_EXPIRY_MINUTES. */
    paymentWindowMinutes: z.number().int().min(2).max(120).optional(),
    /** Units one shopper may buy per drop; absent: the shop's PURCHASE_LIMIT_PER_BOX. */
    purchaseLimit: z.number().int().min(1).max(1000).optional(),
    guarantee: guaranteeRuleSchema.strict().optional(),
    /** Position in the catalog list (lower first). */
    sortOrder: z.number().int().min(0).max(1_000_000).default(0),
    items: z.array(catalogItemFileSchema).min(1).max(50),
  })
  .strict()
  .superRefine(
    (box, context) => {
      // Runs even when other fields are invalid (`when` below), so one pass lists every error: fields may be anything.
      const items: unknown[] = Array.isArray(box.items) ? box.items : [];
      const ids = items.map((item) => (typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined));
      ids.forEach((id, index) => {
        if (typeof id === 'string' && ids.indexOf(id) < index) context.addIssue({ code: 'custom', path: ['items', index, 'id'], message: `item id "${id}" appears twice` });
      });
      const guarantee = box.guarantee as { minRarity?: unknown } | undefined;
      const minRarity = raritySchema.safeParse(guarantee?.minRarity);
      const rarities = items.map((item) => raritySchema.safeParse((item as { rarity?: unknown } | null)?.rarity));
      if (minRarity.success && rarities.every((rarity) => rarity.success) && !rarities.some((rarity) => rank(rarity.data) >= rank(minRarity.data))) {
        context.addIssue({ code: 'custom', path: ['guarantee', 'minRarity'], message: `no item is ${minRarity.data} or rarer` });
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

const rank = (rarity: z.infer<typeof raritySchema> | undefined) => (rarity === undefined ? -1 : raritySchema.options.indexOf(rarity));

export type CatalogItemFile = z.infer<typeof catalogItemFileSchema>;
export type CatalogBoxFile = z.infer<typeof catalogBoxFileSchema>;
