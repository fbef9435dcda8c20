import type { Agenda } from 'agenda';
import { ORDER_HISTORY } from '@blindbox/shared';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { JOB_NAMES, type JobContext } from './job-context';

/** A payment settles its order right after answering; a mark older than this was left by a crash. */
export const SETTLE_GRACE_MS = 60_000;

export interface ExpirySweepResult {
  closed: number;
  released: number;
  /** Paid orders whose settling after the payment's answer (holds kept, public log) was finished here. */
  settled: number;
  refundJobsEnsured: number;
  /** Holds (stock, positions, quota, caps, coupon, item takes) of orders that settled without finishing their keep or give-back. */
  leftoversSettled: number;
  failed: number;
}

/**
 * One pass of expiry, every EXPIRY_SWEEP_INTERVAL_SECONDS: unpaid orders past expiresAt are closed at both
 * ends (one indexed query instead of a job per order, so the jobs collection stays small and placing an
 * order writes nothing there), closed orders whose release step was interrupted are released, paid orders whose
 * settling after the payment's answer was interrupted are settled, orders with
 * unconfirmed refunds get their refund job back, and stock holds or locked coupons left behind by any other
 * interrupted settle or release are settled (orders/order-holds.ts). Each query is index-backed and
 * limited to RECONCILE_BATCH_SIZE, so a pass costs what is due, not what is stored.
 */
export async function runExpirySweep(ctx: JobContext, actor = 'job:expiry-sweep', touch: () => Promise<unknown> = async () => undefined): Promise<ExpirySweepResult> {
  const Order = orderModel(ctx.db);
  const log = ctx.logger.child({ job: JOB_NAMES.expirySweep });
  const limit = ctx.config.RECONCILE_BATCH_SIZE;
  const result: ExpirySweepResult = { closed: 0, released: 0, settled: 0, refundJobsEnsured: 0, leftoversSettled: 0, failed: 0 };

  // Index { status, expiresAt }.
  const expired = await Order.find({ status: 'TO_BE_PAID', expiresAt: { $lte: new Date() } })
    .sort({ expiresAt: 1 })
    .limit(limit)
    .select({ _id: 1 })
    .lean<Array<Pick<OrderDoc, '_id'>>>();
  for (const { _id } of expired) {
    await touch();
    try {
      const order = await ctx.orders.closeUnpaid(_id, { reason: ORDER_HISTORY.expired.write(), actor });
      if (order.status === 'CLOSED') result.closed += 1;
    } catch (error) {
      result.failed += 1;
      log.warn({ orderId: _id.toHexString(), err: error }, 'expired order not closed; next sweep retries');
    }
  }

  /** Finishes one interrupted step for each order found, counting what it did; a failure is left to the next sweep. */
  async function finish(orders: OrderDoc[], done: 'released' | 'settled', what: string, step: (order: OrderDoc) => Promise<unknown>): Promise<void> {
    for (const order of orders) {
      await touch();
      try {
        await step(order);
        result[done] += 1;
      } catch (error) {
        result.failed += 1;
        log.warn({ orderId: order._id.toHexString(), err: error }, `${what} failed; next sweep retries`);
      }
    }
  }

  // Index { releaseDueAt }: a crash after the CLOSED transition left stock or coupon held.
  const unreleased = await Order.find({ releaseDueAt: { $lte: new Date() } }).limit(limit).lean<OrderDoc[]>();
  await finish(unreleased, 'released', 'release after close', (order) => ctx.orders.releaseResources(order));

  // Index { settleDueAt }: a crash after a payment's answer cut its settling short (holds kept, public log).
  // Only marks older than SETTLE_GRACE_MS: younger ones are most likely still being settled by their applier.
  const unsettled = await Order.find({ settleDueAt: { $lte: new Date(Date.now() - SETTLE_GRACE_MS) } }).limit(limit).lean<OrderDoc[]>();
  await finish(unsettled, 'settled', 'settling after payment', (order) => ctx.payments.settlePaid(order));

  // Index { refundCheckAt }: orders with a refund WeChat has not confirmed, in case their job was lost.
  const refunding = await Order.find({ refundCheckAt: { $lte: new Date() } })
    .limit(limit)
    .select({ _id: 1 })
    .lean<Array<Pick<OrderDoc, '_id'>>>();
  for (const { _id } of refunding) {
    await ctx.scheduler.ensureRefundJob(_id.toHexString());
    result.refundJobsEnsured += 1;
  }

  await touch();
  const leftovers = await ctx.holds.sweep(new Date(), limit);
  result.leftoversSettled = Object.values(leftovers).reduce((sum, n) => sum + n, 0);

  if (result.closed || result.released || result.settled || result.leftoversSettled || result.failed) log.info({ ...result }, 'expiry sweep');
  return result;
}

export function defineExpirySweep(agenda: Agenda, ctx: JobContext): void {
  agenda.define(JOB_NAMES.expirySweep, async (job) => {
    await runExpirySweep(ctx, 'job:expiry-sweep', () => job.touch());
  }, { concurrency: 1, lockLimit: 1 });
}
