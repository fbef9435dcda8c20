import { Schema, type Types } from 'mongoose';
import { defineModel } from '../db/define-model';

/**
 * A mainland mobile number and the shopper it signs in: one number, one shopper (the number is the _id, so
 * that holds under any concurrency without a partial index, which FerretDB v1 lacks). Bound by an SMS sign-in
 * on the web or by WeChat's phone-number button in the mini-program.
 */
export interface PhoneBindingDoc {
  _id: string;
  userId: Types.ObjectId;
  via: 'SMS' | 'WECHAT';
  boundAt: Date;
}

const phoneBindingSchema = new Schema<PhoneBindingDoc>(
  {
    _id: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    via: { type: String, enum: ['SMS', 'WECHAT'], required: true },
    boundAt: { type: Date, required: true },
  },
  { versionKey: false },
);
// 我的 shows the shopper's number, and binding asks whether the shopper already has one.
phoneBindingSchema.index({ userId: 1 });

export const phoneBindingModel = defineModel<PhoneBindingDoc>('PhoneBinding', phoneBindingSchema);
