import Router from '@koa/router';
import { Types } from 'mongoose';
import QRCode from 'qrcode';
import type { Container } from '../container';
import { requireUser } from '../users/require-user';
import { parseObjectId } from '../object-id';
import { perMinuteLimit } from '../http/rate-limit';
import { NotificationIgnoredError, NotificationRejectedError } from './wechatpay/gateway';
import { PaymentRejectedError } from './payment-rejected-error';

export function paymentRoutes({ payments, sessions, config, db }: Container): Router {
  const router = new Router({ prefix: '/api' });
  const user = requireUser(sessions);
  const userOf = (state: { userId?: string }) => new Types.ObjectId(state.userId);

  router.post('/orders/:id/pay/jsapi', user, async (ctx) => {
    ctx.body = await payments.payJsapi(parseObjectId(ctx.params.id, 'order'), userOf(ctx.state), ctx.state.openid ?? '');
  });

  router.post('/orders/:id/pay/native', user, async (ctx) => {
    const codeUrl = await payments.payNative(parseObjectId(ctx.params.id, 'order'), userOf(ctx.state), ctx.state.openid ?? '');
    ctx.body = { codeUrl, qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(await QRCode.toString(codeUrl, { type: 'svg', margin: 1 })).toString('base64')}` };
  });

  // WeChat hears about an order at most once per interval however often it is polled (channel-query-throttle);
  // a client polling in a tight loop is told to back off.
  const pollLimit = perMinuteLimit(db, config.RATE_LIMIT_PAYMENT_STATUS_PER_MINUTE, (ctx) => `payment-status:${ctx.state.userId}`);

  router.get('/orders/:id/payment-status', user, pollLimit, async (ctx) => {
    const { status, paidAt } = await payments.paymentStatus(parseObjectId(ctx.params.id, 'order'), userOf(ctx.state));
    ctx.body = { status, paidAt: paidAt?.toISOString() ?? null };
  });

  /**
   * WeChat Pay's callback. 204 only once the outcome is durable, or for a genuine event this URL does not act
   * on; 401 for anything we cannot verify and 400 for verified reports we refuse (both logged, neither changes
   * anything); 5xx on transient failure so WeChat retries.
   */
  router.post('/payments/wechat/notify', async (ctx) => {
    try {
      // headersDistinct: ctx.headers joins a repeated header into one "a, b" value, hiding the repetition.
      await payments.handleNotification(ctx.req.headersDistinct, ctx.state.rawBody ?? Buffer.alloc(0));
      ctx.status = 204;
    } catch (error) {
      if (error instanceof NotificationIgnoredError) {
        ctx.state.log.warn({ eventId: error.eventId, eventType: error.eventType }, 'notification acknowledged, nothing done');
        ctx.status = 204;
      } else if (error instanceof NotificationRejectedError) {
        ctx.state.log.warn({ reason: error.reason, err: error }, 'notification rejected');
        ctx.status = 401;
        ctx.body = { code: 'SIGN_ERROR', message: `notification rejected: ${error.reason}` };
      } else if (error instanceof PaymentRejectedError) {
        ctx.status = 400;
        ctx.body = { code: error.code, message: error.message };
      } else {
        throw error;
      }
    }
  });

  return router;
}
