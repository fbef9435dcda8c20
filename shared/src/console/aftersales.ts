import { z } from 'zod';
import { aftersalesKindSchema, aftersalesStatusSchema, aftersalesViewSchema, AFTERSALES_TEXT_MAX } from '../aftersales';
import { hasUnsafeCharacters } from '../safe-text';
import { orderStatusSchema } from '../order-status';
import { consoleAuditEntrySchema } from './audit';
import { consoleFenSchema, consoleIsoDate, consoleObjectId, consolePageOf, consolePageQuerySchema } from './common';
import { REFUND_REASON_MAX, shipRequestSchema } from './orders';

/** The queue: requests in progress (the longest waiting first) or those resolved (the latest first). */
export const aftersalesQueueQuerySchema = consolePageQuerySchema.extend({ state: z.enum(['open', 'resolved']).default('open') });
export type AftersalesQueueQuery = z.infer<typeof aftersalesQueueQuerySchema>;

export const aftersalesRowSchema = z.object({
  id: consoleObjectId,
  orderId: consoleObjectId,
  itemName: z.string(),
  kind: aftersalesKindSchema,
  status: aftersalesStatusSchema,
  /** The first words of the shopper's description. */
  summary: z.string(),
  messages: z.number().int(),
  createdAt: consoleIsoDate,
  updatedAt: consoleIsoDate,
});
export type AftersalesRow = z.infer<typeof aftersalesRowSchema>;
export const aftersalesQueueResponseSchema = consolePageOf(aftersalesRowSchema);

/** One request for staff: the shopper's view, the order around it, what may be refunded, and the staff audit. */
export const aftersalesDetailSchema = aftersalesViewSchema.extend({
  order: z.object({
    status: orderStatusSchema,
    totalFen: consoleFenSchema,
    receiverName: z.string(),
    receiverPhone: z.string(),
    trackingNo: z.string().nullable(),
    /** The largest refund this request may give: the line's share of what was paid, at most what is left. */
    refundCapFen: consoleFenSchema,
  }),
  /** Who wrote each staff message, in the same order as `messages` (null for the shopper's). */
  messageActors: z.array(z.string().nullable()),
  audit: z.array(consoleAuditEntrySchema),
  allowed: z.object({ reply: z.boolean(), resolve: z.boolean() }),
});
export type AftersalesDetail = z.infer<typeof aftersalesDetailSchema>;

export const aftersalesReplySchema = z.object({
  text: z
    .string()
    .trim()
    .min(1, '请输入回复内容')
    .max(AFTERSALES_TEXT_MAX, `最多 ${AFTERSALES_TEXT_MAX} 字`)
    .refine((text) => !hasUnsafeCharacters(text), '包含不支持的字符'),
});
export type AftersalesReply = z.infer<typeof aftersalesReplySchema>;

const noteSchema = z.string().trim().max(REFUND_REASON_MAX).default('');

/**
 * How staff close a request. A refund names its amount in fen (typed by staff, checked by the server against
 * the request's cap, from the database); a reshipment is tracked like a shipment (carrier and tracking number).
 */
export const aftersalesResolveRequestSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('REFUND'), amountFen: z.number().int().min(1, '退款金额至少 0.01 元'), note: noteSchema }),
  z.object({ kind: z.literal('RESHIP'), carrier: shipRequestSchema.shape.carrier, trackingNo: shipRequestSchema.shape.trackingNo, note: noteSchema }),
  z.object({ kind: z.literal('REFUSE'), reason: z.string().trim().min(2, '请填写不予处理的原因').max(REFUND_REASON_MAX) }),
]);
export type AftersalesResolveRequest = z.infer<typeof aftersalesResolveRequestSchema>;

export const aftersalesActionResponseSchema = z.object({ request: aftersalesDetailSchema });
