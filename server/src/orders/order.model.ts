import { Schema, type Types } from 'mongoose';
import { ORDER_STATUSES, RARITIES, type GuaranteeRule, type OrderStatus, type Rarity } from '@blindbox/shared';
import { defineModel } from '../db/define-model';

export interface OrderProductSnapshot {
  productId: string;
  name: string;
  rarity: Rarity;
  imageUrl: string;
  weight: number;
  /** The item's published value when the order was placed; absent on older orders. */
  valueFen?: number | null;
}

/** The box as it was sold: later catalog edits never change an order. */
export interface OrderItemDoc {
  boxId: Types.ObjectId;
  name: string;
  coverUrl: string;
  priceFen: number;
  quantity: number;
  /** The drop this line was bought in: its units count toward the shopper's limit for that drop. */
  dropKey: string;
  products: OrderProductSnapshot[];
  /** The box's guarantee (保底) as sold; null when it has none. */
  guarantee: GuaranteeRule | null;
  /** The box's server seed when the order was placed (its hash was public then): the draws use it. */
  seedId: string;
  /** That seed's commitment, named in the order's answer before it is paid; absent on older orders. */
  seedHash?: string;
  /** The box version (catalog/box-versions.ts) `products` and `guarantee` are a snapshot of; absent on older orders. */
  boxVersion?: number;
  /** A whole-set box (sets/): the set and positions this line holds; its draws are those positions' designs. */
  setPick?: SetPickDoc | null;
}

export interface SetPickDoc {
  setId: Types.ObjectId;
  number: number;
  positions: number[];
}

/** What a unit's draw was computed from (with the order's clientSeed, id and item snapshot): enough to recompute it. */
export interface DrawProofDoc {
  unitIndex: number;
  /** `<boxId>:<generation>` of the server seed; its hash was public before the draw. */
  seedId: string;
  serverSeedHash: string;
  missesBefore: number;
  /** Products that had run out when the unit was drawn (they took no tickets); absent on draws before per-item stock. */
  exhausted?: string[];
  forced: boolean;
  drawnAt: Date;
  /**
   * Message version 2 (docs/fairness.md): the line's sequence number for this shopper and box, the unit's place
   * in its line, and the shopper's name in the box's public log. Absent: version 1 (the order id and `unitIndex`).
   */
  messageVersion?: 2;
  nonce?: number;
  unit?: number;
  shopperTag?: string;
}

export interface DrawDoc {
  boxId: Types.ObjectId;
  productId: string;
  name: string;
  rarity: Rarity;
  imageUrl: string;
  proof: DrawProofDoc | null;
  /** A whole-set box: where the design came from, and the set's commitment (published before the sale). */
  set?: { setId: Types.ObjectId; number: number; position: number; commitment: string } | null;
}

export interface AuditEntryDoc {
  from: OrderStatus | null;
  to: OrderStatus;
  reason: string;
  actor: string;
  at: Date;
}

export type PaymentKind = 'JSAPI' | 'NATIVE' | 'PAGE';
export const CHANNEL_NAMES = ['wechatpay', 'alipay'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/** One channel transaction opened for this order; a new one gets a new out_trade_no. */
export interface PaymentAttemptDoc {
  outTradeNo: string;
  /** Where the transaction lives: query, close and reconciliation go there. Absent on attempts made before Alipay. */
  channel?: ChannelName;
  kind: PaymentKind;
  /** Sent as time_expire; kept so a retried prepay sends exactly the same content. */
  timeExpire: Date;
  createdAt: Date;
  prepayId: string | null;
  codeUrl: string | null;
}

export interface PaymentDoc {
  attemptCount: number;
  /** The attempt that may still be paid; older ones were closed at WeChat before it was opened. */
  current: PaymentAttemptDoc | null;
  transactionId: string | null;
  outTradeNo: string | null;
  /** The channel of the transaction that paid the order (absent: WeChat, before Alipay). */
  channel?: ChannelName | null;
  payerOpenid: string | null;
  successTime: Date | null;
  /** The transaction exactly as WeChat reported it, kept for audit. */
  rawTransaction: Record<string, unknown> | null;
  /** Other transactions that also paid this order (e.g. a second attempt paid too): all refunded. */
  extraTransactionIds: string[];
  /** When reconciliation last asked WeChat about the open attempt, so each run moves on to others. */
  lastCheckedAt?: Date | null;
  /**
   * The combined payment (payments/combined-payment.model.ts) this unpaid order is part of, at most one and
   * never together with an open attempt of its own (`current`). Kept once the order is paid: it paid the
   * order when transactionTotalFen is set too.
   */
  combinedId?: Types.ObjectId | null;
  /** amount.total of the transaction that paid the order when it paid several orders (absent: totalFen). */
  transactionTotalFen?: number | null;
}

export interface RefundDoc {
  outRefundNo: string;
  /** The channel the refunded transaction was paid on (absent: WeChat, before Alipay). */
  channel?: ChannelName;
  transactionId: string;
  outTradeNo: string;
  amountFen: number;
  /** amount.total of the refunded transaction when it paid more than this order (absent: amountFen). */
  totalFen?: number;
  reason: string;
  status: 'PENDING' | 'PROCESSING' | 'SUCCESS' | 'CLOSED' | 'ABNORMAL';
  requestedAt: Date;
  completedAt: Date | null;
  /** A partial refund by unit: which lines, how many units of each (absent: by amount, or the whole order). */
  units?: Array<{ itemIndex: number; quantity: number }> | null;
  /** Who asked for it (`staff:<name>`, `admin:<name>`, `system`); absent on refunds before the console. */
  actor?: string | null;
  /** What asked for it when that must refund once only (`aftersales:<id>`): asking again finds this one. */
  requestKey?: string | null;
}

export interface OrderDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  openid: string;
  status: OrderStatus;
  items: OrderItemDoc[];
  subtotalFen: number;
  discountFen: number;
  totalFen: number;
  address: { name: string; phone: string; region: string; detail: string };
  couponId: Types.ObjectId | null;
  expiresAt: Date;
  paidAt: Date | null;
  /** The shopper's client seed when the order was placed: an input of every draw of the order. */
  clientSeed: string;
  /** The shopper's day (Asia/Shanghai) whose spend and draw limits this order counts toward. */
  limitDay: string;
  draws: DrawDoc[];
  trackingNote: string | null;
  payment: PaymentDoc;
  refunds: RefundDoc[];
  /**
   * Of the order's own payment, the fen every refund requested so far holds: each new refund is added by a
   * write guarded on the value read (payments/refund.service.ts), so concurrent refunds never exceed what was
   * paid. Absent: no refund of the order's own payment yet.
   */
  refundReservedFen?: number;
  /** When a refund record was last added (never cleared): the dashboard finds recent refunds by it, through its index. */
  lastRefundAt?: Date | null;
  /**
   * Set whenever a refund record is added, cleared by the refund job once none is outstanding: a top-level
   * scalar the refund sweep finds through an index (a query on refunds.status would scan every order).
   */
  refundCheckAt: Date | null;
  /** Set once stock and coupon went back after a close, so the sweep knows nothing is left to release. */
  releasedAt: Date | null;
  /** Set by the close, cleared with releasedAt: the expiry sweep finds interrupted releases by it. */
  releaseDueAt: Date | null;
  /**
   * Set by the paid-and-drawn write, cleared once what follows it is done (holds kept, draws in the public log):
   * that part runs after the channel's answer, and the expiry sweep finds by it what a crash cut short
   * (payments/apply-payment.ts). Absent on orders paid before, read as null.
   */
  settleDueAt?: Date | null;
  /** When reconciliation should next ask WeChat about the open attempt (grace after prepay, then spaced). */
  reconcileAt: Date | null;
  /**
   * WeChat's trade management (shipping/message-push.service.ts): when it expects to release the money (sent once
   * shipping is complete), when the receipt was confirmed and how (1 auto, 2 by the shopper, as WeChat numbers
   * them), and when it settled. All null until WeChat says so; absent on orders before 0.x, read as null.
   */
  settlementEstimatedAt?: Date | null;
  receiptConfirmedAt?: Date | null;
  receiptConfirmMethod?: number | null;
  settledAt?: Date | null;
  audit: AuditEntryDoc[];
  createdAt: Date;
  updatedAt: Date;
}

const objectId = Schema.Types.ObjectId;

const productSnapshotSchema = new Schema<OrderProductSnapshot>(
  { productId: String, name: String, rarity: { type: String, enum: RARITIES }, imageUrl: String, weight: Number, valueFen: { type: Number, default: null } },
  { _id: false },
);

const itemSchema = new Schema<OrderItemDoc>(
  {
    boxId: { type: objectId, required: true },
    name: { type: String, required: true },
    coverUrl: { type: String, required: true },
    priceFen: { type: Number, required: true },
    quantity: { type: Number, required: true },
    dropKey: { type: String, default: 'first' },
    products: [productSnapshotSchema],
    guarantee: { type: new Schema<GuaranteeRule>({ minRarity: { type: String, enum: RARITIES }, within: Number }, { _id: false }), default: null },
    seedId: { type: String, default: '' },
    seedHash: { type: String },
    boxVersion: { type: Number },
    setPick: { type: new Schema<SetPickDoc>({ setId: objectId, number: Number, positions: [Number] }, { _id: false }), default: null },
  },
  { _id: false },
);

const drawProofSchema = new Schema<DrawProofDoc>(
  {
    unitIndex: Number,
    seedId: String,
    serverSeedHash: String,
    missesBefore: Number,
    exhausted: { type: [String], default: undefined },
    forced: Boolean,
    drawnAt: Date,
    messageVersion: { type: Number },
    nonce: { type: Number },
    unit: { type: Number },
    shopperTag: { type: String },
  },
  { _id: false },
);

const drawSchema = new Schema<DrawDoc>(
  {
    boxId: objectId,
    productId: String,
    name: String,
    rarity: { type: String, enum: RARITIES },
    imageUrl: String,
    proof: { type: drawProofSchema, default: null },
    set: { type: new Schema({ setId: objectId, number: Number, position: Number, commitment: String }, { _id: false }), default: null },
  },
  { _id: false },
);

const auditSchema = new Schema<AuditEntryDoc>(
  { from: { type: String, default: null }, to: String, reason: String, actor: String, at: Date },
  { _id: false },
);

const attemptSchema = new Schema<PaymentAttemptDoc>(
  {
    outTradeNo: String,
    channel: { type: String, enum: CHANNEL_NAMES },
    kind: { type: String, enum: ['JSAPI', 'NATIVE', 'PAGE'] },
    timeExpire: Date,
    createdAt: Date,
    prepayId: { type: String, default: null },
    codeUrl: { type: String, default: null },
  },
  { _id: false },
);

const refundSchema = new Schema<RefundDoc>(
  {
    outRefundNo: String,
    channel: { type: String, enum: CHANNEL_NAMES },
    transactionId: String,
    outTradeNo: String,
    amountFen: Number,
    totalFen: Number,
    reason: String,
    status: { type: String, enum: ['PENDING', 'PROCESSING', 'SUCCESS', 'CLOSED', 'ABNORMAL'] },
    requestedAt: Date,
    completedAt: { type: Date, default: null },
    units: { type: [new Schema({ itemIndex: Number, quantity: Number }, { _id: false })], default: undefined },
    actor: { type: String },
    requestKey: { type: String },
  },
  { _id: false },
);

const orderSchema = new Schema<OrderDoc>(
  {
    userId: { type: objectId, required: true },
    openid: { type: String, required: true },
    status: { type: String, enum: ORDER_STATUSES, required: true },
    items: { type: [itemSchema], required: true },
    subtotalFen: { type: Number, required: true },
    discountFen: { type: Number, required: true },
    totalFen: { type: Number, required: true },
    address: { name: String, phone: String, region: String, detail: String },
    couponId: { type: objectId, default: null },
    expiresAt: { type: Date, required: true },
    paidAt: { type: Date, default: null },
    clientSeed: { type: String, default: '' },
    limitDay: { type: String, default: '' },
    draws: { type: [drawSchema], default: [] },
    trackingNote: { type: String, default: null },
    payment: {
      attemptCount: { type: Number, default: 0 },
      current: { type: attemptSchema, default: null },
      transactionId: { type: String, default: null },
      outTradeNo: { type: String, default: null },
      channel: { type: String, enum: [...CHANNEL_NAMES, null], default: null },
      payerOpenid: { type: String, default: null },
      successTime: { type: Date, default: null },
      rawTransaction: { type: Schema.Types.Mixed, default: null },
      extraTransactionIds: { type: [String], default: [] },
      lastCheckedAt: { type: Date, default: null },
      combinedId: { type: objectId, default: null },
      transactionTotalFen: { type: Number, default: null },
    },
    refunds: { type: [refundSchema], default: [] },
    refundReservedFen: { type: Number },
    lastRefundAt: { type: Date },
    refundCheckAt: { type: Date, default: null },
    releasedAt: { type: Date, default: null },
    releaseDueAt: { type: Date, default: null },
    settleDueAt: { type: Date, default: null },
    reconcileAt: { type: Date, default: null },
    settlementEstimatedAt: { type: Date, default: null },
    receiptConfirmedAt: { type: Date, default: null },
    receiptConfirmMethod: { type: Number, default: null },
    settledAt: { type: Date, default: null },
    audit: { type: [auditSchema], default: [] },
  },
  { timestamps: true, minimize: false },
);

// A user's order list, newest first, optionally by status.
orderSchema.index({ userId: 1, status: 1, createdAt: -1 });
orderSchema.index({ userId: 1, createdAt: -1 });
// Expiry sweep and reconciliation look only at unpaid orders, so their cost follows pending orders.
orderSchema.index({ status: 1, expiresAt: 1 });
orderSchema.index({ status: 1, reconcileAt: 1 });
// Expiry sweep: closed orders whose stock/coupon release was interrupted.
orderSchema.index({ releaseDueAt: 1 });
// Expiry sweep: paid orders whose settling after the answer was interrupted.
orderSchema.index({ settleDueAt: 1 });
// Refund sweep: orders with a refund WeChat has not confirmed yet.
orderSchema.index({ refundCheckAt: 1 });
// Sales figures (admin sales): paid orders by when they were paid.
orderSchema.index({ paidAt: 1 });
// The console's order search (orders/order-search.ts): by date, and by each number a shopper or a bill quotes.
orderSchema.index({ createdAt: -1 });
orderSchema.index({ 'payment.transactionId': 1 });
orderSchema.index({ openid: 1, createdAt: -1 });
orderSchema.index({ 'address.phone': 1 });
// The console's dashboard: orders refunded lately (a range on an array's field would scan).
orderSchema.index({ lastRefundAt: 1 });

export const orderModel = defineModel<OrderDoc>('Order', orderSchema);
