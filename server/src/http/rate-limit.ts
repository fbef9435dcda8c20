import type { Context, Middleware } from 'koa';
import type { Connection } from 'mongoose';
import { AppError } from './app-error';
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { limitsDatabase } from '../db/databases';

const WINDOW_MS = 60_000;
const COLLECTION = 'rateLimits';

interface WindowDoc {
  /** The limited key (client address, user). */
  _id: string;
  count: number;
  /** The window opened with the key's first request after the previous one closed, and lasts a minute. */
  resetAt: Date;
}

/**
 * Per-key request budget per minute, counted in the database so every server process spends the same budget
 * (an attacker spreading requests over the processes behind a load balancer gets no more). One write per request
 * (the `$inc`, or the upsert of a key's first window; two to reopen a closed one); 0 turns the limit off. The 429
 * is rendered by the error handler like every other error.
 */
export function perMinuteLimit(db: Connection, max: number, key: (ctx: Context) => string): Middleware {
  if (max === 0) return (_ctx, next) => next();
  const windows = limitsDatabase(db).collection<WindowDoc>(COLLECTION);
  // Housekeeping only (the counts themselves are shared): no TTL index on FerretDB, so each process deletes
  // closed windows at most once a minute.
  let purgedAt = 0;

  async function spend(_id: string, now: Date): Promise<Pick<WindowDoc, 'count' | 'resetAt'>> {
    const fresh = { count: 1, resetAt: new Date(now.getTime() + WINDOW_MS) };
    for (;;) {
      try {
        // One write in both usual cases: counted in the open window, or the key's first window opened by the upsert.
        const counted = await windows.findOneAndUpdate({ _id, resetAt: { $gt: now } }, { $inc: { count: 1 }, $setOnInsert: { resetAt: fresh.resetAt } }, { upsert: true, returnDocument: 'after' });
        if (counted) return counted;
      } catch (error) {
        // The key's window has closed (the stored one did not match, so the upsert met its _id), or a parallel
        // first request inserted it a moment ago: reopen it, or count in it on the next turn.
        if (!isDuplicateKeyError(error)) throw error;
      }
      const reopened = await windows.findOneAndUpdate({ _id, resetAt: { $lte: now } }, { $set: fresh }, { returnDocument: 'after' });
      if (reopened) return reopened;
    }
  }

  return async (ctx, next) => {
    const now = new Date();
    if (now.getTime() - purgedAt >= WINDOW_MS) {
      purgedAt = now.getTime();
      // The purge must not scan the collection: it holds a window per client address and shopper.
      await windows.createIndex({ resetAt: 1 });
      await windows.deleteMany({ resetAt: { $lte: now } });
    }
    const { count, resetAt } = await spend(key(ctx), now);
    ctx.set('RateLimit-Limit', String(max));
    ctx.set('RateLimit-Remaining', String(Math.max(0, max - count)));
    if (count > max) {
      ctx.set('Retry-After', String(Math.max(1, Math.ceil((resetAt.getTime() - now.getTime()) / 1000))));
      throw new AppError(429, 'RATE_LIMITED', 'too many requests, slow down');
    }
    await next();
  };
}
