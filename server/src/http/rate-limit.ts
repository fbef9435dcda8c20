import type { Context, Middleware } from 'koa';
import ratelimit from 'koa-ratelimit';

/**
 * Per-key request budget per minute (in process memory: each server process counts on its own).
 * 0 turns the limit off. The 429 is rendered by the error handler like every other error.
 */
export function perMinuteLimit(max: number, key: (ctx: Context) => string): Middleware {
  if (max === 0) return (_ctx, next) => next();
  return ratelimit({
    driver: 'memory',
    db: new Map(),
    duration: 60_000,
    max,
    id: key,
    throw: true,
    errorMessage: 'too many requests, slow down',
  });
}
