import Router from '@koa/router';
import { Types } from 'mongoose';
import QRCode from 'qrcode';
import type { PaymentStatusResponse } from '@blindbox/shared';
import type { Container } from '../container';
import { requireUser } from '../users/require-user';
import { parseObjectId } from '../object-id';
import { perMinuteLimit } from '../http/rate-limit';
import { NotificationIgnoredError, NotificationRejectedError } from './wechatpay/gateway';
import { PaymentRejectedError } from './payment-rejected-error';
import { AlipayNotificationRejected } from './alipay/alipay-notification-rejected';
import { parseOutTradeNo } from '../orders/out-trade-no';
import { parseCombinedOutTradeNo } from './combined-payment.model';
import { placingsFirst } from '../orders/placings-first';

/** Alipay posts its notifications form-encoded: the body middleware lets form bodies through here only. */
import { ALIPAY_NOTIFY_PATH, ALIPAY_RETURN_PATH, WECHATPAY_NOTIFY_PATH } from './callback-paths';

/** A Native payment's code URL as a QR image the page can show in an <img>. */
export async function qrDataUrlOf(codeUrl: string): Promise<string> {
  return `data:image/svg+xml;base64,${Buffer.from(await QRCode.toString(codeUrl, { type: 'svg', margin: 1 })).toString('base64')}`;
}

/** The result page's query for a trade: one order's attempt, or a combined payment for several; null for neither. */
function resultPageQuery(outTradeNo: string): string | null {
  const combinedId = parseCombinedOutTradeNo(outTradeNo);
  if (combinedId) return `combinedId=${combinedId.toHexString()}`;
  const attempt = parseOutTradeNo(outTradeNo);
  return attempt ? `orderId=${attempt.orderId.toHexString()}` : null;
}

/**
 * The channel hears about a payment at most once per interval however often it is polled (channel-query-throttle);
 * a client polling in a tight loop is told to back off. One budget per shopper for every payment-status poll,
 * of an order or of a combined payment.
 */
export function paymentStatusPollLimit({ config, db }: Pick<Container, 'config' | 'db'>) {
  return perMinuteLimit(db, config.RATE_LIMIT_PAYMENT_STATUS_PER_MINUTE, (ctx) => `payment-status:${ctx.state.userId}`);
}

export function paymentRoutes({ config, payments, sessions, db, orders }: Container): Router {
  const router = new Router({ prefix: '/api' });
  const user = requireUser(sessions);
  const userOf = (state: { userId?: string }) => new Types.ObjectId(state.userId);
  const starting = placingsFirst(orders);

  router.post('/orders/:id/pay/jsapi', user, starting, async (ctx) => {
    ctx.body = await payments.payJsapi(parseObjectId(ctx.params.id, 'order'), userOf(ctx.state), ctx.state.openid ?? '');
  });

  router.post('/orders/:id/pay/native', user, starting, async (ctx) => {
    const codeUrl = await payments.payNative(parseObjectId(ctx.params.id, 'order'), userOf(ctx.state), ctx.state.openid ?? '');
    ctx.body = { codeUrl, qrDataUrl: await qrDataUrlOf(codeUrl) };
  });

  /** Alipay page pay (H5/PC): the attempt's id and the self-submitting form that opens Alipay's cashier. */
  router.post('/orders/:id/alipay', user, starting, async (ctx) => {
    ctx.body = await payments.payAlipayPage(parseObjectId(ctx.params.id, 'order'), userOf(ctx.state), ctx.state.openid ?? '');
  });

  router.get('/orders/:id/payment-status', user, paymentStatusPollLimit({ config, db }), async (ctx) => {
    const { orderNo, status, reason, paidAt } = await payments.paymentStatus(parseObjectId(ctx.params.id, 'order'), userOf(ctx.state));
    ctx.body = { orderNo, status, reason, paidAt: paidAt?.toISOString() ?? null } satisfies PaymentStatusResponse;
  });

  /**
   * WeChat Pay's callback. 204 only once the outcome is durable, or for a genuine event this URL does not act
   * on; 401 for anything we cannot verify and 400 for verified reports we refuse (both logged, neither changes
   * anything); 5xx on transient failure so WeChat retries.
   */
  router.post(WECHATPAY_NOTIFY_PATH.slice('/api'.length), async (ctx) => {
    try {
      // headersDistinct: ctx.headers joins a repeated header into one "a, b" value, hiding the repetition.
      await payments.handleNotification('wechatpay', ctx.req.headersDistinct, ctx.state.rawBody ?? Buffer.alloc(0));
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

  /**
   * Alipay's asynchronous notification (form-encoded). The signature is verified before any field is read;
   * `success` only once the outcome is durable, or for a trade of ours that Alipay closed unpaid (nothing to do).
   * Anything else (forged, not ours, wrong amount, a trade that was not paid, a transient failure) answers
   * `failure`, changes nothing, and Alipay retries.
   */
  router.post(ALIPAY_NOTIFY_PATH.slice('/api'.length), async (ctx) => {
    ctx.type = 'text/plain';
    try {
      const outcome = await payments.handleNotification('alipay', ctx.headers, ctx.state.rawBody ?? Buffer.alloc(0));
      ctx.body = outcome === 'NOT_PAID' ? 'failure' : 'success';
    } catch (error) {
      const refused = error instanceof AlipayNotificationRejected || error instanceof PaymentRejectedError;
      ctx.state.log[refused ? 'warn' : 'error']({ err: error }, 'Alipay notification not applied');
      ctx.body = 'failure';
    }
  });

  /**
   * Where Alipay's cashier sends the shopper's browser. Verified, then redirected to the H5 result page,
   * which polls payment-status: a return proves nothing about payment and never marks an order paid.
   */
  router.get(ALIPAY_RETURN_PATH.slice('/api'.length), async (ctx) => {
    const params = Object.fromEntries(Object.entries(ctx.query).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    let outTradeNo: string | null;
    try {
      outTradeNo = payments.verifyReturn('alipay', params)?.outTradeNo ?? null;
    } catch (error) {
      if (!(error instanceof AlipayNotificationRejected)) throw error;
      ctx.state.log.warn({ reason: error.reason, err: error }, 'Alipay return rejected');
      outTradeNo = null;
    }
    const query = outTradeNo ? resultPageQuery(outTradeNo) : null;
    if (!query) {
      ctx.status = 400;
      ctx.body = { code: 'SIGN_ERROR', message: 'return parameters do not verify' };
      return;
    }
    ctx.redirect(`${config.ALIPAY_RESULT_PAGE_URL}?${query}`);
  });

  return router;
}
