import { randomBytes } from 'node:crypto';
import type { Connection, Types } from 'mongoose';
import type { AgeBracket } from '@blindbox/shared';
import { NotFound } from '../domain-error';
import { userModel, type UserDoc } from './user.model';
import { AgeAlreadyDeclared, AgeNotDeclared, GuardianConsentRequired, UnderAge } from './user-errors';

/**
 * The shopper's own settings that the shop's rules depend on: the age bracket (declared once, enforced here
 * at order time, not only in the client) and the client seed of their draws.
 */
export function shopperProfiles(db: Connection) {
  const User = userModel(db);

  async function load(userId: Types.ObjectId): Promise<UserDoc> {
    const user = await User.findById(userId).lean<UserDoc>();
    if (!user) throw new NotFound('user');
    return user;
  }

  /** A shopper who never chose one gets a random client seed, set once (a guarded write, so parallel first reads agree). */
  async function withClientSeed(user: UserDoc): Promise<UserDoc> {
    if (user.clientSeed) return user;
    await User.updateOne({ _id: user._id, clientSeed: null }, { $set: { clientSeed: randomBytes(8).toString('hex') } });
    return load(user._id);
  }

  return {
    get: async (userId: Types.ObjectId) => withClientSeed(await load(userId)),

    /**
     * Declared once: the first declaration wins (a guarded write, so 50 parallel ones leave exactly one). The
     * one later change allowed is a guardian's consent added to an 8–17 declaration that had none.
     */
    async declareAge(userId: Types.ObjectId, bracket: AgeBracket, guardianConsent: boolean, now = new Date()): Promise<UserDoc> {
      const consentAt = bracket === 'MINOR_8_17' && guardianConsent ? now : null;
      const first = await User.updateOne({ _id: userId, age: null }, { $set: { age: { bracket, declaredAt: now, guardianConsentAt: consentAt } } });
      if (first.modifiedCount === 1) return load(userId);
      if (consentAt) {
        const consent = await User.updateOne(
          { _id: userId, 'age.bracket': 'MINOR_8_17', 'age.guardianConsentAt': null },
          { $set: { 'age.guardianConsentAt': consentAt } },
        );
        if (consent.modifiedCount === 1) return load(userId);
      }
      throw new AgeAlreadyDeclared('the age bracket was already declared and cannot be changed');
    },

    async setClientSeed(userId: Types.ObjectId, clientSeed: string): Promise<UserDoc> {
      await User.updateOne({ _id: userId }, { $set: { clientSeed } });
      return load(userId);
    },

    /** The age gate, and the client seed the order's draws will use. */
    async mayOrder(userId: Types.ObjectId): Promise<{ clientSeed: string }> {
      const user = await withClientSeed(await load(userId));
      if (!user.age) throw new AgeNotDeclared('declare your age bracket before ordering');
      if (user.age.bracket === 'UNDER_8') throw new UnderAge('mystery boxes are not sold to children under 8');
      if (user.age.bracket === 'MINOR_8_17' && !user.age.guardianConsentAt) throw new GuardianConsentRequired('shoppers aged 8–17 need a guardian’s consent');
      return { clientSeed: user.clientSeed as string };
    },
  };
}

export type ShopperProfiles = ReturnType<typeof shopperProfiles>;
