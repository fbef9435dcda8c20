import type { Middleware } from 'koa';
import type { OrderService } from './order.service';

/**
 * For the routes that start a payment (prepays, page pays, combined or not): a drop's shoppers waiting in line
 * to place an order go first (order.service.ts placingsFirst). Put after the session check, so a request
 * refused anyway does not wait.
 */
export const placingsFirst =
  (orders: Pick<OrderService, 'placingsFirst'>): Middleware =>
  async (_ctx, next) => {
    await orders.placingsFirst();
    await next();
  };
