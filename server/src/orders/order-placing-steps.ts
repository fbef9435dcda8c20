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
  /** `allowed`: the shopper's order budget being spent; the placing awaits it with its reads, before its first write. */
  place(userId: Types.ObjectId, openid: string, request: Request, admitted: Admitted, allowed: Promise<void>): Promise<OrderDoc>;
}

/**
 * The middleware of every route that places an order (an order, a cart checkout), behind requireUser: the
 * request parsed and given its place in the stock gate first (sold out is answered there, before the rate limit
 * spends its shared write: a drop's losers cost no write at all), then the order, 201, with the rate limit's
 * write under way meanwhile (a winner waits for it and its reads at once, not one after the other). The place is
 * always settled: by the order itself, or given back here when anything before it refused.
 */
export function orderPlacingSteps<Request, Admitted extends { admission: Admission }>(
  db: Connection,
  config: Pick<Config, 'RATE_LIMIT_ORDERS_PER_MINUTE'>,
  placing: OrderPlacing<Request, Admitted>,
): Middleware[] {
  interface Placing {
    request: Request;
    admitted: Admitted;
  }
  const spendOrderBudget = orderRateLimit(db, config);
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
      const allowed = spendOrderBudget(ctx);
      // Awaited by the placing; when it refuses first (a bad address), the 429 is not its answer.
      allowed.catch(() => undefined);
      ctx.status = 201;
      ctx.body = toOrderDto(await placing.place(currentUserId(ctx), ctx.state.openid ?? '', request, admitted, allowed));
    },
  ];
}
