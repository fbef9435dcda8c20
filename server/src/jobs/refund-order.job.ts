import { Types } from 'mongoose';
import type { Agenda } from 'agenda';
import { exponential } from 'agenda';
import { delayByAge, JOB_NAMES, type JobContext } from './job-context';

export interface RefundOrderData {
  orderId: string;
}

/**
 * refund-order: one job per order (unique on data.orderId). Each run advances every unconfirmed refund of
 * the order (request it, or query it) and, while any is unconfirmed, reschedules itself with a backoff
 * that grows with the age of the oldest one (JOB_RETRY_BASE_MS … JOB_RETRY_MAX_MS).
 */
export function defineRefundOrder(agenda: Agenda, ctx: JobContext): void {
  const log = ctx.logger.child({ job: JOB_NAMES.refundOrder });
  agenda.define<RefundOrderData>(
    JOB_NAMES.refundOrder,
    async (job) => {
      const id = job.attrs.data?.orderId;
      if (!id || !Types.ObjectId.isValid(id)) {
        log.error({ data: job.attrs.data }, 'refund-order job without a valid orderId');
        return;
      }
      const progress = await ctx.refunds.processRefunds(new Types.ObjectId(id), 'job:refund');
      if (progress.outstanding > 0) {
        const now = new Date();
        const delay = delayByAge(progress.oldestRequestedAt, now, ctx.config.JOB_RETRY_BASE_MS, ctx.config.JOB_RETRY_MAX_MS);
        job.schedule(new Date(now.getTime() + delay));
        log.info({ orderId: id, outstanding: progress.outstanding, retryInMs: delay }, 'refund not confirmed yet; rescheduled');
      } else if (progress.order) {
        log.info({ orderId: id, status: progress.order.status, needsAttention: progress.needsAttention }, 'refunds settled');
      }
    },
    {
      concurrency: 5,
      removeOnComplete: true,
      // A thrown error (database trouble) retries too: money owed back is never given up on.
      backoff: exponential({ delay: ctx.config.JOB_RETRY_BASE_MS, maxDelay: ctx.config.JOB_RETRY_MAX_MS, maxRetries: Number.MAX_SAFE_INTEGER }),
    },
  );
}
