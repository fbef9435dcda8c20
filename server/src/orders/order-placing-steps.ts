import type { Middleware } from 'koa';
import type { Connection, Types } from 'mongoose';
import type { Config } from '../config';
import { currentUserId } from '../users/require-user';
import { orderRateLimit } from './order-rate-limit';
import { toOrderDto } from './order-view';
import type { OrderDoc } from './order.model';
import type { Admission } from './stock-gate';

/** How one route that places an order reads its request, takes its place in line and places the order. */
export interface OrderPlacing<Request, Admitted extends { admission: Admission }> {
  parse(body: unknown): Request;
  admit(userId: Types.ObjectId, request: Request): Promise<Admitted>;
  /** `budget`: the shopper's rate limit, spent meanwhile; the order takes nothing before it has passed. */
  place(userId: Types.ObjectId, openid: string, request: Request, admitted: Admitted, budget: Promise<void>): Promise<OrderDoc>;
}

/**
 * The middleware of every route that places an order (an order, a cart checkout), behind requireUser: the
 * request parsed and given its place in the stock gate first (sold out is answered there, before the rate limit
 * spends its shared write: a drop's losers cost no write at all), then the order, 201, with the rate limit's
 * write beside the order's first reads: a placing slot (stock-gate.ts) waits one round trip less, and the order
 * takes nothing until the limit has passed. The place is always settled: by the order itself, or given back here
 * when anything before it refused.
 */
export function orderPlacingSteps<Request, Admitted extends { admission: Admission }>(
  db: Connection,
  config: Pick<Config, 'RATE_LIMIT_ORDERS_PER_MINUTE'>,
  placing: OrderPlacing<Request, Admitted>,
): Middleware[] {
  const spendBudget = orderRateLimit(db, config);
  interface Placing {
    request: Request;
    admitted: Admitted;
  }
  return [
    async (ctx, next) => {
      const request = placing.parse(ctx.request.body);
      const admitted = await placing.admit(currentUserId(ctx), request);
      ctx.state.placing = { request, admitted } satisfies Placing;
      try {
        await next();
      } finally {
        // A no-op once the order settled it.
        admitted.admission.settle(false);
      }
    },
    async (ctx) => {
      const { request, admitted } = ctx.state.placing as Placing;
      const budget = spendBudget(ctx);
      // Awaited by the order before its first write; an order refused before that (no address) leaves it unread.
      budget.catch(() => undefined);
      ctx.status = 201;
      ctx.body = toOrderDto(await placing.place(currentUserId(ctx), ctx.state.openid ?? '', request, admitted, budget));
    },
  ];
}
