import Router from '@koa/router';
import { clientSeedRequestSchema, declareAgeRequestSchema, type Profile } from '@blindbox/shared';
import type { Container } from '../container';
import { currentUserId, requireUser } from './require-user';
import { shopperProfiles } from './shopper-profile';
import type { UserDoc } from './user.model';

const toProfileDto = (user: UserDoc): Profile => ({
  ageBracket: user.age?.bracket ?? null,
  ageDeclaredAt: user.age?.declaredAt.toISOString() ?? null,
  guardianConsentAt: user.age?.guardianConsentAt?.toISOString() ?? null,
  clientSeed: user.clientSeed ?? '',
});

export function profileRoutes({ db, sessions }: Pick<Container, 'db' | 'sessions'>): Router {
  const profiles = shopperProfiles(db);
  const router = new Router({ prefix: '/api/me' });
  router.use(requireUser(sessions));

  router.get('/', async (ctx) => {
    ctx.body = toProfileDto(await profiles.get(currentUserId(ctx)));
  });

  router.put('/age', async (ctx) => {
    const { bracket, guardianConsent } = declareAgeRequestSchema.parse(ctx.request.body);
    ctx.body = toProfileDto(await profiles.declareAge(currentUserId(ctx), bracket, guardianConsent));
  });

  router.put('/client-seed', async (ctx) => {
    const { clientSeed } = clientSeedRequestSchema.parse(ctx.request.body);
    ctx.body = toProfileDto(await profiles.setClientSeed(currentUserId(ctx), clientSeed));
  });

  return router;
}
