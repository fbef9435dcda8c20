import type { Connection, Types } from 'mongoose';
import type { JsapiPayParams } from '@blindbox/shared';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { JobScheduler } from '../jobs/job-scheduler';
import type { NotificationHeaders, PaymentChannel } from './payment-channel';
import { paymentApplier } from './apply-payment';
import type { OrderDraws } from '../fairness/order-draws';
import { channelSync } from './channel-sync';
import { paymentAttempts } from './payment-attempts';
import { refundResults } from './refund-results';

export type { ApplyOutcome } from './apply-payment';

export interface PaymentServiceDeps {
  db: Connection;
  config: Pick<Config, 'RECONCILE_GRACE_SECONDS'>;
  logger: Logger;
  channel: PaymentChannel;
  merchant: { appid: string; mchid: string };
  scheduler: JobScheduler;
  draws: OrderDraws;
}

/** The payment domain's face: each part decides one thing (see the files it composes). */
export function paymentService({ db, config, logger, channel, merchant, scheduler, draws }: PaymentServiceDeps) {
  const applier = paymentApplier({ db, logger, merchant, scheduler, draws });
  const sync = channelSync({ db, logger, channel, applier });
  const attempts = paymentAttempts({ db, config, logger, channel, sync });
  const { applyRefundResult } = refundResults({ db, logger });

  return {
    applyTransaction: applier.applyTransaction,
    syncWithChannel: sync.syncWithChannel,
    closeOpenAttempt: sync.closeOpenAttempt,
    paymentStatus: sync.paymentStatus,
    applyRefundResult,

    async payJsapi(orderId: Types.ObjectId, userId: Types.ObjectId, openid: string): Promise<JsapiPayParams> {
      const attempt = await attempts.startPayment(orderId, userId, openid, 'JSAPI');
      if (!attempt.prepayId) throw new Error('prepay returned no prepay_id');
      return channel.clientPayParams(attempt.prepayId);
    },

    async payNative(orderId: Types.ObjectId, userId: Types.ObjectId, openid: string): Promise<string> {
      const attempt = await attempts.startPayment(orderId, userId, openid, 'NATIVE');
      if (!attempt.codeUrl) throw new Error('prepay returned no code_url');
      return attempt.codeUrl;
    },

    async handleNotification(headers: NotificationHeaders, rawBody: Buffer): Promise<void> {
      const notification = await channel.verifyNotification(headers, rawBody);
      if (notification.kind === 'transaction') await applier.applyTransaction(notification.transaction, `${channel.name}:notify`);
      else await applyRefundResult(notification.refund, `${channel.name}:notify`);
    },
  };
}

export type PaymentService = ReturnType<typeof paymentService>;
