import type { Connection } from 'mongoose';
import type { Context } from 'koa';
import type { Config } from '../config';
import { perMinuteSpend } from '../http/rate-limit';

/** One budget per shopper for everything that places an order (an order, a cart checkout): spends one, or the 429. */
export function orderRateLimit(db: Connection, config: Pick<Config, 'RATE_LIMIT_ORDERS_PER_MINUTE'>): (ctx: Context) => Promise<void> {
  return perMinuteSpend(db, config.RATE_LIMIT_ORDERS_PER_MINUTE, (ctx) => `order:${ctx.state.userId}`);
}
