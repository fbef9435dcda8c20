import type { Connection, Types } from 'mongoose';
import type { PaymentStatus } from '@blindbox/shared';
import type { Logger } from '../logger';
import { NotFound } from '../domain-error';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { canBeClosed, paymentStatusOf } from '../orders/order-state';
import { ChannelError, type PaymentChannel } from './payment-channel';
import type { PaymentApplier } from './apply-payment';
import { channelQueryThrottle } from './channel-query-throttle';

export interface ChannelSyncDeps {
  db: Connection;
  logger: Logger;
  channel: PaymentChannel;
  applier: PaymentApplier;
}

/**
 * Decides what the channel's view of an open attempt means here: a payment it reports is applied through
 * the one path (apply-payment.ts), however the question came (status poll, expiry, reconciliation, admin).
 */
export function channelSync({ db, logger, channel, applier }: ChannelSyncDeps) {
  const Order = orderModel(db);
  const channelQueries = channelQueryThrottle(db);
  const log = logger.child({ component: 'payments' });

  /** Asks the channel about the order's open attempt and applies a payment it reports; returns the fresh order. */
  async function syncWithChannel(order: OrderDoc, actor: string): Promise<OrderDoc> {
    const attempt = order.payment.current;
    if (!canBeClosed(order.status) || !attempt) return order;
    const tx = await channel.query(attempt.outTradeNo);
    if (tx?.tradeState === 'SUCCESS') return (await applier.applyTransaction(tx, actor)).order;
    return order;
  }

  /** Closes the order's open attempt at the channel; if it was paid meanwhile, applies the payment and answers 'PAID'. */
  async function closeOpenAttempt(order: OrderDoc, actor: string): Promise<'CLOSED' | 'PAID'> {
    const attempt = order.payment.current;
    if (!attempt) return 'CLOSED';
    const synced = await syncWithChannel(order, actor);
    if (!canBeClosed(synced.status)) return 'PAID';
    if ((await channel.close(attempt.outTradeNo)) === 'ALREADY_PAID') {
      const tx = await channel.query(attempt.outTradeNo);
      if (tx) await applier.applyTransaction(tx, actor);
      return 'PAID';
    }
    log.info({ orderId: order._id.toHexString(), outTradeNo: attempt.outTradeNo, actor }, 'channel transaction closed');
    return 'CLOSED';
  }

  /** The truth for a polling client: asks the channel while the notification has not arrived yet. */
  async function paymentStatus(orderId: Types.ObjectId, userId: Types.ObjectId): Promise<{ status: PaymentStatus; paidAt: Date | null }> {
    let order = await Order.findOne({ _id: orderId, userId }).lean<OrderDoc>();
    if (!order) throw new NotFound('order');
    try {
      // A poll may ask the channel once per order every few seconds, whatever the number of pollers and processes.
      const mayAsk = canBeClosed(order.status) && order.payment.current !== null && (await channelQueries.claim(order._id));
      if (mayAsk) order = await syncWithChannel(order, `user:${userId.toHexString()}`);
    } catch (error) {
      if (!(error instanceof ChannelError)) throw error;
      log.warn({ orderId: orderId.toHexString(), err: error }, 'payment query failed; answering from the database');
    }
    const status = paymentStatusOf(order.status);
    return { status, paidAt: status === 'PAID' ? order.paidAt : null };
  }

  return { syncWithChannel, closeOpenAttempt, paymentStatus };
}

export type ChannelSync = ReturnType<typeof channelSync>;
