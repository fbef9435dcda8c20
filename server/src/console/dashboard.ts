import { beijingTime, COMPLAINT_DUE_SOON_HOURS, type DashboardResponse } from '@blindbox/shared';
import type { Container } from '../container';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { beijingDayStart } from '../orders/order-search';
import { shippingUploadModel } from '../shipping/shipping-upload.model';

const SERIES_DAYS = 14;
/** The latest trade-bill report is looked for this far back (the job runs daily). */
const BILL_DAYS = 7;
const DAY_MS = 86_400_000;
/** Complaints listed on the front page at most (the complaints page has them all). */
const COMPLAINTS_SHOWN = 5;

type DayFigures = DashboardResponse['series'][number];

/**
 * The console's front page: today's figures (the Beijing day), what waits on the channels and the jobs, what
 * needs a person, and the last 14 days. Each figure is one indexed query (by date, status or check time); the
 * 14 days' orders are bucketed here, which a small shop's volume allows.
 */
export async function dashboard({ db, clock, jobs, tradeBills, complaints }: Container): Promise<DashboardResponse> {
  const Order = orderModel(db);
  const now = clock.now();
  const today = beijingTime(now).slice(0, 10);
  const end = beijingDayStart(today, true);
  const start = new Date(end.getTime() - SERIES_DAYS * DAY_MS);
  const dayOf = (at: Date) => beijingTime(at).slice(0, 10);

  const [placed, paid, refunded, unpaid, refundsOpen, toShip, uploadsPending, health, [latestBill], complaintsDue] = await Promise.all([
    Order.find({ createdAt: { $gte: start, $lt: end } }, { createdAt: 1, paidAt: 1 }).lean<Pick<OrderDoc, 'createdAt' | 'paidAt'>[]>(),
    Order.find({ paidAt: { $gte: start, $lt: end } }, { paidAt: 1, totalFen: 1 }).lean<Pick<OrderDoc, 'paidAt' | 'totalFen'>[]>(),
    // Every order with a refund in the window was refunded last within it or later (lastRefundAt only grows).
    Order.find({ lastRefundAt: { $gte: start } }, { refunds: 1 }).lean<Pick<OrderDoc, 'refunds'>[]>(),
    Order.find({ status: 'TO_BE_PAID' }, { 'payment.current': 1, 'payment.combinedId': 1 }).lean<Pick<OrderDoc, 'payment'>[]>(),
    Order.countDocuments({ refundCheckAt: { $gt: new Date(0) } }),
    Order.countDocuments({ status: 'TO_BE_DELIVERED' }),
    shippingUploadModel(db).countDocuments({ status: 'PENDING' }),
    jobs.health(),
    tradeBills.listSince(new Date(now.getTime() - BILL_DAYS * DAY_MS)),
    complaints.dueBefore(new Date(now.getTime() + COMPLAINT_DUE_SOON_HOURS * 3_600_000), COMPLAINTS_SHOWN),
  ]);

  const series = new Map<string, DayFigures>();
  for (let at = start.getTime(); at < end.getTime(); at += DAY_MS) {
    const day = dayOf(new Date(at));
    series.set(day, { day, orders: 0, paid: 0, revenueFen: 0, refundsFen: 0 });
  }
  for (const order of placed) {
    const figures = series.get(dayOf(order.createdAt));
    if (figures) figures.orders += 1;
  }
  for (const order of paid) {
    const figures = series.get(dayOf(order.paidAt!));
    if (!figures) continue;
    figures.paid += 1;
    figures.revenueFen += order.totalFen;
  }
  let refundsNeedingAttention = 0;
  for (const order of refunded) {
    for (const refund of order.refunds) {
      if (refund.status === 'CLOSED' || refund.status === 'ABNORMAL') refundsNeedingAttention += 1;
      const figures = refund.status === 'CLOSED' ? undefined : series.get(dayOf(new Date(refund.requestedAt)));
      if (figures) figures.refundsFen += refund.amountFen;
    }
  }
  const todayFigures = series.get(today)!;
  const placedToday = placed.filter((order) => dayOf(order.createdAt) === today);
  const findings = latestBill ? Object.values(latestBill.counts ?? {}).reduce((sum, count) => sum + (count ?? 0), 0) : 0;

  return {
    today: {
      ...todayFigures,
      paymentSuccessRate: placedToday.length === 0 ? null : placedToday.filter((order) => order.paidAt).length / placedToday.length,
    },
    callbacksWaiting: {
      payments: unpaid.filter((order) => order.payment.current || order.payment.combinedId).length,
      refunds: refundsOpen,
    },
    jobs: {
      processing: health.processing,
      queues: health.queues.map((queue) => ({ ...queue, nextRunAt: queue.nextRunAt ? new Date(queue.nextRunAt).toISOString() : null })),
    },
    findings: {
      tradeBill: { day: latestBill?._id ?? null, count: findings, failed: latestBill?.status === 'FAILED' },
      refundsNeedingAttention,
      shippingUploadsPending: uploadsPending,
      toShip,
    },
    complaintsDue: complaintsDue.map((complaint) => ({
      id: complaint._id,
      replyDueAt: complaint.replyDueAt!.toISOString(),
      detail: complaint.detail,
      overdue: complaint.replyDueAt!.getTime() <= now.getTime(),
    })),
    series: [...series.values()],
    generatedAt: now.toISOString(),
  };
}
