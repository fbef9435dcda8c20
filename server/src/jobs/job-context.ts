import type { Connection } from 'mongoose';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { OrderService } from '../orders/order.service';
import type { PaymentService } from '../payments/payment.service';
import type { RefundService } from '../payments/refund.service';
import type { WechatPayGateway } from '../payments/wechatpay/gateway';
import type { JobScheduler } from './job-scheduler';

/** What every job handler may use; built once in AgendaScheduler.register(). */
export interface JobContext {
  db: Connection;
  config: Config;
  logger: Logger;
  orders: OrderService;
  payments: PaymentService;
  refunds: RefundService;
  wechatPay: WechatPayGateway;
  scheduler: JobScheduler & { ensureRefundJob(orderId: string): Promise<void> };
}

export const JOB_NAMES = {
  expirySweep: 'expiry-sweep',
  reconcilePayments: 'reconcile-payments',
  refundOrder: 'refund-order',
  dailyReport: 'daily-reconciliation-report',
} as const;

export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

/** base, 2·base, 4·base, … capped: the delay before retry number `attempt` (1-based). */
export function exponentialDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
}

/**
 * Backoff without stored state: wait about half of the time already spent waiting, at least `baseMs`,
 * at most `maxMs`. With base 5 s that gives 5 s, 5 s, 7.5 s, 11 s, … 1 min, … up to the cap.
 */
export function delayByAge(since: Date | null, now: Date, baseMs: number, maxMs: number): number {
  const age = since ? Math.max(0, now.getTime() - since.getTime()) : 0;
  return Math.min(maxMs, Math.max(baseMs, Math.round(age / 2)));
}
