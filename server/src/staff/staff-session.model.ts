import { Schema, type Types } from 'mongoose';
import { defineModel } from '../db/define-model';

/**
 * A console login. _id is the SHA-256 of the cookie's token, so the collection's content alone opens no
 * session; deleting the document revokes it at the next request.
 */
export interface StaffSessionDoc {
  _id: string;
  staffId: Types.ObjectId;
  /** Synchronizer CSRF token: state-changing requests carry it in X-CSRF-Token. */
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  /** Absolute end (createdAt + CONSOLE_SESSION_HOURS); idle end is lastSeenAt + the idle timeout. */
  expiresAt: Date;
  ip: string;
  userAgent: string;
}

const staffSessionSchema = new Schema<StaffSessionDoc>(
  {
    _id: { type: String, required: true },
    staffId: { type: Schema.Types.ObjectId, required: true },
    csrfToken: { type: String, required: true },
    createdAt: { type: Date, required: true },
    lastSeenAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    ip: { type: String, default: '' },
    userAgent: { type: String, default: '' },
  },
  { versionKey: false, minimize: false },
);
// A member's sessions (revoked together on a password or 2FA reset); live sessions and the purge by expiry.
staffSessionSchema.index({ staffId: 1 });
staffSessionSchema.index({ expiresAt: 1 });

export const staffSessionModel = defineModel<StaffSessionDoc>('StaffSession', staffSessionSchema);
