import { randomBytes } from 'node:crypto';
import { Schema, type Types } from 'mongoose';
import { AGE_BRACKETS, GUARDIAN_RELATIONSHIPS, type AgeBracket, type GuardianRelationship, type MinorLimits } from '@blindbox/shared';
import { defineModel } from '../db/define-model';

/**
 * Declared once by the shopper (users/shopper-profile.ts). Declarations made before guardian consent became its
 * own step may still hold a `guardianConsentAt` the minor set themselves: it is ignored.
 */
export interface AgeDeclarationDoc {
  bracket: AgeBracket;
  declaredAt: Date;
}

/** A guardian's consent for a shopper aged 8–17, as given on the guardian page (users/guardian-consents.ts). */
export interface GuardianConsentDoc {
  id: Types.ObjectId;
  guardianName: string;
  relationship: GuardianRelationship;
  guardianPhone: string;
  /** GUARDIAN_DECLARATION_VERSION of the text the guardian confirmed, and the limits it named. */
  declarationVersion: string;
  limits: MinorLimits;
  /** Server time, and the client address it came from (behind the configured proxies, the shopper's). */
  givenAt: Date;
  givenFrom: string;
}

/** A consent no longer in force: revoked, or replaced by a new one after the declaration or limits changed. */
export interface EndedGuardianConsentDoc extends GuardianConsentDoc {
  endedAt: Date;
  endedBy: 'REVOKED' | 'REPLACED';
  endedFrom: string;
}

export interface UserDoc {
  _id: Types.ObjectId;
  /**
   * The WeChat openid. A shopper who signed up on the web with a phone number has none: theirs is a placeholder
   * `web:<random>` (real openids never hold a colon), unique like an openid, that no WeChat login can ever match.
   */
  openid: string;
  unionid: string | null;
  createdAt: Date;
  lastLoginAt: Date;
  age: AgeDeclarationDoc | null;
  guardianConsent?: GuardianConsentDoc | null;
  /** Every earlier consent with how it ended: the record a shop keeps of who agreed to what, and when. */
  endedGuardianConsents?: EndedGuardianConsentDoc[];
  /** The shopper's own input to every draw (provably fair); they may change it, orders keep the one they had. */
  clientSeed: string | null;
  /**
   * Set when this account was folded into another by binding a phone number (phone-accounts.ts): it had no orders,
   * and every sign-in that finds it is taken on to that account.
   */
  mergedInto?: Types.ObjectId | null;
  mergedAt?: Date | null;
}

const WEB_OPENID_PREFIX = 'web:';
/** The placeholder openid of a shopper who signed up on the web. */
export const webOpenid = (random: string) => `${WEB_OPENID_PREFIX}${random}`;
/**
 * The client seed a shopper starts with until they choose their own: random, given with the account at its first
 * login, so placing an order never has to write one.
 */
export const newClientSeed = (): string => randomBytes(8).toString('hex');
/** Whether this openid is WeChat's (a JSAPI payer), not a web sign-up's placeholder. */
export const isWechatOpenid = (openid: string) => !openid.startsWith(WEB_OPENID_PREFIX);

const guardianConsentFields = {
  id: { type: Schema.Types.ObjectId, required: true },
  guardianName: { type: String, required: true },
  relationship: { type: String, enum: GUARDIAN_RELATIONSHIPS, required: true },
  guardianPhone: { type: String, required: true },
  declarationVersion: { type: String, required: true },
  limits: { dailySpendCapFen: Number, dailyDrawCapPerBox: Number },
  givenAt: { type: Date, required: true },
  givenFrom: { type: String, required: true },
};
const guardianConsentSchema = new Schema<GuardianConsentDoc>(guardianConsentFields, { _id: false });

const userSchema = new Schema<UserDoc>(
  {
    openid: { type: String, required: true, unique: true },
    unionid: { type: String, default: null },
    lastLoginAt: { type: Date, required: true },
    age: {
      type: new Schema<AgeDeclarationDoc>(
        { bracket: { type: String, enum: AGE_BRACKETS, required: true }, declaredAt: { type: Date, required: true } },
        { _id: false },
      ),
      default: null,
    },
    clientSeed: { type: String, default: null },
    guardianConsent: { type: guardianConsentSchema, default: null },
    mergedInto: { type: Schema.Types.ObjectId, default: null },
    mergedAt: { type: Date, default: null },
    endedGuardianConsents: {
      type: [new Schema<EndedGuardianConsentDoc>({ ...guardianConsentFields, endedAt: Date, endedBy: String, endedFrom: String }, { _id: false })],
      default: undefined,
    },
  },
  { timestamps: { createdAt: true, updatedAt: false } },
);

export const userModel = defineModel<UserDoc>('User', userSchema);
