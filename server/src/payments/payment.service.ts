import type { Connection, Types } from 'mongoose';
import type { JsapiPayParams } from '@blindbox/shared';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { JobScheduler } from '../jobs/job-scheduler';
import type { ChannelName, NotificationHeaders } from './payment-channel';
import type { PaymentChannels } from './payment-channels';
import { paymentApplier, type ApplyOutcome, type HoldSettling } from './apply-payment';
import type { OrderDraws } from '../fairness/order-draws';
import { channelSync } from './channel-sync';
import { paymentAttempts } from './payment-attempts';
import { refundResults } from './refund-results';
import { combinedPayments } from './combined-payments';
import type { CombinedPaymentDoc } from './combined-payment.model';
import type { Notifier } from '../notifications/notifier';

export type { ApplyOutcome } from './apply-payment';

export interface PaymentServiceDeps {
  db: Connection;
  config: Pick<Config, 'RECONCILE_GRACE_SECONDS'>;
  logger: Logger;
  channels: PaymentChannels;
  scheduler: JobScheduler;
  draws: OrderDraws;
  holds: HoldSettling;
  /** Tells the shopper a refund landed. */
  notifier: Notifier;
}

/** The payment domain's face: each part decides one thing (see the files it composes). */
export function paymentService({ db, config, logger, channels, scheduler, draws, holds, notifier }: PaymentServiceDeps) {
  const applier = paymentApplier({ db, logger, channels, scheduler, draws, holds });
  const sync = channelSync({ db, logger, channels, applier });
  const attempts = paymentAttempts({ db, config, logger, channels, sync });
  const combined = combinedPayments({ db, config, logger, channels, sync });
  const { applyRefundResult } = refundResults({ db, logger, notifier });

  return {
    applyTransaction: applier.applyTransaction,
    applyCombinedTransaction: applier.applyCombinedTransaction,
    applyReported: applier.applyReported,
    settlePaid: applier.settle,
    settled: applier.settled,
    stopSettling: applier.stopSettling,
    syncWithChannel: sync.syncWithChannel,
    closeOpenAttempt: sync.closeOpenAttempt,
    paymentStatus: sync.paymentStatus,
    combinedPaymentStatus: sync.combinedPaymentStatus,
    applyRefundResult,

    async payJsapi(orderId: Types.ObjectId, userId: Types.ObjectId, openid: string): Promise<JsapiPayParams> {
      const { result } = await attempts.startPayment(orderId, userId, openid, { channel: 'wechatpay', kind: 'JSAPI' });
      if (!result.prepayId) throw new Error('prepay returned no prepay_id');
      return channels.get('wechatpay').clientPayParams(result.prepayId);
    },

    /** One JSAPI payment for several of the shopper's unpaid orders. */
    async payCombinedJsapi(orderIds: readonly Types.ObjectId[], userId: Types.ObjectId, openid: string): Promise<{ combined: CombinedPaymentDoc; params: JsapiPayParams }> {
      const { combined: opened, result } = await combined.startCombinedPayment(orderIds, userId, openid, { channel: 'wechatpay', kind: 'JSAPI' });
      if (!result.prepayId) throw new Error('prepay returned no prepay_id');
      return { combined: opened, params: channels.get('wechatpay').clientPayParams(result.prepayId) };
    },

    /** One Native (QR) payment for several of the shopper's unpaid orders. */
    async payCombinedNative(orderIds: readonly Types.ObjectId[], userId: Types.ObjectId, openid: string): Promise<{ combined: CombinedPaymentDoc; codeUrl: string }> {
      const { combined: opened, result } = await combined.startCombinedPayment(orderIds, userId, openid, { channel: 'wechatpay', kind: 'NATIVE' });
      if (!result.codeUrl) throw new Error('prepay returned no code_url');
      return { combined: opened, codeUrl: result.codeUrl };
    },

    /** One Alipay page payment for several of the shopper's unpaid orders: its out_trade_no and the form to the cashier. */
    async payCombinedAlipayPage(orderIds: readonly Types.ObjectId[], userId: Types.ObjectId, openid: string): Promise<{ combined: CombinedPaymentDoc; paymentId: string; formHtml: string }> {
      const { combined: opened, result } = await combined.startCombinedPayment(orderIds, userId, openid, { channel: 'alipay', kind: 'PAGE' });
      if (!result.formHtml) throw new Error('page pay returned no form');
      return { combined: opened, paymentId: opened.outTradeNo, formHtml: result.formHtml };
    },

    async payNative(orderId: Types.ObjectId, userId: Types.ObjectId, openid: string): Promise<string> {
      const { result } = await attempts.startPayment(orderId, userId, openid, { channel: 'wechatpay', kind: 'NATIVE' });
      if (!result.codeUrl) throw new Error('prepay returned no code_url');
      return result.codeUrl;
    },

    /** Alipay page pay: the attempt's out_trade_no (the reference API's paymentId) and the form to the cashier. */
    async payAlipayPage(orderId: Types.ObjectId, userId: Types.ObjectId, openid: string): Promise<{ paymentId: string; formHtml: string }> {
      const { attempt, result } = await attempts.startPayment(orderId, userId, openid, { channel: 'alipay', kind: 'PAGE' });
      if (!result.formHtml) throw new Error('page pay returned no form');
      return { paymentId: attempt.outTradeNo, formHtml: result.formHtml };
    },

    /**
     * Verifies a notification from `channel` (its adapter throws its own rejection error first, before anything
     * is read) and applies it; answers what the money did ('NOT_PAID' for a report of an unpaid trade).
     */
    async handleNotification(channelName: ChannelName, headers: NotificationHeaders, rawBody: Buffer): Promise<ApplyOutcome | 'REFUND_RECORDED' | 'CLOSED'> {
      const channel = channels.get(channelName);
      const notification = await channel.verifyNotification(headers, rawBody);
      if (notification.kind === 'refund') {
        await applyRefundResult(notification.refund, `${channel.name}:notify`);
        return 'REFUND_RECORDED';
      }
      const outcome = await applier.applyReported(notification.transaction, channel.name, `${channel.name}:notify`);
      // A verified report, for a trade of ours, that it closed unpaid (Alipay's TRADE_CLOSED after a close): nothing
      // to do, and nothing for the channel to send again.
      return outcome === 'NOT_PAID' && notification.transaction.tradeState === 'CLOSED' ? 'CLOSED' : outcome;
    },

    /** Where the shopper's browser comes back from a redirect channel's cashier: which order it was for. */
    verifyReturn(channelName: ChannelName, params: Record<string, string>): { outTradeNo: string } | null {
      return channels.get(channelName).verifyReturn?.(params) ?? null;
    },
  };
}

export type PaymentService = ReturnType<typeof paymentService>;
