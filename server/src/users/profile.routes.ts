import Router from '@koa/router';
import type { Context } from 'koa';
import { clientSeedRequestSchema, declareAgeRequestSchema, guardianConsentRequestSchema, GUARDIAN_DECLARATION_VERSION, type GuardianConsentView, type Profile } from '@blindbox/shared';
import type { Container } from '../container';
import { perMinuteLimit } from '../http/rate-limit';
import { OrderStateConflict } from '../orders/order-errors';
import { currentUserId, requireUser } from './require-user';
import { shopperProfiles } from './shopper-profile';
import { consentCovers, guardianConsents, type ConsentOrigin } from './guardian-consents';
import type { UserDoc } from './user.model';
import { maskedPhone } from '../sms/phone-codes';

/** Giving or revoking a consent is a deliberate step; a script flipping it would only grow the shopper's record. */
const CONSENT_CHANGES_PER_MINUTE = 10;

const originOf = (ctx: Context): ConsentOrigin => ({ ip: ctx.ip || 'unknown', at: new Date() });

export function profileRoutes({ db, config, sessions, orders, phoneAccounts }: Pick<Container, 'db' | 'config' | 'sessions' | 'orders' | 'phoneAccounts'>): Router {
  const profiles = shopperProfiles(db, config);
  // Nothing the minor left unpaid may be paid once the guardian has withdrawn: each is cancelled (closed at its channel).
  const consents = guardianConsents(db, config, async (userId) => {
    const { items } = await orders.list(userId, { status: 'TO_BE_PAID', page: 1, pageSize: 50 });
    for (const order of items) {
      await orders.cancel(order._id, userId).catch((error: unknown) => {
        // Paid a moment before the revocation reached it: it stays paid, as the declaration says.
        if (!(error instanceof OrderStateConflict)) throw error;
      });
    }
  });
  const inForce = (user: UserDoc) => (user.guardianConsent && consentCovers(user.guardianConsent, consents.limits()) ? user.guardianConsent : null);

  const toProfileDto = async (user: UserDoc): Promise<Profile> => ({
    phone: await phoneAccounts.phoneOf(user._id).then((phone) => (phone ? maskedPhone(phone) : null)),
    ageBracket: user.age?.bracket ?? null,
    ageDeclaredAt: user.age?.declaredAt.toISOString() ?? null,
    guardianConsentAt: user.age?.bracket === 'MINOR_8_17' ? (inForce(user)?.givenAt.toISOString() ?? null) : null,
    clientSeed: user.clientSeed ?? '',
  });

  const toConsentView = (user: UserDoc): GuardianConsentView => {
    const consent = user.guardianConsent ?? null;
    return {
      declarationVersion: GUARDIAN_DECLARATION_VERSION,
      limits: consents.limits(),
      consent: consent && {
        guardianName: consent.guardianName,
        relationship: consent.relationship,
        guardianPhone: maskedPhone(consent.guardianPhone),
        givenAt: consent.givenAt.toISOString(),
        declarationVersion: consent.declarationVersion,
        limits: consent.limits,
        current: inForce(user) !== null,
      },
    };
  };

  const router = new Router({ prefix: '/api/me' });
  router.use(requireUser(sessions));
  const consentChanges = perMinuteLimit(db, CONSENT_CHANGES_PER_MINUTE, (ctx) => `guardian-consent:${ctx.state.userId}`);

  router.get('/', async (ctx) => {
    ctx.body = await toProfileDto(await profiles.get(currentUserId(ctx)));
  });

  router.put('/age', async (ctx) => {
    const { bracket } = declareAgeRequestSchema.parse(ctx.request.body);
    ctx.body = await toProfileDto(await profiles.declareAge(currentUserId(ctx), bracket));
  });

  router.put('/client-seed', async (ctx) => {
    const { clientSeed } = clientSeedRequestSchema.parse(ctx.request.body);
    ctx.body = await toProfileDto(await profiles.setClientSeed(currentUserId(ctx), clientSeed));
  });

  /** The guardian page: the declaration's version, the limits it names, and the consent on record. */
  router.get('/guardian-consent', async (ctx) => {
    ctx.body = toConsentView(await consents.load(currentUserId(ctx)));
  });

  router.post('/guardian-consent', consentChanges, async (ctx) => {
    const request = guardianConsentRequestSchema.parse(ctx.request.body);
    ctx.body = toConsentView(await consents.give(currentUserId(ctx), request, originOf(ctx)));
    ctx.status = 201;
  });

  router.delete('/guardian-consent', consentChanges, async (ctx) => {
    ctx.body = toConsentView(await consents.revoke(currentUserId(ctx), originOf(ctx)));
  });

  return router;
}
