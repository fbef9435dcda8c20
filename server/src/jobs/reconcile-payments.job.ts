import type { Agenda } from 'agenda';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { JOB_NAMES, type JobContext } from './job-context';

export interface ReconcileResult {
  checked: number;
  applied: number;
  failed: number;
}

/**
 * Asks WeChat about unpaid orders whose prepay is older than the grace period (their callback is late or
 * lost) and applies a payment it reports. Index { status, reconcileAt }: the prepay sets reconcileAt to
 * the end of the grace period and each check moves it one spacing on, so a run reads only what is due
 * (RECONCILE_BATCH_SIZE, most overdue first) and the oldest pending orders do not hog every batch.
 */
export async function runReconcilePayments(ctx: JobContext, actor = 'job:reconcile', touch: () => Promise<unknown> = async () => undefined): Promise<ReconcileResult> {
  const Order = orderModel(ctx.db);
  const log = ctx.logger.child({ job: JOB_NAMES.reconcilePayments });
  const now = Date.now();
  const recheckSpacingMs = Math.max(ctx.config.RECONCILE_INTERVAL_SECONDS, ctx.config.RECONCILE_GRACE_SECONDS) * 1000;
  const pending = await Order.find({ status: 'TO_BE_PAID', reconcileAt: { $lte: new Date(now) } })
    .sort({ reconcileAt: 1 })
    .limit(ctx.config.RECONCILE_BATCH_SIZE)
    .lean<OrderDoc[]>();
  const result: ReconcileResult = { checked: 0, applied: 0, failed: 0 };
  for (const order of pending) {
    await touch();
    const fields = { orderId: order._id.toHexString(), outTradeNo: order.payment.current?.outTradeNo };
    // Marked first, so an order whose query keeps failing does not block the batch on every run.
    const checkedAt = new Date();
    await Order.updateOne(
      { _id: order._id },
      { $set: { 'payment.lastCheckedAt': checkedAt, reconcileAt: new Date(checkedAt.getTime() + recheckSpacingMs) } },
      { timestamps: false },
    );
    result.checked += 1;
    try {
      const synced = await ctx.payments.syncWithChannel(order, actor);
      if (synced.status !== 'TO_BE_PAID') {
        result.applied += 1;
        log.info({ ...fields, status: synced.status }, 'late payment applied by reconciliation');
      }
    } catch (error) {
      result.failed += 1;
      log.warn({ ...fields, err: error }, 'reconciliation query failed; next run retries');
    }
  }
  if (result.applied || result.failed) log.info({ ...result }, 'reconciliation run');
  return result;
}

export function defineReconcilePayments(agenda: Agenda, ctx: JobContext): void {
  agenda.define(JOB_NAMES.reconcilePayments, async (job) => {
    await runReconcilePayments(ctx, 'job:reconcile', () => job.touch());
  }, { concurrency: 1, lockLimit: 1 });
}
