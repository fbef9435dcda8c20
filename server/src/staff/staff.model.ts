import { Schema, type Types } from 'mongoose';
import { STAFF_ROLES, type StaffRole } from '@blindbox/shared';
import { defineModel } from '../db/define-model';

/** A member of the shop's staff: the console's accounts, apart from shoppers (users/). */
export interface StaffDoc {
  _id: Types.ObjectId;
  username: string;
  displayName: string;
  role: StaffRole;
  /** argon2id (PHC string); never leaves the server. */
  passwordHash: string;
  /** Set by `staff create` and password resets: the member must choose their own before anything else. */
  passwordChangeRequired: boolean;
  /** base32 TOTP secret once confirmed; null without two-factor. */
  totpSecret: string | null;
  /** Offered by enrol, becomes totpSecret when a code from it is confirmed. */
  totpPendingSecret: string | null;
  /** The last TOTP time step accepted: a code is never accepted twice (RFC 6238 §5.2). */
  lastTotpStep: number | null;
  /** Failed logins in a row; reaching CONSOLE_LOGIN_MAX_FAILURES sets lockedAt. */
  failedLogins: number;
  lockedAt: Date | null;
  disabled: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const staffSchema = new Schema<StaffDoc>(
  {
    username: { type: String, required: true, unique: true },
    displayName: { type: String, default: '' },
    role: { type: String, enum: STAFF_ROLES, required: true },
    passwordHash: { type: String, required: true },
    passwordChangeRequired: { type: Boolean, default: true },
    totpSecret: { type: String, default: null },
    totpPendingSecret: { type: String, default: null },
    lastTotpStep: { type: Number, default: null },
    failedLogins: { type: Number, default: 0 },
    lockedAt: { type: Date, default: null },
    disabled: { type: Boolean, default: false },
    lastLoginAt: { type: Date, default: null },
  },
  { timestamps: true, minimize: false, versionKey: false },
);
// Owners are counted so the last one is never demoted or disabled.
staffSchema.index({ role: 1, disabled: 1 });

export const staffModel = defineModel<StaffDoc>('Staff', staffSchema);
