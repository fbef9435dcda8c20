import Router from '@koa/router';
import type { Container } from '../container';

/** Tells the H5 build where the simulator's pay sheet lives; absent unless configured (never in production). */
export function devRoutes({ config }: Container): Router {
  const router = new Router();
  const simulatorUrl = config.SIMULATOR_PUBLIC_URL;
  if (simulatorUrl) {
    router.get('/api/dev/config', (ctx) => {
      ctx.body = { simulatorUrl };
    });
  }
  return router;
}
