import { Types } from 'mongoose';
import type { Agenda } from 'agenda';
import type { OrderStatus } from '@blindbox/shared';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { outTradeNoOfOrder } from '../orders/out-trade-no';
import { isOnRefund, isPaid } from '../orders/order-state';
import type { ChannelTransaction } from '../payments/payment-channel';
import { JOB_NAMES, type JobContext } from './job-context';

/** How one order compares with WeChat's view of its transaction. */
export type ReportOutcome =
  | 'MATCH_PAID'
  | 'MATCH_UNPAID'
  | 'MATCH_CLOSED'
  | 'MATCH_REFUND'
  | 'MISMATCH_PAID_AT_WECHAT_ORDER_UNPAID'
  | 'MISMATCH_PAID_AT_WECHAT_ORDER_CLOSED'
  | 'MISMATCH_ORDER_PAID_WECHAT_NOT_PAID'
  | 'MISMATCH_TRANSACTION_ID'
  | 'QUERY_FAILED';

export interface ReportMismatch {
  orderId: string;
  outTradeNo: string;
  outcome: ReportOutcome;
  orderStatus: OrderStatus;
  tradeState: string | null;
  orderTransactionId: string | null;
  wechatTransactionId: string | null;
}

export interface ReconciliationReport {
  since: Date;
  until: Date;
  checked: number;
  truncated: boolean;
  outcomes: Partial<Record<ReportOutcome, number>>;
  mismatches: ReportMismatch[];
}


export function classify(order: OrderDoc, tx: ChannelTransaction | null): ReportOutcome {
  const state = tx?.tradeState ?? null;
  const wechatPaid = state === 'SUCCESS' || state === 'REFUND';
  if (wechatPaid) {
    if (order.status === 'TO_BE_PAID') return 'MISMATCH_PAID_AT_WECHAT_ORDER_UNPAID';
    if (order.status === 'CLOSED') return 'MISMATCH_PAID_AT_WECHAT_ORDER_CLOSED';
    const known = [order.payment.transactionId, ...order.payment.extraTransactionIds];
    if (tx?.transactionId && !known.includes(tx.transactionId)) return 'MISMATCH_TRANSACTION_ID';
    return isOnRefund(order.status) || state === 'REFUND' ? 'MATCH_REFUND' : 'MATCH_PAID';
  }
  if (isPaid(order.status) || isOnRefund(order.status)) return 'MISMATCH_ORDER_PAID_WECHAT_NOT_PAID';
  return order.status === 'TO_BE_PAID' ? 'MATCH_UNPAID' : 'MATCH_CLOSED';
}

/**
 * Compares orders created in [since, until) that opened a payment attempt with WeChat's state of their
 * transaction (the paid one, else the latest attempt). Bounded by `limit`; _id carries the creation time,
 * so the range is an _id range (always indexed).
 */
export async function buildReconciliationReport(
  ctx: JobContext,
  options: { since?: Date; until?: Date; limit?: number; touch?: () => Promise<unknown> } = {},
): Promise<ReconciliationReport> {
  const Order = orderModel(ctx.db);
  const until = options.until ?? new Date();
  const since = options.since ?? new Date(until.getTime() - 24 * 3600_000);
  const limit = options.limit ?? ctx.config.RECONCILE_REPORT_LIMIT;
  const orders = await Order.find({
    _id: { $gte: Types.ObjectId.createFromTime(Math.floor(since.getTime() / 1000)), $lt: Types.ObjectId.createFromTime(Math.ceil(until.getTime() / 1000)) },
    // An order paid, or to be paid, only within a combined payment never opened an attempt of its own.
    $or: [{ 'payment.attemptCount': { $gte: 1 } }, { 'payment.combinedId': { $ne: null } }],
  })
    .sort({ _id: 1 })
    .limit(limit + 1)
    .lean<OrderDoc[]>();
  const report: ReconciliationReport = { since, until, checked: 0, truncated: orders.length > limit, outcomes: {}, mismatches: [] };
  for (const order of orders.slice(0, limit)) {
    if (report.checked % 20 === 0) await options.touch?.();
    // The query above only finds orders that opened a payment.
    const outTradeNo = outTradeNoOfOrder(order) as string;
    let outcome: ReportOutcome;
    let tx: ChannelTransaction | null = null;
    try {
      tx = await ctx.channels.queryFor(order, outTradeNo);
      outcome = classify(order, tx);
    } catch {
      outcome = 'QUERY_FAILED';
    }
    report.checked += 1;
    report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1;
    if (outcome.startsWith('MISMATCH') || outcome === 'QUERY_FAILED') {
      report.mismatches.push({
        orderId: order._id.toHexString(),
        outTradeNo,
        outcome,
        orderStatus: order.status,
        tradeState: tx?.tradeState ?? null,
        orderTransactionId: order.payment.transactionId,
        wechatTransactionId: tx?.transactionId ?? null,
      });
    }
  }
  return report;
}

/** Writes the report to the log: one summary line, then one line per mismatch. */
export function logReconciliationReport(ctx: JobContext, report: ReconciliationReport): void {
  const log = ctx.logger.child({ job: JOB_NAMES.dailyReport });
  log.info(
    {
      report: 'daily-reconciliation',
      since: report.since.toISOString(),
      until: report.until.toISOString(),
      checked: report.checked,
      truncated: report.truncated,
      outcomes: report.outcomes,
      mismatches: report.mismatches.length,
    },
    'daily reconciliation summary',
  );
  for (const mismatch of report.mismatches) {
    log.warn({ report: 'daily-reconciliation', alert: mismatch.outcome !== 'QUERY_FAILED', ...mismatch }, 'daily reconciliation mismatch');
  }
}

export function defineDailyReconciliationReport(agenda: Agenda, ctx: JobContext): void {
  agenda.define(JOB_NAMES.dailyReport, async (job) => {
    logReconciliationReport(ctx, await buildReconciliationReport(ctx, { touch: () => job.touch() }));
  }, { concurrency: 1, lockLimit: 1 });
}
