import { z } from 'zod';

/** POST /api/console/pictures: where the uploaded picture is served (detail size), and its list and share sizes. */
export const consolePictureUploadSchema = z.object({ imageUrl: z.string(), listUrl: z.string(), shareUrl: z.string() });
export type ConsolePictureUpload = z.infer<typeof consolePictureUploadSchema>;

const pictureUrl = z.string().regex(/^\/images\/[0-9a-f]{24}\.(svg|jpg|png)$/, '请先上传图片');

/**
 * A weighted box as the series editor shows and sends it: the catalog file's fields with uploaded pictures
 * (their /images URLs) in place of file paths. The server turns it into a catalog file and checks it with the
 * file's own schema, so the editor and `box import` take the same boxes.
 */
export const consoleBoxEditSchema = z.object({
  slug: z.string(),
  name: z.string(),
  description: z.string().default(''),
  priceFen: z.number().int(),
  coverUrl: pictureUrl,
  paymentWindowMinutes: z.number().int().nullable().default(null),
  purchaseLimit: z.number().int().nullable().default(null),
  guarantee: z.object({ minRarity: z.enum(['COMMON', 'RARE', 'EPIC', 'SECRET']), within: z.number().int() }).nullable().default(null),
  sortOrder: z.number().int().default(0),
  items: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      rarity: z.enum(['COMMON', 'RARE', 'EPIC', 'SECRET']),
      weight: z.number().int(),
      valueFen: z.number().int().nullable().default(null),
      imageUrl: pictureUrl,
      /** null: the item's stored silhouette (a new item: a generic shape). */
      silhouetteUrl: pictureUrl.nullable().default(null),
      /** Units of a new item; an item the box has keeps its count (the stock page changes it). */
      stock: z.number().int(),
    }),
  ),
});
export type ConsoleBoxEdit = z.infer<typeof consoleBoxEditSchema>;

/**
 * POST /catalog/boxes: `confirmVersion` must name the version a save would publish when it publishes one (a
 * box on sale whose odds change): the editor shows the diff first, as `box import` prints it.
 */
export const consoleBoxSaveSchema = z.object({ box: consoleBoxEditSchema, confirmVersion: z.number().int().optional() });

export const consoleStockChangeSchema = z.object({ itemId: z.string().min(1), add: z.number().int().refine((n) => n !== 0, '数量不能为 0') });

export const consoleBoxRowSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  priceFen: z.number(),
  coverUrl: z.string(),
  saleMode: z.enum(['WEIGHTED', 'SETS']),
  version: z.number(),
  active: z.boolean(),
  retired: z.boolean(),
  available: z.number(),
  items: z.number(),
});
export type ConsoleBoxRow = z.infer<typeof consoleBoxRowSchema>;
export const consoleBoxListSchema = z.object({ items: z.array(consoleBoxRowSchema) });

/** GET /catalog/boxes/:slug: the box as the editor edits it (null: a whole-set box, edited with catalog files). */
export const consoleBoxDetailSchema = z.object({ box: consoleBoxEditSchema.nullable(), version: z.number(), saleMode: z.enum(['WEIGHTED', 'SETS']) });

/** What a save would do (POST /catalog/boxes/plan) or did: the before / after the audit keeps. */
export const consoleBoxPlanSchema = z.object({
  slug: z.string(),
  action: z.enum(['create', 'update', 'new-version', 'unchanged']),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).and(z.object({ version: z.number() })),
  warnings: z.array(z.string()),
});
export type ConsoleBoxPlan = z.infer<typeof consoleBoxPlanSchema>;

export const consoleStockReportSchema = z.object({
  slug: z.string(),
  version: z.number(),
  available: z.number(),
  held: z.number(),
  sold: z.number(),
  items: z.array(z.object({ id: z.string(), name: z.string(), left: z.number(), drawn: z.number() })),
  history: z.array(z.object({ at: z.string(), actor: z.string(), command: z.string(), change: z.unknown() })),
});
export type ConsoleStockReport = z.infer<typeof consoleStockReportSchema>;

/** POST /catalog/import: the largest catalog zip taken (a few series of photographs fit many times over). */
export const CATALOG_ZIP_MAX_BYTES = 32 * 1024 * 1024;

/**
 * POST /catalog/import?apply=true&confirm=…: without `apply` the zip is only planned. `confirm` names the odds
 * versions the staff member read in the plan (`slug:version`, comma-separated, as the plan's `confirm` gives
 * it): an import that would publish a version not named is refused (VERSION_NOT_CONFIRMED).
 */
export const consoleCatalogImportQuerySchema = z.object({
  apply: z.enum(['true', 'false']).default('false').transform((apply) => apply === 'true'),
  confirm: z.string().max(10_000).default(''),
});

/** What an import of catalog files does (or, not applied, would do) to each box, and what applying must confirm. */
export const consoleCatalogImportSchema = z.object({
  applied: z.boolean(),
  boxes: z.array(consoleBoxPlanSchema),
  /** The odds versions this import publishes, as `confirm` must name them ('' when it publishes none). */
  confirm: z.string(),
});
export type ConsoleCatalogImport = z.infer<typeof consoleCatalogImportSchema>;
