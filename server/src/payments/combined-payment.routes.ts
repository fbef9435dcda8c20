import Router from '@koa/router';
import { Types } from 'mongoose';
import { combinedPaymentRequestSchema, type CombinedAlipayResponse, type CombinedJsapiResponse, type CombinedNativeResponse, type CombinedPaymentStatus } from '@blindbox/shared';
import type { Container } from '../container';
import { requireUser } from '../users/require-user';
import type { CombinedPaymentDoc } from './combined-payment.model';
import { parseObjectId } from '../object-id';
import { paymentStatusPollLimit, qrDataUrlOf } from './payment.routes';
import { placingsFirst } from '../orders/placings-first';

/** One payment for several of the shopper's own unpaid orders; the amount is always the stored orders' sum. */
export function combinedPaymentRoutes({ config, db, payments, sessions, orders }: Container): Router {
  const router = new Router({ prefix: '/api/payments/combined' });
  router.use(requireUser(sessions));
  const userOf = (state: { userId?: string }) => new Types.ObjectId(state.userId);
  const starting = placingsFirst(orders);
  const orderIdsOf = (body: unknown) => combinedPaymentRequestSchema.parse(body).orderIds.map((id) => new Types.ObjectId(id));
  const view = (combined: CombinedPaymentDoc) => ({
    id: combined._id.toHexString(),
    orderIds: combined.shares.map((share) => share.orderId.toHexString()),
    totalFen: combined.totalFen,
  });

  router.post('/jsapi', starting, async (ctx) => {
    const { combined, params } = await payments.payCombinedJsapi(orderIdsOf(ctx.request.body), userOf(ctx.state), ctx.state.openid ?? '');
    ctx.body = { ...view(combined), params } satisfies CombinedJsapiResponse;
  });

  router.post('/native', starting, async (ctx) => {
    const { combined, codeUrl } = await payments.payCombinedNative(orderIdsOf(ctx.request.body), userOf(ctx.state), ctx.state.openid ?? '');
    ctx.body = { ...view(combined), codeUrl, qrDataUrl: await qrDataUrlOf(codeUrl) } satisfies CombinedNativeResponse;
  });

  /** Alipay page pay (H5/PC): the self-submitting form that opens Alipay's cashier for the sum. */
  router.post('/alipay', starting, async (ctx) => {
    const { combined, paymentId, formHtml } = await payments.payCombinedAlipayPage(orderIdsOf(ctx.request.body), userOf(ctx.state), ctx.state.openid ?? '');
    ctx.body = { ...view(combined), paymentId, formHtml } satisfies CombinedAlipayResponse;
  });

  /** Polled by the result page until the one payment is in and every member is drawn or refunded its share. */
  router.get('/:id', paymentStatusPollLimit({ config, db }), async (ctx) => {
    const { combined, members, outcome } = await payments.combinedPaymentStatus(parseObjectId(ctx.params.id, 'payment'), userOf(ctx.state));
    const paidAt = outcome.status === 'PAID' ? (members.find(({ order }) => order.paidAt)?.order.paidAt ?? null) : null;
    ctx.body = {
      id: combined._id.toHexString(),
      ...outcome,
      paidAt: paidAt?.toISOString() ?? null,
      totalFen: combined.totalFen,
      orders: members.map(({ share, order }) => ({ orderId: share.orderId.toHexString(), amountFen: share.amountFen, status: order.status })),
    } satisfies CombinedPaymentStatus;
  });

  return router;
}
