import { Schema, type Types } from 'mongoose';
import { defineModel } from '../db/define-model';

export interface UserDoc {
  _id: Types.ObjectId;
  openid: string;
  unionid: string | null;
  createdAt: Date;
  lastLoginAt: Date;
}

const userSchema = new Schema<UserDoc>(
  {
    openid: { type: String, required: true, unique: true },
    unionid: { type: String, default: null },
    lastLoginAt: { type: Date, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false } },
);

export const userModel = defineModel<UserDoc>('User', userSchema);
