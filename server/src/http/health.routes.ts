import Router from '@koa/router';
import type { Container } from '../container';
import { pingDatabase } from '../db/connect';
import { AppError } from './app-error';

/** /healthz: the process is up. /readyz: it can serve, i.e. the database answers. */
export function healthRoutes({ db }: Pick<Container, 'db'>): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    try {
      await pingDatabase(db);
    } catch {
      throw new AppError(503, 'NOT_READY', 'database unreachable');
    }
    ctx.body = { status: 'ready' };
  });
  return router;
}
