import type { Connection, Types } from 'mongoose';
import type { AgeBracket } from '@blindbox/shared';
import { NotFound } from '../domain-error';
import { newClientSeed, userModel, type UserDoc } from './user.model';
import type { Config } from '../config';
import { AccountMerged, AgeAlreadyDeclared, AgeNotDeclared, GuardianConsentOutdated, GuardianConsentRequired, UnderAge } from './user-errors';
import { consentCovers, minorLimitsOf } from './guardian-consents';

/**
 * The shopper's own settings that the shop's rules depend on: the age bracket (declared once, enforced here
 * at order time, not only in the client), a guardian's consent for 8–17 (given on its own page by the guardian,
 * guardian-consents.ts) and the client seed of their draws.
 */
export function shopperProfiles(db: Connection, config: Pick<Config, 'DAILY_SPEND_CAP_FEN' | 'DAILY_DRAW_CAP_PER_BOX'>) {
  const User = userModel(db);

  async function load(userId: Types.ObjectId): Promise<UserDoc> {
    const user = await User.findById(userId).lean<UserDoc>();
    if (!user) throw new NotFound('user');
    return user;
  }

  /**
   * Accounts get their client seed when they are made (newClientSeed); one stored before that gets it on first use,
   * set once (a guarded write, so parallel first reads agree).
   */
  async function withClientSeed(user: UserDoc): Promise<UserDoc> {
    if (user.clientSeed) return user;
    await User.updateOne({ _id: user._id, clientSeed: null }, { $set: { clientSeed: newClientSeed() } });
    return load(user._id);
  }

  return {
    get: async (userId: Types.ObjectId) => withClientSeed(await load(userId)),

    /**
     * Declared once: the first declaration wins (a guarded write, so 50 parallel ones leave exactly one) and is never
     * changed. A guardian's consent is not part of it: it is the guardian's own step (guardian-consents.ts).
     */
    async declareAge(userId: Types.ObjectId, bracket: AgeBracket, now = new Date()): Promise<UserDoc> {
      const first = await User.updateOne({ _id: userId, age: null }, { $set: { age: { bracket, declaredAt: now } } });
      if (first.modifiedCount !== 1) throw new AgeAlreadyDeclared('the age bracket was already declared and cannot be changed');
      return load(userId);
    },

    async setClientSeed(userId: Types.ObjectId, clientSeed: string): Promise<UserDoc> {
      await User.updateOne({ _id: userId }, { $set: { clientSeed } });
      return load(userId);
    },

    /** The age gate (with the guardian's consent for 8–17), and the client seed the order's draws will use. */
    async mayOrder(userId: Types.ObjectId): Promise<{ clientSeed: string }> {
      const user = await withClientSeed(await load(userId));
      // A session of an account folded into another (phone-accounts.ts) orders nothing more there: it signs in again.
      if (user.mergedInto) throw new AccountMerged('this account was merged into another; sign in again');
      if (!user.age) throw new AgeNotDeclared('declare your age bracket before ordering');
      if (user.age.bracket === 'UNDER_8') throw new UnderAge('mystery boxes are not sold to children under 8');
      if (user.age.bracket === 'MINOR_8_17') {
        // What the rules page says: 8–17 only with a guardian's consent in force, given to the current declaration and
        // limits; the limits themselves hold for every shopper (limits/daily-limits.ts, the purchase quota).
        if (!user.guardianConsent) throw new GuardianConsentRequired('shoppers aged 8–17 need a guardian’s consent');
        if (!consentCovers(user.guardianConsent, minorLimitsOf(config))) throw new GuardianConsentOutdated('the guardian’s consent was given to an older declaration or lower limits');
      }
      return { clientSeed: user.clientSeed as string };
    },
  };
}

export type ShopperProfiles = ReturnType<typeof shopperProfiles>;
