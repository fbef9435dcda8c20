import { Schema, type Types } from 'mongoose';
import { defineModel } from '../db/define-model';

export type PlatformReminderEvent = 'trade_manage_remind_shipping' | 'trade_manage_remind_access_api';

/**
 * A reminder WeChat pushed for staff (upload the shipping information of a transaction; connect the shipping API).
 * _id is the push's own identity (event, transaction, CreateTime), so WeChat's retries of one push are one reminder.
 */
export interface PlatformReminderDoc {
  _id: string;
  event: PlatformReminderEvent;
  transactionId: string | null;
  outTradeNo: string | null;
  orderId: Types.ObjectId | null;
  /** WeChat's own text (msg), shown as it came. */
  message: string;
  /** CreateTime of the push. */
  pushedAt: Date;
  createdAt: Date;
  /** Set by staff once handled; open reminders show on the shipping page. */
  resolvedAt: Date | null;
  resolvedBy: string | null;
}

const platformReminderSchema = new Schema<PlatformReminderDoc>(
  {
    _id: { type: String, required: true },
    event: { type: String, required: true },
    transactionId: { type: String, default: null },
    outTradeNo: { type: String, default: null },
    orderId: { type: Schema.Types.ObjectId, default: null },
    message: { type: String, default: '' },
    pushedAt: { type: Date, required: true },
    createdAt: { type: Date, required: true },
    resolvedAt: { type: Date, default: null },
    resolvedBy: { type: String, default: null },
  },
  { versionKey: false, minimize: false },
);

// The shipping page: open reminders, newest first.
platformReminderSchema.index({ resolvedAt: 1, createdAt: -1 });

export const platformReminderModel = defineModel<PlatformReminderDoc>('PlatformReminder', platformReminderSchema);
