import Router from '@koa/router';
import type { Container } from '../container';
import { WECHATPAY_COMPLAINT_NOTIFY_PATH } from '../payments/callback-paths';
import { NotificationIgnoredError, NotificationRejectedError } from '../payments/wechatpay/gateway';

/**
 * WeChat Pay's complaint notifications, answered as its payment callbacks are: 204 once the complaint is read and
 * stored (or for a genuine event this URL does not act on), 401 for anything that does not verify (nothing read,
 * nothing changed), 5xx on a passing failure so WeChat sends it again.
 */
export function complaintNotifyRoutes({ complaints }: Container): Router {
  const router = new Router();
  router.post(WECHATPAY_COMPLAINT_NOTIFY_PATH, async (ctx) => {
    try {
      const outcome = await complaints.handleNotification(ctx.req.headersDistinct, ctx.state.rawBody ?? Buffer.alloc(0));
      ctx.state.log.info({ outcome }, 'complaint notification handled');
      ctx.status = 204;
    } catch (error) {
      if (error instanceof NotificationIgnoredError) {
        ctx.state.log.warn({ eventId: error.eventId, eventType: error.eventType }, 'complaint notification acknowledged, nothing done');
        ctx.status = 204;
      } else if (error instanceof NotificationRejectedError) {
        ctx.state.log.warn({ reason: error.reason, err: error }, 'complaint notification rejected');
        ctx.status = 401;
        ctx.body = { code: 'SIGN_ERROR', message: `notification rejected: ${error.reason}` };
      } else {
        throw error;
      }
    }
  });
  return router;
}
