import { z } from 'zod';
import { consoleIsoDate, consoleObjectId, consolePageOf } from './common';

/** WeChat's delivery_id codes (物流公司编码) for the carriers a small shop uses; the upload sends the code. */
export const SHIPPING_CARRIERS = [
  { code: 'SF', name: '顺丰速运' },
  { code: 'ZTO', name: '中通快递' },
  { code: 'YTO', name: '圆通速递' },
  { code: 'STO', name: '申通快递' },
  { code: 'YD', name: '韵达速递' },
  { code: 'JTSD', name: '极兔速递' },
  { code: 'EMS', name: 'EMS' },
  { code: 'JD', name: '京东快递' },
  { code: 'DBL', name: '德邦快递' },
] as const;
export const SHIPPING_CARRIER_CODES: readonly string[] = SHIPPING_CARRIERS.map((carrier) => carrier.code);

/** A carrier's name as staff and shoppers read it; a code not in the list shows as itself. */
export const carrierNameOf = (code: string): string => SHIPPING_CARRIERS.find((carrier) => carrier.code === code)?.name ?? code;

/** GET /shipping/carriers: the carriers offered, and the one used when a shipment names none (SHIPPING_EXPRESS_COMPANY). */
export const shippingCarriersResponseSchema = z.object({ items: z.array(z.object({ code: z.string(), name: z.string() })), defaultCarrier: z.string() });

export const toShipRowSchema = z.object({
  id: consoleObjectId,
  paidAt: consoleIsoDate,
  totalFen: z.number().int(),
  /** As the shopper typed them: text. */
  address: z.object({ name: z.string(), phone: z.string(), region: z.string(), detail: z.string() }),
  items: z.array(z.object({ name: z.string(), quantity: z.number().int() })),
  draws: z.array(z.object({ name: z.string(), rarity: z.string() })),
});
export const toShipResponseSchema = consolePageOf(toShipRowSchema);

/**
 * POST /shipping/import: CSV text with a header row `order_id,tracking_no,carrier` (carrier optional: the default
 * carrier). All rows are checked first; if any is wrong nothing is applied and every error is listed by row.
 */
export const SHIPPING_IMPORT_MAX_ROWS = 500;
export const shippingImportRequestSchema = z.object({
  csv: z.string().min(1, 'CSV 为空').max(200_000, 'CSV 过大'),
  /** Check only, apply nothing. */
  dryRun: z.boolean().default(false),
});
export const shippingImportResponseSchema = z.object({
  /** false when any row was refused (then nothing was applied). */
  ok: z.boolean(),
  rows: z.number().int(),
  applied: z.number().int(),
  /** row = the CSV line number (the header is line 1). */
  errors: z.array(z.object({ row: z.number().int(), orderId: z.string().nullable(), message: z.string() })),
});
export type ShippingImportResponse = z.infer<typeof shippingImportResponseSchema>;

export const SHIPPING_UPLOAD_STATES = ['PENDING', 'UPLOADED'] as const;
export const shippingUploadQuerySchema = z.object({
  status: z.enum(SHIPPING_UPLOAD_STATES).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export const shippingUploadRowSchema = z.object({
  orderId: consoleObjectId,
  outTradeNo: z.string(),
  trackingNo: z.string(),
  expressCompany: z.string(),
  shippedAt: consoleIsoDate,
  status: z.enum(SHIPPING_UPLOAD_STATES),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  uploadedAt: consoleIsoDate.nullable(),
});
export const shippingUploadsResponseSchema = consolePageOf(shippingUploadRowSchema);

/** GET /shipping/reminders: what WeChat's message push asked of the shop (upload shipping info, connect the API), open ones. */
export const platformReminderRowSchema = z.object({
  id: z.string(),
  event: z.enum(['trade_manage_remind_shipping', 'trade_manage_remind_access_api']),
  orderId: consoleObjectId.nullable(),
  outTradeNo: z.string().nullable(),
  message: z.string(),
  pushedAt: consoleIsoDate,
});
export type PlatformReminderRow = z.infer<typeof platformReminderRowSchema>;
export const platformRemindersResponseSchema = z.object({ items: z.array(platformReminderRowSchema) });
