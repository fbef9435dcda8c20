import { Schema, type Types } from 'mongoose';
import { defineModel } from '../db/define-model';
import type { ComplaintState } from './complaint-channel';

/** A message of the negotiation (协商历史), as WeChat keeps it; pictures by our stored image ids. */
export interface NegotiationDoc {
  logId: string;
  operator: string;
  operateTime: Date;
  operateType: string;
  details: string;
  imageIds: string[];
}

/**
 * A consumer complaint (消费者投诉 2.0) as last read from WeChat Pay (_id = WeChat's complaint_id), with what the
 * shop did about it. WeChat's copy is the truth: every notification, reply, refund and completion re-reads it.
 */
export interface ComplaintDoc {
  _id: string;
  complaintTime: Date;
  state: ComplaintState;
  detail: string;
  problemDescription: string;
  problemType: string | null;
  applyRefundFen: number | null;
  payerPhone: string | null;
  payerOpenid: string | null;
  /** The paid trade complained about; orderId when it is one of this shop's orders (null: not found here). */
  outTradeNo: string | null;
  transactionId: string | null;
  amountFen: number | null;
  orderId: Types.ObjectId | null;
  fullRefunded: boolean;
  incomingUserResponse: boolean;
  userComplaintTimes: number;
  /** The shopper's pictures, stored here (complaint-image.model.ts) by id. */
  imageIds: string[];
  /** Every media URL already downloaded (complaint and messages), so a re-read downloads only new ones. */
  media: { url: string; imageId: string }[];
  history: NegotiationDoc[];
  /**
   * When WeChat expects the shop's answer: a day after the shopper's latest message that the shop has not
   * answered yet (see complaint-deadline.ts); null when nothing waits on the shop.
   */
  replyDueAt: Date | null;
  /** Notification event ids already taken in: a resent notification changes nothing. */
  eventIds: string[];
  /** Refunds given from this complaint (their out_refund_no in the order's refunds). */
  refunds: { outRefundNo: string; amountFen: number; at: Date; by: string }[];
  /** Set while a refund from this complaint is on its way (one at a time); null otherwise. */
  refundingSince: Date | null;
  syncedAt: Date;
  createdAt: Date;
}

const negotiationSchema = new Schema<NegotiationDoc>(
  {
    logId: { type: String, required: true },
    operator: { type: String, required: true },
    operateTime: { type: Date, required: true },
    operateType: { type: String, required: true },
    details: { type: String, default: '' },
    imageIds: { type: [String], default: [] },
  },
  { _id: false },
);

const complaintSchema = new Schema<ComplaintDoc>(
  {
    _id: { type: String, required: true },
    complaintTime: { type: Date, required: true },
    state: { type: String, enum: ['PENDING', 'PROCESSING', 'PROCESSED'], required: true },
    detail: { type: String, default: '' },
    problemDescription: { type: String, default: '' },
    problemType: { type: String, default: null },
    applyRefundFen: { type: Number, default: null },
    payerPhone: { type: String, default: null },
    payerOpenid: { type: String, default: null },
    outTradeNo: { type: String, default: null },
    transactionId: { type: String, default: null },
    amountFen: { type: Number, default: null },
    orderId: { type: Schema.Types.ObjectId, default: null },
    fullRefunded: { type: Boolean, default: false },
    incomingUserResponse: { type: Boolean, default: false },
    userComplaintTimes: { type: Number, default: 1 },
    imageIds: { type: [String], default: [] },
    media: { type: [{ url: String, imageId: String, _id: false }], default: [] },
    history: { type: [negotiationSchema], default: [] },
    replyDueAt: { type: Date, default: null },
    eventIds: { type: [String], default: [] },
    refunds: { type: [{ outRefundNo: String, amountFen: Number, at: Date, by: String, _id: false }], default: [] },
    refundingSince: { type: Date, default: null },
    syncedAt: { type: Date, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);

// The console's list (newest complaint first, optionally one state) and the dashboard's "due soon" (by deadline).
complaintSchema.index({ complaintTime: -1 });
complaintSchema.index({ state: 1, complaintTime: -1 });
complaintSchema.index({ replyDueAt: 1 });

export const complaintModel = defineModel<ComplaintDoc>('Complaint', complaintSchema);
