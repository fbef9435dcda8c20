import Router from '@koa/router';
import { aftersalesMessageRequestSchema, createAftersalesRequestSchema } from '@blindbox/shared';
import type { Container } from '../container';
import { currentUserId, requireUser } from '../users/require-user';
import { parseObjectId } from '../object-id';
import { aftersalesView } from './aftersales-view';
import type { AftersalesDoc } from './aftersales.model';

/** The shopper's side of after-sales: open a request on an order line, read it, write in its thread. */
export function aftersalesRoutes({ aftersales, sessions }: Container): Router {
  const router = new Router({ prefix: '/api/aftersales' });
  router.use(requireUser(sessions));
  const viewOf = async (request: AftersalesDoc) => aftersalesView(request, await aftersales.loadOrder(request.orderId), aftersales.photoUrl);

  router.post('/', async (ctx) => {
    const created = await aftersales.create(currentUserId(ctx), createAftersalesRequestSchema.parse(ctx.request.body));
    ctx.status = 201;
    ctx.body = await viewOf(created);
  });

  // ?orderId=: the requests on one of the shopper's orders (its page marks the lines that have one).
  router.get('/', async (ctx) => {
    const orderId = parseObjectId(typeof ctx.query.orderId === 'string' ? ctx.query.orderId : undefined, 'order');
    const requests = await aftersales.listForOrder(currentUserId(ctx), orderId);
    const order = requests.length > 0 ? await aftersales.loadOrder(orderId) : null;
    ctx.body = { items: order ? requests.map((request) => aftersalesView(request, order, aftersales.photoUrl)) : [] };
  });

  router.get('/:id', async (ctx) => {
    ctx.body = await viewOf(await aftersales.own(currentUserId(ctx), parseObjectId(ctx.params.id, 'after-sales request')));
  });

  router.post('/:id/messages', async (ctx) => {
    const id = parseObjectId(ctx.params.id, 'after-sales request');
    ctx.body = await viewOf(await aftersales.shopperMessage(currentUserId(ctx), id, aftersalesMessageRequestSchema.parse(ctx.request.body)));
  });

  return router;
}
