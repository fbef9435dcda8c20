import { z } from 'zod';
import { consoleIsoDate } from './common';

export const dayFiguresSchema = z.object({
  /** Beijing day YYYY-MM-DD. */
  day: z.string(),
  /** Orders placed that day. */
  orders: z.number().int(),
  /** Orders paid that day. */
  paid: z.number().int(),
  revenueFen: z.number().int(),
  /** Refunds requested that day (not failed). */
  refundsFen: z.number().int(),
});

/** A complaint shows on the dashboard once its answer is due within this many hours. */
export const COMPLAINT_DUE_SOON_HOURS = 6;

export const dashboardResponseSchema = z.object({
  today: dayFiguresSchema.extend({
    /** paid / orders placed today (0..1); null without orders. */
    paymentSuccessRate: z.number().min(0).max(1).nullable(),
  }),
  /** Waiting for the channel: unpaid orders with an open payment, refunds not confirmed yet. */
  callbacksWaiting: z.object({ payments: z.number().int(), refunds: z.number().int() }),
  jobs: z.object({
    processing: z.boolean(),
    queues: z.array(z.object({ name: z.string(), scheduled: z.number().int(), due: z.number().int(), running: z.number().int(), failed: z.number().int(), nextRunAt: consoleIsoDate.nullable() })),
  }),
  findings: z.object({
    /** Findings of the latest trade-bill report (and the day it is of). */
    tradeBill: z.object({ day: z.string().nullable(), count: z.number().int(), failed: z.boolean() }),
    /** Refunds CLOSED/ABNORMAL at the channel, needing a person. */
    refundsNeedingAttention: z.number().int(),
    /** Shipping-information uploads WeChat has not accepted yet. */
    shippingUploadsPending: z.number().int(),
    /** Paid orders waiting to be shipped. */
    toShip: z.number().int(),
  }),
  /** WeChat Pay complaints whose answer is due within COMPLAINT_DUE_SOON_HOURS (overdue ones first), a few. */
  complaintsDue: z.array(z.object({ id: z.string(), replyDueAt: consoleIsoDate, detail: z.string(), overdue: z.boolean() })),
  /** The last 14 Beijing days, oldest first, today included. */
  series: z.array(dayFiguresSchema),
  generatedAt: consoleIsoDate,
});
export type DashboardResponse = z.infer<typeof dashboardResponseSchema>;
