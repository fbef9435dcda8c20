import Router from '@koa/router';
import type { Container } from '../container';
import { pingDatabase } from '../db/connect';
import { RETRY_AFTER_SECONDS } from './error-handler';

/** A ping slower than this counts as down: a load balancer's probe must get an answer, not wait for one. */
const PING_TIMEOUT_MS = 2_000;

async function answers(probe: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS)));
  try {
    return await Promise.race([probe.then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * /healthz: the process is up. /readyz: it can serve, i.e. each dependency it cannot work without answers;
 * the body names the ones that do not. WeChat Pay is not one of them: without it orders still open and
 * callbacks queue up at WeChat.
 */
export function healthRoutes({ db }: Pick<Container, 'db'>): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const dependencies = { database: (await answers(pingDatabase(db))) ? 'up' : 'down' };
    const down = Object.entries(dependencies).filter(([, state]) => state === 'down').map(([name]) => name);
    if (down.length > 0) {
      ctx.status = 503;
      ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
      ctx.body = { code: 'NOT_READY', message: `${down.join(', ')} unreachable`, dependencies };
      return;
    }
    ctx.body = { status: 'ready', dependencies };
  });
  return router;
}
