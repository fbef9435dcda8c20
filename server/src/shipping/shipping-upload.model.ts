import { Schema, type Types } from 'mongoose';
import { defineModel } from '../db/define-model';

export type ShippingUploadStatus = 'PENDING' | 'UPLOADED';

/**
 * The shipping information owed to the mini-program platform for one shipped order (_id = the order's id).
 * Its own small collection, so the upload's retries never write to the order document.
 */
export interface ShippingUploadDoc {
  _id: Types.ObjectId;
  outTradeNo: string;
  payerOpenid: string;
  trackingNo: string;
  expressCompany: string;
  itemDesc: string;
  receiverContact: string;
  /** Sent as upload_time on every attempt, so a retry is the same upload, not a newer one. */
  shippedAt: Date;
  status: ShippingUploadStatus;
  attempts: number;
  lastError: { errcode: number | null; message: string; at: Date } | null;
  uploadedAt: Date | null;
  /**
   * The combined payment whose one transaction paid this order with others: each order is its own parcel of
   * that transaction (split delivery). Absent or null: the transaction paid this order alone.
   */
  splitOf?: Types.ObjectId | null;
  /** When the carrier delivered the parcel (签收), as staff or a carrier update reported it; null before. */
  receivedAt?: Date | null;
  /**
   * The receipt reminder (notify_confirm_receive, once per transaction) owed once the parcel is received:
   * PENDING until WeChat accepted it (SENT) or refused it for good (FAILED); null when none is owed (not a
   * mini-program payment, or not received yet). receipt-reminder.ts holds the rules.
   */
  reminderStatus?: ReminderStatus | null;
  /** Set while an attempt is under way: another attempt waits for it, a crashed one is taken over after a lease. */
  reminderClaimedAt?: Date | null;
  /** An attempt got no answer: it may have reached WeChat, so a refusal of the next one means it did. */
  reminderUnsure?: boolean;
  remindedAt?: Date | null;
  reminderError?: string | null;
}

export type ReminderStatus = 'PENDING' | 'SENT' | 'FAILED';

const shippingUploadSchema = new Schema<ShippingUploadDoc>(
  {
    outTradeNo: { type: String, required: true },
    payerOpenid: { type: String, required: true },
    trackingNo: { type: String, required: true },
    expressCompany: { type: String, required: true },
    itemDesc: { type: String, required: true },
    receiverContact: { type: String, required: true },
    shippedAt: { type: Date, required: true },
    status: { type: String, enum: ['PENDING', 'UPLOADED'], required: true },
    attempts: { type: Number, default: 0 },
    lastError: { type: Schema.Types.Mixed, default: null },
    uploadedAt: { type: Date, default: null },
    splitOf: { type: Schema.Types.ObjectId, default: null },
    receivedAt: { type: Date, default: null },
    reminderStatus: { type: String, enum: ['PENDING', 'SENT', 'FAILED', null], default: null },
    reminderClaimedAt: { type: Date, default: null },
    reminderUnsure: { type: Boolean, default: false },
    remindedAt: { type: Date, default: null },
    reminderError: { type: String, default: null },
  },
  { versionKey: false, minimize: false },
);

// The console's upload list: those WeChat has not accepted yet (or those it has), oldest shipment first.
shippingUploadSchema.index({ status: 1, shippedAt: 1 });
// The parcels of one transaction paid for several orders (receipt.service.ts: its one reminder waits for the last).
shippingUploadSchema.index({ splitOf: 1 });

export const shippingUploadModel = defineModel<ShippingUploadDoc>('ShippingUpload', shippingUploadSchema);
