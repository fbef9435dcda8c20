import Router from '@koa/router';
import type { Collection } from '@blindbox/shared';
import type { Container } from '../container';
import { currentUserId, requireUser } from '../users/require-user';
import { collectionService } from './collection.service';

export function collectionRoutes({ db, sessions }: Pick<Container, 'db' | 'sessions'>): Router {
  const collection = collectionService(db);
  const router = new Router({ prefix: '/api/me' });

  router.get('/collection', requireUser(sessions), async (ctx) => {
    ctx.body = (await collection.of(currentUserId(ctx))) satisfies Collection;
  });

  return router;
}
