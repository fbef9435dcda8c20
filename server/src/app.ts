import Koa from 'koa';
import type { Container } from './container';
import { errorHandler } from './http/error-handler';
import { requestLog } from './http/request-log';
import { jsonBody } from './http/body';
import { healthRoutes } from './http/health.routes';
import { devRoutes } from './http/dev.routes';
import { serveH5 } from './http/serve-h5';
import { authRoutes } from './users/auth.routes';
import { addressRoutes } from './users/address.routes';
import { catalogRoutes } from './catalog/catalog.routes';
import { couponRoutes } from './coupons/coupon.routes';
import { orderRoutes } from './orders/order.routes';
import { paymentRoutes } from './payments/payment.routes';
import { fairnessRoutes } from './fairness/fairness.routes';
import { profileRoutes } from './users/profile.routes';

/** The Koa app, built from the container; listening is main.ts's business (and the tests'). */
export function createApp(container: Container): Koa {
  const app = new Koa({ proxy: container.config.NODE_ENV === 'production' });
  app.use(requestLog(container.logger));
  app.use(errorHandler());
  app.use(jsonBody(container.config.BODY_LIMIT_BYTES));
  for (const router of [
    healthRoutes(container),
    authRoutes(container),
    catalogRoutes(container),
    addressRoutes(container),
    couponRoutes(container),
    orderRoutes(container),
    paymentRoutes(container),
    fairnessRoutes(container),
    profileRoutes(container),
    devRoutes(container),
  ]) {
    app.use(router.routes()).use(router.allowedMethods());
  }
  if (container.config.H5_DIR) app.use(serveH5(container.config.H5_DIR));
  return app;
}
