import Koa from 'koa';
import type { Container } from './container';
import { errorHandler } from './http/error-handler';
import { requestLog } from './http/request-log';
import { proxyWarning } from './http/proxy-warning';
import { metricsEndpoint } from './metrics/metrics';
import { jsonBody } from './http/body';
import { ALIPAY_NOTIFY_PATH, MINIPROGRAM_PUSH_PATH } from './payments/callback-paths';
import { healthRoutes } from './http/health.routes';
import { devRoutes } from './http/dev.routes';
import { serveH5 } from './http/serve-h5';
import { authRoutes } from './users/auth.routes';
import { phoneAuthRoutes } from './users/phone-auth.routes';
import { addressRoutes } from './users/address.routes';
import { catalogRoutes } from './catalog/catalog.routes';
import { imageRoutes } from './catalog/images.routes';
import { collectionRoutes } from './collection/collection.routes';
import { couponRoutes } from './coupons/coupon.routes';
import { orderRoutes } from './orders/order.routes';
import { paymentRoutes } from './payments/payment.routes';
import { fairnessRoutes } from './fairness/fairness.routes';
import { publicLogRoutes } from './fairness/public-log.routes';
import { profileRoutes } from './users/profile.routes';
import { cartRoutes } from './cart/cart.routes';
import { combinedPaymentRoutes } from './payments/combined-payment.routes';
import { setRoutes } from './sets/sets.routes';
import { CONSOLE_FILE_UPLOADS, consoleRoutes } from './console/console.routes';
import { AFTERSALES_PHOTO_PATH, aftersalesRoutes } from './aftersales/aftersales.routes';
import { messagePushRoutes } from './shipping/message-push.routes';
import { notificationRoutes } from './notifications/notifications.routes';
import { serveConsole } from './console/serve-console';
import { complaintNotifyRoutes } from './complaints/complaint-notify.routes';
import { soldOutDoor } from './orders/sold-out-door';

/** The Koa app, built from the container; listening is main.ts's business (and the tests'). */
export function createApp(container: Container): Koa {
  // X-Forwarded-For is believed only as far as our own proxies wrote it: each of the TRUSTED_PROXY_HOPS
  // appends one address, so the client is the one that many entries from the end; anything before it is the
  // client's own say.
  const hops = container.config.TRUSTED_PROXY_HOPS;
  const app = new Koa({ proxy: hops > 0, maxIpsCount: hops });
  app.use(requestLog(container.logger));
  app.use(proxyWarning(hops, container.logger));
  app.use(container.metrics.middleware);
  const { commands } = container;
  if (commands) {
    app.use((ctx, next) =>
      commands.count(
        async () => void (await next()),
        () => `${ctx.method} ${(ctx as { _matchedRoute?: string })._matchedRoute ?? ctx.path} ${ctx.status}${(ctx.body as { code?: string } | undefined)?.code ? ` ${(ctx.body as { code: string }).code}` : ''}`,
      ),
    );
  }
  app.use(errorHandler());
  app.use(metricsEndpoint(container.metrics, container.config.METRICS_TOKEN));
  app.use(jsonBody(container.config.BODY_LIMIT_BYTES, { form: [ALIPAY_NOTIFY_PATH], raw: [MINIPROGRAM_PUSH_PATH], file: [...CONSOLE_FILE_UPLOADS, AFTERSALES_PHOTO_PATH] }));
  // A drop's sold-out orders are answered here, before routing and the session check (orders/sold-out-door.ts).
  app.use(soldOutDoor(container.orders));
  for (const router of [
    healthRoutes(container),
    authRoutes(container),
    phoneAuthRoutes(container),
    catalogRoutes(container),
    imageRoutes(container),
    addressRoutes(container),
    couponRoutes(container),
    orderRoutes(container),
    paymentRoutes(container),
    complaintNotifyRoutes(container),
    combinedPaymentRoutes(container),
    cartRoutes(container),
    collectionRoutes(container),
    fairnessRoutes(container),
    publicLogRoutes(container),
    profileRoutes(container),
    setRoutes(container),
    aftersalesRoutes(container),
    notificationRoutes(container),
    consoleRoutes(container),
    messagePushRoutes(container),
    devRoutes(container),
  ]) {
    // throw: the 405 / 501 go through the error handler, in the API's error shape, instead of a plain-text page.
    app.use(router.routes()).use(router.allowedMethods({ throw: true }));
  }
  app.use(serveConsole(container.config.CONSOLE_DIR));
  if (container.config.H5_DIR) app.use(serveH5(container.config.H5_DIR));
  return app;
}
