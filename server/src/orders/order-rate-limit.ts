import type { Connection } from 'mongoose';
import type { Context } from 'koa';
import type { Config } from '../config';
import { perMinuteBudget } from '../http/rate-limit';

/**
 * One budget per shopper for everything that places an order (an order, a cart checkout): spent while the order
 * reads what it needs (order-placing-steps.ts), and passed before it takes anything.
 */
export function orderRateLimit(db: Connection, config: Pick<Config, 'RATE_LIMIT_ORDERS_PER_MINUTE'>): (ctx: Context) => Promise<void> {
  const budget = perMinuteBudget(db, config.RATE_LIMIT_ORDERS_PER_MINUTE);
  return (ctx) => budget(ctx, `order:${ctx.state.userId}`);
}
