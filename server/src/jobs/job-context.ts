import type { Connection, Types } from 'mongoose';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { OrderDoc } from '../orders/order.model';
import type { ChannelTransaction } from '../payments/payment-channel';
import type { JobScheduler } from './job-scheduler';
import type { ShippingUploadDoc } from '../shipping/shipping-upload.model';
import type { TradeBillReport } from '../bills/trade-bill-report.model';

/**
 * The small interfaces the jobs work through (ports). The wiring (container.ts) is the only place that knows
 * both these and the services implementing them, so no job depends on a concrete service.
 */
export interface OrderClosing {
  closeUnpaid(orderId: Types.ObjectId, cause: { reason: string; actor: string }): Promise<OrderDoc>;
  releaseResources(order: OrderDoc): Promise<void>;
}

export interface LeftoverSweeping {
  /** Finds and heals, hold by hold, what crashes left (orders/order-holds.ts); how many each settled. */
  sweep(now: Date, limit: number): Promise<Record<string, number>>;
}

export interface PaymentSyncing {
  syncWithChannel(order: OrderDoc, actor: string): Promise<OrderDoc>;
  /** Settles a paid order again: what its settling after the channel's answer left undone (payments/apply-payment.ts). */
  settlePaid(order: OrderDoc): Promise<void>;
}

export interface RefundProgressing {
  processRefunds(orderId: Types.ObjectId, actor: string): Promise<{
    outstanding: number;
    needsAttention: number;
    oldestRequestedAt: Date | null;
    order: Pick<OrderDoc, 'status'> | null;
  }>;
}

export interface TransactionLookup {
  /** The order's transaction as the channel it lives on sees it. */
  queryFor(order: Pick<OrderDoc, 'payment'>, outTradeNo: string): Promise<ChannelTransaction | null>;
}

export interface ShippingUploading {
  uploadShipping(orderId: Types.ObjectId, actor: string): Promise<ShippingUploadDoc | null>;
}

export interface TradeBillReconciling {
  /** billDate is the Beijing calendar day, YYYY-MM-DD. */
  reconcileDay(billDate: string, actor: string): Promise<TradeBillReport>;
}

export interface NotificationSweeping {
  /** Queues opened drops' reminders and sends the due subscribe messages (notifications/notifications.ts). */
  sweep(): Promise<{ dropReminders: number; sent: number; refused: number; failed: number; retrying: number }>;
}

/** What every job handler may use; built once in AgendaScheduler.register(). */
export interface JobContext {
  db: Connection;
  config: Config;
  logger: Logger;
  orders: OrderClosing;
  holds: LeftoverSweeping;
  payments: PaymentSyncing;
  refunds: RefundProgressing;
  channels: TransactionLookup;
  shipping: ShippingUploading;
  tradeBills: TradeBillReconciling;
  notifications: NotificationSweeping;
  scheduler: JobScheduler & { ensureRefundJob(orderId: string): Promise<void> };
}

export const JOB_NAMES = {
  expirySweep: 'expiry-sweep',
  reconcilePayments: 'reconcile-payments',
  refundOrder: 'refund-order',
  dailyReport: 'daily-reconciliation-report',
  uploadShippingInfo: 'upload-shipping-info',
  tradeBill: 'trade-bill-reconciliation',
  sendSubscribeMessages: 'send-subscribe-messages',
} as const;

export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

/**
 * Backoff without stored state: wait about half of the time already spent waiting, at least `baseMs`,
 * at most `maxMs`. With base 5 s that gives 5 s, 5 s, 7.5 s, 11 s, … 1 min, … up to the cap. Agenda's
 * backoff strategies count failed attempts; a refund that WeChat keeps reporting PROCESSING is not a
 * failure, so its next look is paced by its age instead.
 */
export function delayByAge(since: Date | null, now: Date, baseMs: number, maxMs: number): number {
  const age = since ? Math.max(0, now.getTime() - since.getTime()) : 0;
  return Math.min(maxMs, Math.max(baseMs, Math.round(age / 2)));
}
