import type { Connection } from 'mongoose';
import type { Middleware } from 'koa';
import type { Config } from '../config';
import { perMinuteLimit } from '../http/rate-limit';

/** One budget per shopper for everything that places an order (an order, a cart checkout). */
export function orderRateLimit(db: Connection, config: Pick<Config, 'RATE_LIMIT_ORDERS_PER_MINUTE'>): Middleware {
  return perMinuteLimit(db, config.RATE_LIMIT_ORDERS_PER_MINUTE, (ctx) => `order:${ctx.state.userId}`);
}
