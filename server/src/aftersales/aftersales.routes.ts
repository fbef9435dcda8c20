import Router from '@koa/router';
import { PICTURE_MAX_BYTES, aftersalesMessageRequestSchema, createAftersalesRequestSchema } from '@blindbox/shared';
import type { Container } from '../container';
import { fileBody } from '../http/body';
import { currentUserId, requireUser } from '../users/require-user';
import { parseObjectId } from '../object-id';
import { aftersalesView } from './aftersales-view';
import type { AftersalesDoc } from './aftersales.model';

/** Where the shopper uploads a photo: its body is the file's bytes (http/body.ts leaves it to the route). */
export const AFTERSALES_PHOTO_PATH = '/api/aftersales/photos';
/** Twice the picture limit: a photo somewhat too large is told its size in words; a far larger one is cut off (413). */
const PHOTO_BODY_LIMIT = PICTURE_MAX_BYTES * 2;

/** The shopper's side of after-sales: open a request on an order line, read it, write in its thread, add photos. */
export function aftersalesRoutes({ aftersales, aftersalesPhotos, sessions }: Container): Router {
  const router = new Router({ prefix: '/api/aftersales' });
  router.use(requireUser(sessions));
  const viewOf = async (request: AftersalesDoc) => aftersalesView(request, await aftersales.loadOrder(request.orderId));

  router.post('/', async (ctx) => {
    const created = await aftersales.create(currentUserId(ctx), createAftersalesRequestSchema.parse(ctx.request.body));
    ctx.status = 201;
    ctx.body = await viewOf(created);
  });

  // Read only after the session was checked (requireUser above): a stranger's bytes are never taken in.
  router.post('/photos', async (ctx) => {
    const url = await aftersalesPhotos.upload(currentUserId(ctx), await fileBody(ctx, PHOTO_BODY_LIMIT));
    ctx.status = 201;
    ctx.body = { id: url, url };
  });

  // ?orderId=: the requests on one of the shopper's orders (its page marks the lines that have one).
  router.get('/', async (ctx) => {
    const orderId = parseObjectId(typeof ctx.query.orderId === 'string' ? ctx.query.orderId : undefined, 'order');
    const requests = await aftersales.listForOrder(currentUserId(ctx), orderId);
    const order = requests.length > 0 ? await aftersales.loadOrder(orderId) : null;
    ctx.body = { items: order ? requests.map((request) => aftersalesView(request, order)) : [] };
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
