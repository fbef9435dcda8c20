import { Schema, type Types } from 'mongoose';
import { AFTERSALES_KINDS, AFTERSALES_RESOLUTIONS, AFTERSALES_STATUSES, type AftersalesKind, type AftersalesStatus } from '@blindbox/shared';
import { defineModel } from '../db/define-model';

export interface AftersalesMessageDoc {
  from: 'SHOPPER' | 'STAFF';
  /** `user:<id>` or `staff:<name>`. */
  actor: string;
  text: string;
  /** Photo ids of the image upload (media/). */
  photos: string[];
  at: Date;
}

/** What staff decided. REFUND: `outRefundNo` once the refund is recorded on the order (it is on RESOLVED). */
export interface AftersalesResolutionDoc {
  kind: (typeof AFTERSALES_RESOLUTIONS)[number];
  actor: string;
  at: Date;
  amountFen?: number;
  outRefundNo?: string | null;
  carrier?: string;
  trackingNo?: string;
  note?: string;
  reason?: string;
}

/** One state change of the request, with who made it (the request's own history, like an order's audit). */
export interface AftersalesEventDoc {
  from: AftersalesStatus | null;
  to: AftersalesStatus;
  actor: string;
  reason: string;
  at: Date;
}

export interface AftersalesDoc {
  _id: Types.ObjectId;
  orderId: Types.ObjectId;
  userId: Types.ObjectId;
  /** The shopper's openid (the order's): where their notices go. */
  openid: string;
  itemIndex: number;
  kind: AftersalesKind;
  description: string;
  photos: string[];
  status: AftersalesStatus;
  /**
   * `<orderId>:<itemIndex>` while the request is in progress, `<orderId>:<itemIndex>:<id>` once resolved: a
   * unique index on it lets one request per order line be in progress. (A partial unique index would say it
   * directly, but the embedded engine has no partial indexes and ignores sparse.)
   */
  lineKey: string;
  messages: AftersalesMessageDoc[];
  messageCount: number;
  resolution: AftersalesResolutionDoc | null;
  history: AftersalesEventDoc[];
  createdAt: Date;
  updatedAt: Date;
}

export const openLineKey = (orderId: Types.ObjectId, itemIndex: number) => `${orderId.toHexString()}:${itemIndex}`;
export const resolvedLineKey = (request: Pick<AftersalesDoc, '_id' | 'orderId' | 'itemIndex'>) => `${openLineKey(request.orderId, request.itemIndex)}:${request._id.toHexString()}`;

const messageSchema = new Schema<AftersalesMessageDoc>(
  { from: { type: String, enum: ['SHOPPER', 'STAFF'], required: true }, actor: String, text: String, photos: { type: [String], default: [] }, at: Date },
  { _id: false },
);

const resolutionSchema = new Schema<AftersalesResolutionDoc>(
  {
    kind: { type: String, enum: AFTERSALES_RESOLUTIONS, required: true },
    actor: String,
    at: Date,
    amountFen: Number,
    outRefundNo: { type: String, default: null },
    carrier: String,
    trackingNo: String,
    note: String,
    reason: String,
  },
  { _id: false },
);

const eventSchema = new Schema<AftersalesEventDoc>({ from: { type: String, default: null }, to: String, actor: String, reason: String, at: Date }, { _id: false });

const aftersalesSchema = new Schema<AftersalesDoc>(
  {
    orderId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    openid: { type: String, required: true },
    itemIndex: { type: Number, required: true },
    kind: { type: String, enum: AFTERSALES_KINDS, required: true },
    description: { type: String, required: true },
    photos: { type: [String], default: [] },
    status: { type: String, enum: AFTERSALES_STATUSES, required: true },
    lineKey: { type: String, required: true },
    messages: { type: [messageSchema], default: [] },
    messageCount: { type: Number, default: 0 },
    resolution: { type: resolutionSchema, default: null },
    history: { type: [eventSchema], default: [] },
  },
  { timestamps: true, minimize: false, versionKey: false },
);

// One request in progress per order line (see lineKey).
aftersalesSchema.index({ lineKey: 1 }, { unique: true });
// A shopper's requests on one order (the order page marks its lines).
aftersalesSchema.index({ userId: 1, orderId: 1 });
// The console's queue: requests by state, the longest waiting first.
aftersalesSchema.index({ status: 1, updatedAt: 1 });

export const aftersalesModel = defineModel<AftersalesDoc>('AftersalesRequest', aftersalesSchema);
