import { z } from 'zod';
import { fenSchema } from './api';
import { hasUnsafeCharacters } from './safe-text';

/**
 * After-sales requests (售后): a shopper asks for help with one line of a delivered order, talks with customer
 * service in a thread, and the request ends resolved by a refund, a reshipment (补发) or a refusal with a reason.
 */

export const AFTERSALES_KINDS = ['DAMAGED', 'MISSING_ITEM', 'WRONG_ITEM', 'NOT_RECEIVED'] as const;
export const aftersalesKindSchema = z.enum(AFTERSALES_KINDS);
export type AftersalesKind = z.infer<typeof aftersalesKindSchema>;
export const AFTERSALES_KIND_LABELS: Record<AftersalesKind, string> = { DAMAGED: '商品破损', MISSING_ITEM: '少件漏发', WRONG_ITEM: '发错商品', NOT_RECEIVED: '未收到货' };

/**
 * OPEN (new, nobody has answered) → AWAITING_SHOPPER (staff asked something) ⇄ AWAITING_STAFF (the shopper
 * answered) → RESOLVED. RESOLVING: a refund chosen and being carried out (one step, healed if interrupted).
 */
export const AFTERSALES_STATUSES = ['OPEN', 'AWAITING_SHOPPER', 'AWAITING_STAFF', 'RESOLVING', 'RESOLVED'] as const;
export const aftersalesStatusSchema = z.enum(AFTERSALES_STATUSES);
export type AftersalesStatus = z.infer<typeof aftersalesStatusSchema>;
/** Every status but RESOLVED: the line has a request in progress and takes no second one. */
export const OPEN_AFTERSALES_STATUSES = ['OPEN', 'AWAITING_SHOPPER', 'AWAITING_STAFF', 'RESOLVING'] as const satisfies readonly AftersalesStatus[];
export const AFTERSALES_STATUS_LABELS: Record<AftersalesStatus, string> = {
  OPEN: '待客服处理',
  AWAITING_SHOPPER: '待你回复',
  AWAITING_STAFF: '待客服回复',
  RESOLVING: '处理中',
  RESOLVED: '已处理',
};

export const AFTERSALES_RESOLUTIONS = ['REFUND', 'RESHIP', 'REFUSE'] as const;
export const AFTERSALES_RESOLUTION_LABELS: Record<(typeof AFTERSALES_RESOLUTIONS)[number], string> = { REFUND: '退款', RESHIP: '补发', REFUSE: '不予处理' };

export const AFTERSALES_PHOTOS_MAX = 3;
export const AFTERSALES_TEXT_MAX = 500;
/** A thread long enough for any honest case; beyond it the shopper is asked to call (it also bounds the document). */
export const AFTERSALES_MESSAGES_MAX = 60;

/** Free text a person typed: trimmed, no control or bidi characters (safe-text.ts). */
const typedText = (min: number, tooShort: string) =>
  z
    .string()
    .trim()
    .min(min, tooShort)
    .max(AFTERSALES_TEXT_MAX, `最多 ${AFTERSALES_TEXT_MAX} 字`)
    .refine((text) => !hasUnsafeCharacters(text), '包含不支持的字符');

/** Photo ids from the image upload (media/); the server checks each is an upload of this shopper. */
const photoIdsSchema = z.array(z.string().min(1).max(64)).max(AFTERSALES_PHOTOS_MAX, `最多 ${AFTERSALES_PHOTOS_MAX} 张照片`).default([]);

export const createAftersalesRequestSchema = z.object({
  orderId: z.string().regex(/^[a-f0-9]{24}$/),
  itemIndex: z.number().int().min(0),
  kind: aftersalesKindSchema,
  description: typedText(5, '请至少用 5 个字描述问题'),
  photos: photoIdsSchema,
});
export type CreateAftersalesRequest = z.infer<typeof createAftersalesRequestSchema>;

export const aftersalesMessageRequestSchema = z.object({ text: typedText(1, '请输入内容'), photos: photoIdsSchema });
export type AftersalesMessageRequest = z.infer<typeof aftersalesMessageRequestSchema>;

export const aftersalesMessageSchema = z.object({
  from: z.enum(['SHOPPER', 'STAFF']),
  text: z.string(),
  photos: z.array(z.string()),
  at: z.iso.datetime({ offset: true }),
});

export const aftersalesResolutionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('REFUND'),
    amountFen: fenSchema,
    /** The refund's state at the payment channel (PENDING/PROCESSING until it confirms). */
    refundStatus: z.enum(['PENDING', 'PROCESSING', 'SUCCESS', 'CLOSED', 'ABNORMAL']).nullable(),
    note: z.string(),
    at: z.iso.datetime({ offset: true }),
  }),
  z.object({ kind: z.literal('RESHIP'), carrier: z.string(), carrierName: z.string(), trackingNo: z.string(), note: z.string(), at: z.iso.datetime({ offset: true }) }),
  z.object({ kind: z.literal('REFUSE'), reason: z.string(), at: z.iso.datetime({ offset: true }) }),
]);
export type AftersalesResolution = z.infer<typeof aftersalesResolutionSchema>;

/** One request as its shopper sees it. */
export const aftersalesViewSchema = z.object({
  id: z.string(),
  orderId: z.string(),
  itemIndex: z.number().int(),
  item: z.object({ name: z.string(), coverUrl: z.string(), quantity: z.number().int() }),
  kind: aftersalesKindSchema,
  description: z.string(),
  photos: z.array(z.string()),
  status: aftersalesStatusSchema,
  messages: z.array(aftersalesMessageSchema),
  /** RESOLVING: the refund chosen, on its way; RESOLVED: what was decided. */
  resolution: aftersalesResolutionSchema.nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type AftersalesView = z.infer<typeof aftersalesViewSchema>;
/** POST /api/aftersales/photos (the body is the photo's bytes): the id a request names, and where it is shown. */
export const aftersalesPhotoUploadSchema = z.object({ id: z.string(), url: z.string() });

export const aftersalesListSchema = z.object({ items: z.array(aftersalesViewSchema) });
