import type { Middleware } from 'koa';
import type { Logger } from '../logger';

/**
 * With TRUSTED_PROXY_HOPS=0 the socket's address is the client's; behind a proxy that is the proxy's, so every
 * shopper shares one login and order budget (the 31st login in a minute is refused). A forwarded header says
 * a proxy is there: the operator is told once per process, with the setting to change.
 */
export function proxyWarning(hops: number, logger: Logger): Middleware {
  let warned = hops > 0;
  return async (ctx, next) => {
    if (!warned && ctx.get('x-forwarded-for')) {
      warned = true;
      logger.warn({ remoteAddress: ctx.request.socket.remoteAddress }, 'requests carry X-Forwarded-For but TRUSTED_PROXY_HOPS=0: every client behind the proxy shares one rate-limit budget; set TRUSTED_PROXY_HOPS to the number of proxies in front of the server (docs/deploy.md)');
    }
    await next();
  };
}
