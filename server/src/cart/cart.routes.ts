import Router from '@koa/router';
import { Types } from 'mongoose';
import { addCartLineRequestSchema, cartCheckoutRequestSchema, setCartQuantityRequestSchema, type CartCheckoutRequest } from '@blindbox/shared';
import type { Container } from '../container';
import { requireUser } from '../users/require-user';
import { parseObjectId } from '../object-id';
import { orderRateLimit } from '../orders/order-rate-limit';
import { toOrderDto } from '../orders/order-view';
import type { AdmittedCart } from './cart.service';

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
    // As placing an order: sold out is answered before the rate limit (the same budget as orders) spends its write.
    async (ctx, next) => {
      ctx.request.body = cartCheckoutRequestSchema.parse(ctx.request.body);
      const admitted = await cart.admit(userOf(ctx.state));
      ctx.state.admitted = admitted;
      try {
        await next();
      } finally {
        // A refusal before the order is placed gives the place back; after it, this is a no-op.
        admitted.admission.settle(false);
      }
    },
    orderRateLimit(db, config),
    async (ctx) => {
      // Parsed and admitted by the first step above.
      const request = ctx.request.body as CartCheckoutRequest;
      ctx.status = 201;
      ctx.body = toOrderDto(await cart.checkout(userOf(ctx.state), ctx.state.openid ?? '', request, ctx.state.admitted as AdmittedCart));
    },
  );

  return router;
}
