import Router from '@koa/router';
import { Types } from 'mongoose';
import { combinedPaymentRequestSchema, type CombinedJsapiResponse, type CombinedNativeResponse } from '@blindbox/shared';
import type { Container } from '../container';
import { requireUser } from '../users/require-user';
import type { CombinedPaymentDoc } from './combined-payment.model';
import { qrDataUrlOf } from './payment.routes';

/** One payment for several of the shopper's own unpaid orders; the amount is always the stored orders' sum. */
export function combinedPaymentRoutes({ payments, sessions }: Container): Router {
  const router = new Router({ prefix: '/api/payments/combined' });
  router.use(requireUser(sessions));
  const userOf = (state: { userId?: string }) => new Types.ObjectId(state.userId);
  const orderIdsOf = (body: unknown) => combinedPaymentRequestSchema.parse(body).orderIds.map((id) => new Types.ObjectId(id));
  const view = (combined: CombinedPaymentDoc) => ({
    id: combined._id.toHexString(),
    orderIds: combined.shares.map((share) => share.orderId.toHexString()),
    totalFen: combined.totalFen,
  });

  router.post('/jsapi', async (ctx) => {
    const { combined, params } = await payments.payCombinedJsapi(orderIdsOf(ctx.request.body), userOf(ctx.state), ctx.state.openid ?? '');
    ctx.body = { ...view(combined), params } satisfies CombinedJsapiResponse;
  });

  router.post('/native', async (ctx) => {
    const { combined, codeUrl } = await payments.payCombinedNative(orderIdsOf(ctx.request.body), userOf(ctx.state), ctx.state.openid ?? '');
    ctx.body = { ...view(combined), codeUrl, qrDataUrl: await qrDataUrlOf(codeUrl) } satisfies CombinedNativeResponse;
  });

  return router;
}
