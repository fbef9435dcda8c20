import Router from '@koa/router';
import { Types } from 'mongoose';
import { createOrderRequestSchema, orderListQuerySchema, quoteRequestSchema, type CreateOrderRequest } from '@blindbox/shared';
import type { Container } from '../container';
import { requireUser } from '../users/require-user';
import { parseObjectId } from '../object-id';
import { orderRateLimit } from './order-rate-limit';
import { toOrderDto } from './order-view';
import type { Admission } from './stock-gate';

export function orderRoutes({ orders, receipts, sessions, config, db }: Container): Router {
  const router = new Router({ prefix: '/api/orders' });
  router.use(requireUser(sessions));
  const userOf = (state: { userId?: string }) => new Types.ObjectId(state.userId);

  router.post('/quote', async (ctx) => {
    ctx.body = await orders.quote(userOf(ctx.state), quoteRequestSchema.parse(ctx.request.body));
  });

  router.post(
    '/',
    // Sold out is answered before the rate limit spends its shared write: a drop's losers cost no write at all.
    async (ctx, next) => {
      const request = createOrderRequestSchema.parse(ctx.request.body);
      const admission = await orders.admit(request.items);
      ctx.request.body = request;
      ctx.state.admission = admission;
      try {
        await next();
      } finally {
        // A refusal before create() (the rate limit) gives the place back; after create() this is a no-op.
        admission.settle(false);
      }
    },
    orderRateLimit(db, config),
    async (ctx) => {
      // Parsed and admitted by the first step above.
      const request = ctx.request.body as CreateOrderRequest;
      ctx.status = 201;
      ctx.body = toOrderDto(await orders.create(userOf(ctx.state), ctx.state.openid ?? '', request, ctx.state.admission as Admission));
    },
  );

  router.get('/', async (ctx) => {
    const query = orderListQuerySchema.parse(ctx.query);
    const { items, total } = await orders.list(userOf(ctx.state), query);
    ctx.body = { items: items.map(toOrderDto), page: query.page, pageSize: query.pageSize, total };
  });

  router.get('/:id', async (ctx) => {
    ctx.body = toOrderDto(await orders.get(parseObjectId(ctx.params.id, 'order'), userOf(ctx.state)));
  });

  router.post('/:id/cancel', async (ctx) => {
    ctx.body = toOrderDto(await orders.cancel(parseObjectId(ctx.params.id, 'order'), userOf(ctx.state)));
  });

  router.post('/:id/confirm-receipt', async (ctx) => {
    // A mini-program payment is confirmed in WeChat's component; receipts.confirm asks WeChat before the order moves.
    ctx.body = toOrderDto(await receipts.confirm(parseObjectId(ctx.params.id, 'order'), userOf(ctx.state)));
  });

  return router;
}
