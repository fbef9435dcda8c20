import { z } from 'zod';
import { addressInputSchema } from '../api';
import { EVENT_NOTIFICATION_KINDS, GRANT_STATES, NOTIFICATION_KINDS } from '../notifications';
import { orderStatusSchema } from '../order-status';
import { moneyStateSchema } from '../money-state';
import { consoleAuditEntrySchema } from './audit';
import { consoleFenSchema, consoleIsoDate, consoleObjectId, consolePageOf, consolePageQuerySchema } from './common';

/**
 * `q` is one number a shopper or a bill quotes; the server tells which by its shape and looks it up through the
 * index for it: an order id (24 hex), an out_trade_no, a WeChat transaction id (交易单号), an Alipay trade number,
 * an openid, or a phone number (11 digits, orders' shipping phone). Any of them with status/box/date filters.
 */
export const ORDER_SORTS = ['createdAt', 'paidAt'] as const;
export const orderSearchQuerySchema = consolePageQuerySchema.extend({
  q: z.string().trim().max(128).optional(),
  status: orderStatusSchema.optional(),
  boxId: consoleObjectId.optional(),
  /** Beijing days, inclusive, on `sort`'s field (createdAt or paidAt). */
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  sort: z.enum(ORDER_SORTS).default('createdAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
});
export type OrderSearchQuery = z.infer<typeof orderSearchQuerySchema>;

export const channelNameSchema = z.enum(['wechatpay', 'alipay']);

export const orderRowSchema = z.object({
  id: consoleObjectId,
  status: orderStatusSchema,
  totalFen: consoleFenSchema,
  /** Confirmed + requested refunds (not failed). */
  refundedFen: consoleFenSchema,
  units: z.number().int(),
  /** First item's name (+ "等 N 件" is the web's business). */
  title: z.string(),
  openid: z.string(),
  /** Shipping name and phone as the shopper typed them: text, never markup. */
  receiverName: z.string(),
  receiverPhone: z.string(),
  channel: channelNameSchema.nullable(),
  outTradeNo: z.string().nullable(),
  transactionId: z.string().nullable(),
  trackingNo: z.string().nullable(),
  createdAt: consoleIsoDate,
  paidAt: consoleIsoDate.nullable(),
});
export type OrderRow = z.infer<typeof orderRowSchema>;
export const orderSearchResponseSchema = consolePageOf(orderRowSchema);

export const refundStatusSchema = z.enum(['PENDING', 'PROCESSING', 'SUCCESS', 'CLOSED', 'ABNORMAL']);
export const orderRefundSchema = z.object({
  outRefundNo: z.string(),
  channel: channelNameSchema,
  transactionId: z.string(),
  outTradeNo: z.string(),
  amountFen: consoleFenSchema,
  /** Partial refund by unit: which lines and how many units of each. */
  units: z.array(z.object({ itemIndex: z.number().int(), quantity: z.number().int() })).nullable(),
  reason: z.string(),
  status: refundStatusSchema,
  requestedAt: consoleIsoDate,
  completedAt: consoleIsoDate.nullable(),
  /** Who asked for it (`staff:<name>`, `admin:<name>`, `system`). */
  actor: z.string().nullable(),
});

/**
 * What the shopper was told of the order by subscribe message (订阅消息): each event (its shipment, each refund that
 * succeeded) with the state of the message sent on it, null when no grant was open then (or the kind is off); and
 * the grants the shopper still has open, per kind ("why did I hear nothing?").
 */
export const orderNoticesSchema = z.object({
  events: z.array(z.object({ kind: z.enum(NOTIFICATION_KINDS), ref: z.string(), state: z.enum(GRANT_STATES).nullable(), sentAt: consoleIsoDate.nullable(), error: z.string().nullable() })),
  openGrants: z.record(z.enum(EVENT_NOTIFICATION_KINDS), z.number().int()),
  /** Kinds the shop does not send now (no template configured, NOTIFY_TEMPLATE_*). */
  off: z.array(z.enum(NOTIFICATION_KINDS)),
});
export type OrderNotices = z.infer<typeof orderNoticesSchema>;

export const orderDetailSchema = orderRowSchema.extend({
  subtotalFen: consoleFenSchema,
  discountFen: consoleFenSchema,
  couponId: consoleObjectId.nullable(),
  expiresAt: consoleIsoDate,
  address: z.object({ name: z.string(), phone: z.string(), region: z.string(), detail: z.string() }),
  items: z.array(
    z.object({
      index: z.number().int(),
      boxId: consoleObjectId,
      name: z.string(),
      priceFen: consoleFenSchema,
      quantity: z.number().int(),
      /** Units of this line already refunded by unit. */
      refundedUnits: z.number().int(),
    }),
  ),
  draws: z.array(
    z.object({
      unitIndex: z.number().int(),
      itemIndex: z.number().int(),
      name: z.string(),
      rarity: z.string(),
      imageUrl: z.string(),
      /** The public verify page of this draw's proof (relative to the shop's origin), null before the draw. */
      proofUrl: z.string().nullable(),
    }),
  ),
  payment: z.object({
    channel: channelNameSchema.nullable(),
    attemptCount: z.number().int(),
    current: z.object({ outTradeNo: z.string(), channel: channelNameSchema, kind: z.string(), createdAt: consoleIsoDate, timeExpire: consoleIsoDate }).nullable(),
    transactionId: z.string().nullable(),
    outTradeNo: z.string().nullable(),
    payerOpenid: z.string().nullable(),
    successTime: consoleIsoDate.nullable(),
    extraTransactionIds: z.array(z.string()),
    combinedId: consoleObjectId.nullable(),
  }),
  refunds: z.array(orderRefundSchema),
  /** What is left to give back: paid − every refund not failed. Units: per line, what is left to refund by unit. */
  refundable: z.object({ amountFen: consoleFenSchema, units: z.array(z.object({ itemIndex: z.number().int(), quantity: z.number().int(), unitFen: consoleFenSchema })) }),
  notices: orderNoticesSchema,
  /** The order's own state changes. */
  history: z.array(z.object({ from: orderStatusSchema.nullable(), to: orderStatusSchema, reason: z.string(), actor: z.string(), at: consoleIsoDate })),
  /** Staff/admin changes to this order (the shared audit, target `order:<id>`). */
  audit: z.array(consoleAuditEntrySchema),
  shipping: z
    .object({
      trackingNo: z.string(),
      expressCompany: z.string(),
      shippedAt: consoleIsoDate,
      uploadStatus: z.enum(['PENDING', 'UPLOADED']),
      attempts: z.number().int(),
      lastError: z.string().nullable(),
      uploadedAt: consoleIsoDate.nullable(),
      /** When the carrier delivered the parcel (staff or a carrier update said so). */
      receivedAt: consoleIsoDate.nullable(),
      /** WeChat's receipt reminder (notify_confirm_receive): owed, sent, refused; null when none is owed. */
      reminderStatus: z.enum(['PENDING', 'SENT', 'FAILED']).nullable(),
      remindedAt: consoleIsoDate.nullable(),
      reminderError: z.string().nullable(),
    })
    .nullable(),
  /** Where the money stands: WeChat holds a mini-program payment until the receipt, then settles it. */
  money: z.object({
    state: moneyStateSchema,
    /** A mini-program payment under WeChat's shipping-information management. */
    heldByWechat: z.boolean(),
    settlementEstimatedAt: consoleIsoDate.nullable(),
    receiptConfirmedAt: consoleIsoDate.nullable(),
    /** As WeChat numbers it: 1 automatically, 2 by the shopper. */
    receiptConfirmMethod: z.number().int().nullable(),
    settledAt: consoleIsoDate.nullable(),
  }),
  /** The actions the order's state allows now (the role is checked separately: see me.permissions). */
  allowed: z.object({ refund: z.boolean(), ship: z.boolean(), cancel: z.boolean(), reconcile: z.boolean(), markReceived: z.boolean(), readdress: z.boolean() }),
});
export type OrderDetail = z.infer<typeof orderDetailSchema>;

/** GET /orders/:id/channel: the payment channel's live answer (asked on demand: it is a call to WeChat/Alipay). */
export const orderChannelViewSchema = z.object({
  channel: channelNameSchema.nullable(),
  outTradeNo: z.string().nullable(),
  tradeState: z.string().nullable(),
  transactionId: z.string().nullable(),
  amountFen: z.number().int().nullable(),
  successTime: consoleIsoDate.nullable(),
  /** The channel could not be asked (timeout, error): its message. */
  error: z.string().nullable(),
  refunds: z.array(z.object({ outRefundNo: z.string(), status: z.string().nullable(), error: z.string().nullable() })),
});
export type OrderChannelView = z.infer<typeof orderChannelViewSchema>;

export const reconcileResponseSchema = z.object({ before: orderStatusSchema, after: orderStatusSchema, steps: z.array(z.string()) });

export const REFUND_REASON_MAX = 80;
export const refundRequestSchema = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('units'),
    units: z.array(z.object({ itemIndex: z.number().int().min(0), quantity: z.number().int().min(1) })).min(1, '请选择要退款的件数'),
    reason: z.string().trim().min(1, '请填写退款原因').max(REFUND_REASON_MAX),
  }),
  z.object({
    mode: z.literal('amount'),
    amountFen: z.number().int().min(1, '退款金额至少 0.01 元'),
    reason: z.string().trim().min(1, '请填写退款原因').max(REFUND_REASON_MAX),
  }),
  /** Everything still refundable (the former full refund). */
  z.object({ mode: z.literal('full'), reason: z.string().trim().min(1, '请填写退款原因').max(REFUND_REASON_MAX) }),
]);
export type RefundRequest = z.infer<typeof refundRequestSchema>;

/** Answer of refund, ship, cancel: the order as it is now. */
export const orderActionResponseSchema = z.object({ order: orderDetailSchema });

/** POST /orders/:id/received: when the carrier delivered the parcel (default: now). */
export const receivedRequestSchema = z.object({ receivedAt: z.iso.datetime({ offset: true }).optional() });

export const shipRequestSchema = z.object({
  trackingNo: z.string().trim().min(4, '运单号至少 4 位').max(32).regex(/^[A-Za-z0-9-]+$/, '运单号只能包含字母、数字和横线'),
  /** A code from SHIPPING_CARRIERS. */
  carrier: z.string().trim().min(1).max(16),
});
export type ShipRequest = z.infer<typeof shipRequestSchema>;

export const cancelRequestSchema = z.object({ reason: z.string().trim().min(1, '请填写取消原因').max(REFUND_REASON_MAX) });

/** POST /orders/:id/address: where an order not yet shipped goes instead (a shopper who moved asks customer service), and why. */
export const staffAddressRequestSchema = z.object({ address: addressInputSchema, reason: z.string().trim().min(1, '请填写修改原因').max(REFUND_REASON_MAX) });
export type StaffAddressRequest = z.infer<typeof staffAddressRequestSchema>;
