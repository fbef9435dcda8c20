import { Types, type Connection } from 'mongoose';
import { GUARDIAN_DECLARATION_VERSION, type GuardianConsentRequest, type MinorLimits } from '@blindbox/shared';
import type { Config } from '../config';
import { NotFound } from '../domain-error';
import { userModel, type GuardianConsentDoc, type UserDoc } from './user.model';
import { AgeNotDeclared, GuardianConsentExists, GuardianConsentNotApplicable, GuardianDeclarationChanged } from './user-errors';

/** The shop's caps as a guardian is told them: the same ones every order is held to (limits/daily-limits.ts). */
export const minorLimitsOf = (config: Pick<Config, 'DAILY_SPEND_CAP_FEN' | 'DAILY_DRAW_CAP_PER_BOX'>): MinorLimits => ({
  dailySpendCapFen: config.DAILY_SPEND_CAP_FEN,
  dailyDrawCapPerBox: config.DAILY_DRAW_CAP_PER_BOX,
});

/**
 * A consent counts while it was given to the current declaration and the shop's caps are no higher than the ones
 * it named: the guardian agreed to those words and those limits, not to whatever comes later.
 */
export function consentCovers(consent: Pick<GuardianConsentDoc, 'declarationVersion' | 'limits'>, limits: MinorLimits): boolean {
  return (
    consent.declarationVersion === GUARDIAN_DECLARATION_VERSION &&
    limits.dailySpendCapFen <= consent.limits.dailySpendCapFen &&
    limits.dailyDrawCapPerBox <= consent.limits.dailyDrawCapPerBox
  );
}

/** Where a request came from, recorded with a consent and with its end. */
export interface ConsentOrigin {
  ip: string;
  at: Date;
}

/** Closes what the minor left unpaid when the consent ends: nothing ordered under it may be paid afterwards. */
export type CloseUnpaidOrders = (userId: Types.ObjectId) => Promise<void>;

/**
 * A guardian's consent for a shopper who declared 8–17: its own step, never part of an order. Given on the
 * guardian page with the guardian's name, relationship and mobile number and an explicit declaration, recorded with
 * server time, client address and the declaration's version; revocable at any time. Each change is one guarded
 * write on the user document (the consent in force, and the ended ones with how they ended), so two tabs cannot
 * both replace the same consent and a revocation never loses one given meanwhile.
 */
export function guardianConsents(db: Connection, config: Pick<Config, 'DAILY_SPEND_CAP_FEN' | 'DAILY_DRAW_CAP_PER_BOX'>, closeUnpaidOrders: CloseUnpaidOrders) {
  const User = userModel(db);
  const limits = () => minorLimitsOf(config);

  async function load(userId: Types.ObjectId): Promise<UserDoc> {
    const user = await User.findById(userId).lean<UserDoc>();
    if (!user) throw new NotFound('user');
    return user;
  }

  return {
    limits,
    load,

    async give(userId: Types.ObjectId, request: Omit<GuardianConsentRequest, 'declared'>, origin: ConsentOrigin): Promise<UserDoc> {
      const user = await load(userId);
      if (!user.age) throw new AgeNotDeclared('declare your age bracket first');
      if (user.age.bracket !== 'MINOR_8_17') throw new GuardianConsentNotApplicable('only a shopper who declared 8–17 needs a guardian’s consent');
      const shown = request.limits;
      if (request.declarationVersion !== GUARDIAN_DECLARATION_VERSION || shown.dailySpendCapFen !== limits().dailySpendCapFen || shown.dailyDrawCapPerBox !== limits().dailyDrawCapPerBox) {
        throw new GuardianDeclarationChanged('the declaration or the limits it names have changed; show the guardian the current ones');
      }
      const current = user.guardianConsent ?? null;
      if (current && consentCovers(current, limits())) throw new GuardianConsentExists('a guardian’s consent is already in force; revoke it first to give another');
      const consent: GuardianConsentDoc = {
        id: new Types.ObjectId(),
        guardianName: request.guardianName,
        relationship: request.relationship,
        guardianPhone: request.guardianPhone,
        declarationVersion: GUARDIAN_DECLARATION_VERSION,
        limits: limits(),
        givenAt: origin.at,
        givenFrom: origin.ip,
      };
      // An outdated consent is replaced (and kept as ended); otherwise there must still be none.
      const result = current
        ? await User.updateOne(
            { _id: userId, 'age.bracket': 'MINOR_8_17', 'guardianConsent.id': current.id },
            { $set: { guardianConsent: consent }, $push: { endedGuardianConsents: { ...current, endedAt: origin.at, endedBy: 'REPLACED', endedFrom: origin.ip } } },
          )
        : await User.updateOne({ _id: userId, 'age.bracket': 'MINOR_8_17', guardianConsent: null }, { $set: { guardianConsent: consent } });
      if (result.modifiedCount !== 1) throw new GuardianConsentExists('the guardian’s consent changed meanwhile; reload and try again');
      return load(userId);
    },

    /**
     * Ends the consent in force (idempotent: none in force changes nothing), then closes the minor's unpaid orders
     * so none placed under it is paid later.
     */
    async revoke(userId: Types.ObjectId, origin: ConsentOrigin): Promise<UserDoc> {
      const user = await load(userId);
      if (user.age?.bracket !== 'MINOR_8_17') return user;
      const current = user.guardianConsent ?? null;
      if (current) {
        await User.updateOne(
          { _id: userId, 'guardianConsent.id': current.id },
          { $set: { guardianConsent: null }, $push: { endedGuardianConsents: { ...current, endedAt: origin.at, endedBy: 'REVOKED', endedFrom: origin.ip } } },
        );
      }
      await closeUnpaidOrders(userId);
      return load(userId);
    },
  };
}

export type GuardianConsents = ReturnType<typeof guardianConsents>;
