import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../logger';

/** Gives every request an id (honouring a sane incoming X-Request-Id) and logs one line when it ends. */
export function requestLog(logger: Logger): Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = /^[\w.-]{8,64}$/.test(incoming) ? incoming : randomUUID();
    const started = process.hrtime.bigint();
    ctx.state.requestId = requestId;
    lazyLog(ctx.state, () => logger.child({ requestId }));
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // A liveness check that passed says nothing: the order door's kept-open connections carry one each every 30 s.
      const level = ctx.path === '/healthz' && ctx.status === 200 ? 'debug' : 'info';
      if (logger.isLevelEnabled(level)) ctx.state.log[level]({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 10) / 10 }, 'request');
    }
  };
}

/**
 * `state.log`, made on first use: a pino child costs its bindings' serialisation, and most requests (a drop's
 * sold-out answers) log nothing below the request line.
 */
function lazyLog(state: { log?: Logger }, make: () => Logger): void {
  let made: Logger | undefined;
  Object.defineProperty(state, 'log', {
    configurable: true,
    enumerable: true,
    get: () => (made ??= make()),
    set: (log: Logger) => {
      made = log;
    },
  });
}

/** Adds bindings to the request's logger (who is asking), still made only when something logs. */
export function bindLog(state: { log?: Logger }, bindings: Record<string, string>): void {
  const parent = Object.getOwnPropertyDescriptor(state, 'log');
  const outer = (): Logger => (parent?.get ? (parent.get() as Logger) : (parent?.value as Logger));
  lazyLog(state, () => outer().child(bindings));
}
