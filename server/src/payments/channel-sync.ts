import type { Connection, Types } from 'mongoose';
import type { PaymentStatus } from '@blindbox/shared';
import type { Logger } from '../logger';
import { NotFound } from '../domain-error';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { canBeClosed, paymentStatusOf } from '../orders/order-state';
import { ChannelError } from './payment-channel';
import { ChannelNotConfigured, type PaymentChannels } from './payment-channels';
import type { PaymentApplier } from './apply-payment';
import { channelQueryThrottle } from './channel-query-throttle';

export interface ChannelSyncDeps {
  db: Connection;
  logger: Logger;
  channels: Pick<PaymentChannels, 'of'>;
  applier: PaymentApplier;
}

/**
 * Decides what the channel's view of an open attempt means here: a payment it reports is applied through
 * the one path (apply-payment.ts), however the question came (status poll, expiry, reconciliation, admin).
 */
export function channelSync({ db, logger, channels, applier }: ChannelSyncDeps) {
  const Order = orderModel(db);
  const channelQueries = channelQueryThrottle(db);
  const log = logger.child({ component: 'payments' });

  /** Asks the open attempt's channel about it and applies a payment it reports; returns the fresh order. */
  async function syncWithChannel(order: OrderDoc, actor: string): Promise<OrderDoc> {
    const attempt = order.payment.current;
    if (!canBeClosed(order.status) || !attempt) return order;
    const channel = channels.of(attempt);
    const tx = await channel.query(attempt.outTradeNo);
    if (tx?.tradeState === 'SUCCESS') return (await applier.applyTransaction(tx, channel.name, actor)).order;
    return order;
  }

  /** Closes the order's open attempt at its channel; if it was paid meanwhile, applies the payment and answers 'PAID'. */
  async function closeOpenAttempt(order: OrderDoc, actor: string): Promise<'CLOSED' | 'PAID'> {
    const attempt = order.payment.current;
    if (!attempt) return 'CLOSED';
    const synced = await syncWithChannel(order, actor);
    if (!canBeClosed(synced.status)) return 'PAID';
    const channel = channels.of(attempt);
    if ((await channel.close(attempt.outTradeNo)) === 'ALREADY_PAID') {
      const tx = await channel.query(attempt.outTradeNo);
      if (tx) await applier.applyTransaction(tx, channel.name, actor);
      return 'PAID';
    }
    log.info({ orderId: order._id.toHexString(), channel: channel.name, outTradeNo: attempt.outTradeNo, actor }, 'channel transaction closed');
    return 'CLOSED';
  }

  /** The truth for a polling client: asks the channel (bounded per order) while the notification has not arrived yet. */
  async function paymentStatus(orderId: Types.ObjectId, userId: Types.ObjectId): Promise<{ orderNo: string; status: PaymentStatus; paidAt: Date | null }> {
    let order = await Order.findOne({ _id: orderId, userId }).lean<OrderDoc>();
    if (!order) throw new NotFound('order');
    try {
      // A poll may ask the channel once per order every few seconds, whatever the number of pollers and processes.
      const mayAsk = canBeClosed(order.status) && order.payment.current !== null && (await channelQueries.claim(order._id));
      if (mayAsk) order = await syncWithChannel(order, `user:${userId.toHexString()}`);
    } catch (error) {
      // Unreachable, or no longer configured here: the local state is the answer and the next poll asks again.
      if (!(error instanceof ChannelError) && !(error instanceof ChannelNotConfigured)) throw error;
      log.warn({ orderId: orderId.toHexString(), err: error }, 'payment query failed; answering from the database');
    }
    const status = paymentStatusOf(order.status);
    return { orderNo: order._id.toHexString(), status, paidAt: status === 'PAID' ? order.paidAt : null };
  }

  return { syncWithChannel, closeOpenAttempt, paymentStatus };
}

export type ChannelSync = ReturnType<typeof channelSync>;
