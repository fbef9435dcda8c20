import { Types } from 'mongoose';
import type { Agenda } from 'agenda';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { WechatPayApiError } from '../payments/wechatpay/gateway';
import { PaymentRejectedError } from '../payments/payment-rejected-error';
import { AppError } from '../http/app-error';
import { exponentialDelay, JOB_NAMES, type JobContext } from './job-context';

export interface ExpireOrderData {
  orderId: string;
}

/** Transient failures are retried with backoff; anything else is left to the expiry sweep. */
export function expiryRetryDelay(error: Error, attempt: number, baseMs: number, maxMs: number): number | null {
  if (error instanceof WechatPayApiError) return error.retryable && attempt <= 10 ? exponentialDelay(attempt, baseMs, maxMs) : null;
  if (error instanceof PaymentRejectedError || error instanceof AppError) return null;
  return attempt <= 3 ? exponentialDelay(attempt, baseMs, maxMs) : null;
}

/**
 * expire-order: one job per order (unique on data.orderId), due at the order's expiresAt. Closes a still
 * unpaid order at both ends through orders.closeUnpaid, which asks WeChat first and applies a payment it
 * finds instead of closing.
 */
export function defineExpireOrder(agenda: Agenda, ctx: JobContext): void {
  const Order = orderModel(ctx.db);
  const log = ctx.logger.child({ job: JOB_NAMES.expireOrder });

  agenda.define<ExpireOrderData>(
    JOB_NAMES.expireOrder,
    async (job) => {
      const id = job.attrs.data?.orderId;
      if (!id || !Types.ObjectId.isValid(id)) {
        log.error({ data: job.attrs.data }, 'expire-order job without a valid orderId');
        return;
      }
      const orderId = new Types.ObjectId(id);
      const order = await Order.findById(orderId).select({ status: 1, expiresAt: 1, releasedAt: 1 }).lean<Pick<OrderDoc, 'status' | 'expiresAt' | 'releasedAt'>>();
      if (!order) {
        log.warn({ orderId: id }, 'order of an expiry job not found');
        return;
      }
      const unfinishedClose = order.status === 'CLOSED' && !order.releasedAt;
      if (order.status !== 'TO_BE_PAID' && !unfinishedClose) return;
      if (order.status === 'TO_BE_PAID' && order.expiresAt.getTime() > Date.now()) {
        // Ran early (clocks differ between processes, or expiresAt moved): come back at expiry.
        job.schedule(order.expiresAt);
        return;
      }
      const result = await ctx.orders.closeUnpaid(orderId, { reason: 'expired', actor: 'job:expire-order' });
      log.info({ orderId: id, status: result.status }, 'expiry handled');
    },
    {
      concurrency: 10,
      removeOnComplete: true,
      backoff: ({ error, attempt }) => expiryRetryDelay(error, attempt, ctx.config.JOB_RETRY_BASE_MS, ctx.config.JOB_RETRY_MAX_MS),
    },
  );
}
