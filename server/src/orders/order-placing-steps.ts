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
  place(userId: Types.ObjectId, openid: string, request: Request, admitted: Admitted): Promise<OrderDoc>;
}

/**
 * The middleware of every route that places an order (an order, a cart checkout), behind requireUser: the
 * request parsed and given its place in the stock gate first (sold out is answered there, before the rate limit
 * spends its shared write: a drop's losers cost no write at all), then the rate limit, then the order, 201. The
 * place is always settled: by the order itself, or given back here when anything before it refused.
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
    orderRateLimit(db, config),
    async (ctx) => {
      const { request, admitted } = ctx.state.placing as Placing;
      ctx.status = 201;
      ctx.body = toOrderDto(await placing.place(currentUserId(ctx), ctx.state.openid ?? '', request, admitted));
    },
  ];
}
