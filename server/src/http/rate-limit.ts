import type { Context, Middleware } from 'koa';
import type { Connection } from 'mongoose';
import { AppError } from './app-error';
import { isDuplicateKeyError } from '../db/duplicate-key-error';

const WINDOW_MS = 60_000;
const COLLECTION = 'rateLimits';

interface WindowDoc {
  _id: string;
  count: number;
  /** End of the window: Retry-After, and when the purge may delete it. */
  resetAt: Date;
}

/**
 * Per-key request budget per fixed minute, counted in the database so every server process spends the same
 * budget (an attacker spreading requests over the processes behind a load balancer gets no more). One guarded
 * `$inc` per request; 0 turns the limit off. The 429 is rendered by the error handler like every other error.
 */
export function perMinuteLimit(db: Connection, max: number, key: (ctx: Context) => string): Middleware {
  if (max === 0) return (_ctx, next) => next();
  const windows = db.collection<WindowDoc>(COLLECTION);
  // Housekeeping only (the counts themselves are shared): no TTL index on FerretDB, so each process deletes
  // ended windows at most once a window.
  let purgedAt = 0;

  async function count(id: string, resetAt: Date): Promise<number> {
    const bump = () => windows.findOneAndUpdate({ _id: id }, { $inc: { count: 1 }, $setOnInsert: { resetAt } }, { upsert: true, returnDocument: 'after' });
    // Two first hits racing on MongoDB: the loser's upsert may fail on _id; by then the window exists.
    const doc = await bump().catch((error: unknown) => {
      if (isDuplicateKeyError(error)) return bump();
      throw error;
    });
    return doc?.count ?? 1;
  }

  return async (ctx, next) => {
    const now = Date.now();
    const windowStart = now - (now % WINDOW_MS);
    const resetAt = new Date(windowStart + WINDOW_MS);
    if (now - purgedAt >= WINDOW_MS) {
      purgedAt = now;
      await windows.deleteMany({ resetAt: { $lte: new Date(windowStart) } });
    }
    const used = await count(`${key(ctx)}|${windowStart}`, resetAt);
    ctx.set('RateLimit-Limit', String(max));
    ctx.set('RateLimit-Remaining', String(Math.max(0, max - used)));
    if (used > max) {
      ctx.set('Retry-After', String(Math.ceil((resetAt.getTime() - now) / 1000)));
      throw new AppError(429, 'RATE_LIMITED', 'too many requests, slow down');
    }
    await next();
  };
}
