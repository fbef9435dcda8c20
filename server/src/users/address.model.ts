import { Schema, type Types } from 'mongoose';
import { defineModel } from '../db/define-model';

export interface AddressDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  name: string;
  phone: string;
  region: string;
  detail: string;
  createdAt: Date;
  updatedAt: Date;
}

const addressSchema = new Schema<AddressDoc>(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    phone: { type: String, required: true },
    region: { type: String, required: true },
    detail: { type: String, required: true },
  },
  { timestamps: true },
);
addressSchema.index({ userId: 1, _id: 1 });

export const addressModel = defineModel<AddressDoc>('Address', addressSchema);
