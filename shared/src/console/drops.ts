import { z } from 'zod';
import { saleModeSchema } from '../api';
import { consoleFenSchema, consoleIsoDate, consoleObjectId } from './common';

/** Minutes an order of a drop stays payable (as ORDER_EXPIRY_MINUTES), and units one shopper may buy per drop. */
export const DROP_PAYMENT_WINDOW_MINUTES = { min: 2, max: 120 } as const;
export const DROP_PURCHASE_LIMIT = { min: 1, max: 10_000 } as const;

/** ON_SALE: orderable now (a drop that opened, or a box never scheduled); SCHEDULED: opens at onSaleAt; CANCELLED: called off. */
export const DROP_STATES = ['ON_SALE', 'SCHEDULED', 'CANCELLED'] as const;
export const dropStateSchema = z.enum(DROP_STATES);
export type DropState = z.infer<typeof dropStateSchema>;

export const dropBoxSchema = z.object({
  boxId: consoleObjectId,
  slug: z.string(),
  name: z.string(),
  coverUrl: z.string(),
  priceFen: consoleFenSchema,
  saleMode: saleModeSchema,
  state: dropStateSchema,
  /** The latest scheduled opening (UTC ISO); null: never scheduled. */
  onSaleAt: consoleIsoDate.nullable(),
  dropCancelledAt: consoleIsoDate.nullable(),
  /** What orders of the box get now: the box's own terms where set, else the shop's defaults. */
  paymentWindowMinutes: z.number().int(),
  purchaseLimit: z.number().int(),
  /** Units for sale now (free positions of sets on sale, for a whole-set box). */
  available: z.number().int(),
});
export type DropBox = z.infer<typeof dropBoxSchema>;

export const dropListResponseSchema = z.object({ items: z.array(dropBoxSchema), serverTime: consoleIsoDate });
export type DropListResponse = z.infer<typeof dropListResponseSchema>;

export const scheduleDropRequestSchema = z.object({
  /** The opening, UTC ISO (the console's picker is in Beijing time); it must be later than the server's clock. */
  onSaleAt: consoleIsoDate,
  paymentWindowMinutes: z.number().int().min(DROP_PAYMENT_WINDOW_MINUTES.min, `付款时限至少 ${DROP_PAYMENT_WINDOW_MINUTES.min} 分钟`).max(DROP_PAYMENT_WINDOW_MINUTES.max, `付款时限最多 ${DROP_PAYMENT_WINDOW_MINUTES.max} 分钟`).optional(),
  purchaseLimit: z.number().int().min(DROP_PURCHASE_LIMIT.min, '每人限购至少 1 件').max(DROP_PURCHASE_LIMIT.max, `每人限购最多 ${DROP_PURCHASE_LIMIT.max} 件`).optional(),
});
export type ScheduleDropRequest = z.infer<typeof scheduleDropRequestSchema>;

/**
 * A drop as it happens, read from the stock counter and the holds its orders took (never from the order path):
 * refreshed every few seconds by the live page.
 */
export const liveDropSchema = z.object({
  box: dropBoxSchema,
  serverTime: consoleIsoDate,
  /** Units still for sale. */
  unitsLeft: z.number().int(),
  /** Units held for orders placed in this drop and not paid yet. */
  heldUnits: z.number().int(),
  /** Units of this drop's orders that were paid. */
  soldUnits: z.number().int(),
  /** Order lines of the box placed in this drop (paid, unpaid, expired or cancelled). */
  orders: z.number().int(),
  /** Orders placed in the last LIVE_DROP_RATE_SECONDS, per second. */
  ordersPerSecond: z.number(),
  /** When the last unit was paid, once nothing is left nor held; null while units remain. */
  soldOutAt: consoleIsoDate.nullable(),
  /** Orders placed and units paid per time bucket since the opening (oldest first). */
  series: z.array(z.object({ at: consoleIsoDate, orders: z.number().int(), soldUnits: z.number().int() })),
  bucketSeconds: z.number().int(),
});
export type LiveDrop = z.infer<typeof liveDropSchema>;

/** The window the live page's "orders per second" is measured over. */
export const LIVE_DROP_RATE_SECONDS = 10;
