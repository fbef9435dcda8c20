import Router from '@koa/router';
import { Types } from 'mongoose';
import { addCartLineRequestSchema, cartCheckoutRequestSchema, setCartQuantityRequestSchema } from '@blindbox/shared';
import type { Container } from '../container';
import { requireUser } from '../users/require-user';
import { parseObjectId } from '../object-id';
import { orderPlacingSteps } from '../orders/order-placing-steps';

export function cartRoutes({ cart, sessions, config, db }: Container): Router {
  const router = new Router({ prefix: '/api/cart' });
  router.use(requireUser(sessions));
  const userOf = (state: { userId?: string }) => new Types.ObjectId(state.userId);

  router.get('/', async (ctx) => {
    ctx.body = await cart.get(userOf(ctx.state));
  });

  router.post('/lines', async (ctx) => {
    const { boxId, quantity } = addCartLineRequestSchema.parse(ctx.request.body);
    ctx.body = await cart.add(userOf(ctx.state), new Types.ObjectId(boxId), quantity);
  });

  router.put('/lines/:boxId', async (ctx) => {
    const { quantity } = setCartQuantityRequestSchema.parse(ctx.request.body);
    ctx.body = await cart.setQuantity(userOf(ctx.state), parseObjectId(ctx.params.boxId, 'box'), quantity);
  });

  router.delete('/lines/:boxId', async (ctx) => {
    ctx.body = await cart.remove(userOf(ctx.state), parseObjectId(ctx.params.boxId, 'box'));
  });

  router.post(
    '/checkout',
    ...orderPlacingSteps(db, config, {
      parse: (body) => cartCheckoutRequestSchema.parse(body),
      admit: (userId) => cart.admit(userId),
      place: (userId, openid, request, admitted) => cart.checkout(userId, openid, request, admitted),
    }),
  );

  return router;
}
