import Router from '@koa/router';
import { Types } from 'mongoose';
import { changeOrderAddressRequestSchema, createOrderRequestSchema, orderListQuerySchema, quoteRequestSchema } from '@blindbox/shared';
import type { Container } from '../container';
import { requireUser } from '../users/require-user';
import { parseObjectId } from '../object-id';
import { toOrderDto } from './order-view';
import { orderPlacingSteps } from './order-placing-steps';
import { ORDERS_PATH } from './order-paths';

export function orderRoutes({ orders, receipts, sessions, config, db }: Container): Router {
  const router = new Router({ prefix: ORDERS_PATH });
  router.use(requireUser(sessions));
  const userOf = (state: { userId?: string }) => new Types.ObjectId(state.userId);

  router.post('/quote', async (ctx) => {
    ctx.body = await orders.quote(userOf(ctx.state), quoteRequestSchema.parse(ctx.request.body));
  });

  router.post(
    '/',
    ...orderPlacingSteps(db, config, {
      parse: (body) => createOrderRequestSchema.parse(body),
      admit: async (_userId, request) => ({ admission: await orders.admit(request.items) }),
      place: (userId, openid, request, { admission }) => orders.create(userId, openid, request, admission),
    }),
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

  router.post('/:id/address', async (ctx) => {
    const { addressId } = changeOrderAddressRequestSchema.parse(ctx.request.body);
    ctx.body = toOrderDto(await orders.changeAddress(parseObjectId(ctx.params.id, 'order'), userOf(ctx.state), new Types.ObjectId(addressId)));
  });

  router.post('/:id/confirm-receipt', async (ctx) => {
    // A mini-program payment is confirmed in WeChat's component; receipts.confirm asks WeChat before the order moves.
    ctx.body = toOrderDto(await receipts.confirm(parseObjectId(ctx.params.id, 'order'), userOf(ctx.state)));
  });

  return router;
}
