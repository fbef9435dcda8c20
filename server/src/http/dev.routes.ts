import Router from '@koa/router';
import type { Container } from '../container';

/** Tells the H5 build where the simulator's pay sheet lives; absent unless configured (never in production). */
export function devRoutes({ config, commands }: Container): Router {
  const router = new Router();
  if (commands) {
    // Bench only (DB_COMMAND_COUNTS): the latest requests' database operations.
    router.get('/api/dev/db-commands', (ctx) => {
      ctx.body = { samples: commands.samples() };
    });
  }
  const simulatorUrl = config.SIMULATOR_PUBLIC_URL;
  if (simulatorUrl) {
    router.get('/api/dev/config', (ctx) => {
      ctx.body = { simulatorUrl };
    });
  }
  return router;
}
