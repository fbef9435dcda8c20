import { Schema, type Types } from 'mongoose';
import { AGE_BRACKETS, type AgeBracket } from '@blindbox/shared';
import { defineModel } from '../db/define-model';

/** Declared once by the shopper (users/age-gate.ts); the guardian's consent is kept with its time. */
export interface AgeDeclarationDoc {
  bracket: AgeBracket;
  declaredAt: Date;
  guardianConsentAt: Date | null;
}

export interface UserDoc {
  _id: Types.ObjectId;
  openid: string;
  unionid: string | null;
  createdAt: Date;
  lastLoginAt: Date;
  age: AgeDeclarationDoc | null;
  /** The shopper's own input to every draw (provably fair); they may change it, orders keep the one they had. */
  clientSeed: string | null;
}

const userSchema = new Schema<UserDoc>(
  {
    openid: { type: String, required: true, unique: true },
    unionid: { type: String, default: null },
    lastLoginAt: { type: Date, required: true },
    age: {
      type: new Schema<AgeDeclarationDoc>(
        { bracket: { type: String, enum: AGE_BRACKETS, required: true }, declaredAt: { type: Date, required: true }, guardianConsentAt: { type: Date, default: null } },
        { _id: false },
      ),
      default: null,
    },
    clientSeed: { type: String, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false } },
);

export const userModel = defineModel<UserDoc>('User', userSchema);
