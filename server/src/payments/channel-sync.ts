import type { Connection, Types } from 'mongoose';
import type { Logger } from '../logger';
import { NotFound } from '../domain-error';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { canBeClosed } from '../orders/order-state';
import { ChannelError, type ChannelTransaction, type PaymentChannel } from './payment-channel';
import { ChannelNotConfigured, type PaymentChannels } from './payment-channels';
import type { PaymentApplier } from './apply-payment';
import { channelQueryThrottle } from './channel-query-throttle';
import { combinedPaymentModel, type CombinedPaymentDoc, type CombinedShareDoc } from './combined-payment.model';
import { combinedPaymentOutcome, orderPaymentOutcome, type PaymentOutcome } from './payment-status';

/** A combined payment, each share with its order, and what a polling client is told. */
export interface CombinedStatus {
  combined: CombinedPaymentDoc;
  members: Array<{ share: CombinedShareDoc; order: OrderDoc }>;
  outcome: PaymentOutcome;
}

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
  const Combined = combinedPaymentModel(db);
  const channelQueries = channelQueryThrottle(db);
  const log = logger.child({ component: 'payments' });

  /** Asks the open attempt's channel about it and applies a payment it reports; returns the fresh order. */
  async function syncWithChannel(order: OrderDoc, actor: string): Promise<OrderDoc> {
    if (!canBeClosed(order.status)) return order;
    if (order.payment.combinedId) {
      const combined = await Combined.findById(order.payment.combinedId).lean<CombinedPaymentDoc>();
      return combined && (await syncCombined(combined, actor)) ? reread(order) : order;
    }
    const attempt = order.payment.current;
    if (!attempt) return order;
    const channel = channels.of(attempt);
    const tx = await channel.query(attempt.outTradeNo);
    if (tx?.tradeState === 'SUCCESS') return (await applier.applyTransaction(tx, channel.name, actor)).order;
    return order;
  }

  /** Asks the channel about a combined payment and applies a payment it reports to every member; true when paid. */
  async function syncCombined(combined: CombinedPaymentDoc, actor: string): Promise<boolean> {
    if (combined.state === 'CLOSED') return false;
    const channel = channels.of(combined);
    const tx = await channel.query(combined.outTradeNo);
    // The applier decides which states mean paid.
    return tx !== null && (await applier.applyCombinedTransaction(tx, channel.name, actor)).outcome !== 'NOT_PAID';
  }

  /**
   * Closes a combined payment at its channel and releases its members (each may then be paid again, alone or
   * in another combined payment); if it was paid meanwhile, applies the payment and answers 'PAID'.
   * Re-running it finishes a release a crash interrupted.
   */
  async function closeCombined(combined: CombinedPaymentDoc, actor: string): Promise<'CLOSED' | 'PAID'> {
    if (combined.state !== 'CLOSED') {
      if ((await syncCombined(combined, actor)) || combined.state === 'PAID') return 'PAID';
      const channel = channels.of(combined);
      if ((await closeAtChannel(channel, combined.outTradeNo, (tx) => applier.applyCombinedTransaction(tx, channel.name, actor))) === 'PAID') return 'PAID';
      const closed = await Combined.updateOne({ _id: combined._id, state: 'OPEN' }, { $set: { state: 'CLOSED' } });
      if (closed.modifiedCount === 0 && (await Combined.findById(combined._id).lean<CombinedPaymentDoc>())?.state === 'PAID') return 'PAID';
      log.info({ combinedId: combined._id.toHexString(), channel: channel.name, outTradeNo: combined.outTradeNo, actor }, 'combined payment closed');
    }
    await Order.updateMany(
      { _id: { $in: combined.shares.map((share) => share.orderId) }, status: 'TO_BE_PAID', 'payment.combinedId': combined._id },
      { $set: { 'payment.combinedId': null } },
    );
    return 'CLOSED';
  }

  /**
   * Closes the order's open payment at its channel, its own attempt or the combined payment it is in; if it
   * was paid meanwhile, applies the payment and answers 'PAID'.
   */
  async function closeOpenAttempt(order: OrderDoc, actor: string): Promise<'CLOSED' | 'PAID'> {
    if (order.payment.combinedId) {
      const combined = await Combined.findById(order.payment.combinedId).lean<CombinedPaymentDoc>();
      if (combined && (await closeCombined(combined, actor)) === 'PAID') return 'PAID';
    }
    const attempt = order.payment.current;
    if (!attempt) return 'CLOSED';
    const synced = await syncWithChannel(order, actor);
    if (!canBeClosed(synced.status)) return 'PAID';
    const channel = channels.of(attempt);
    if ((await closeAtChannel(channel, attempt.outTradeNo, (tx) => applier.applyTransaction(tx, channel.name, actor))) === 'PAID') return 'PAID';
    log.info({ orderId: order._id.toHexString(), channel: channel.name, outTradeNo: attempt.outTradeNo, actor }, 'channel transaction closed');
    return 'CLOSED';
  }

  /** Closes a transaction at its channel; one paid meanwhile is applied with `apply` instead, and answers 'PAID'. */
  async function closeAtChannel(channel: PaymentChannel, outTradeNo: string, apply: (tx: ChannelTransaction) => Promise<unknown>): Promise<'CLOSED' | 'PAID'> {
    if ((await channel.close(outTradeNo)) !== 'ALREADY_PAID') return 'CLOSED';
    const tx = await channel.query(outTradeNo);
    if (tx) await apply(tx);
    return 'PAID';
  }

  async function reread(order: OrderDoc): Promise<OrderDoc> {
    return (await Order.findById(order._id).lean<OrderDoc>()) ?? order;
  }

  /** A poll that finds the channel unreachable, or no longer configured here, answers from the database instead. */
  function isChannelUnavailable(error: unknown): boolean {
    return error instanceof ChannelError || error instanceof ChannelNotConfigured;
  }

  /** The truth for a polling client: asks the channel (bounded per order) while the notification has not arrived yet. */
  async function paymentStatus(orderId: Types.ObjectId, userId: Types.ObjectId): Promise<PaymentOutcome & { orderNo: string; paidAt: Date | null }> {
    let order = await Order.findOne({ _id: orderId, userId }).lean<OrderDoc>();
    if (!order) throw new NotFound('order');
    try {
      // A poll may ask the channel once per order every few seconds, whatever the number of pollers and processes.
      const open = order.payment.current !== null || Boolean(order.payment.combinedId);
      const mayAsk = canBeClosed(order.status) && open && (await channelQueries.claim(order._id));
      if (mayAsk) order = await syncWithChannel(order, `user:${userId.toHexString()}`);
    } catch (error) {
      // The local state is the answer and the next poll asks again.
      if (!isChannelUnavailable(error)) throw error;
      log.warn({ orderId: orderId.toHexString(), err: error }, 'payment query failed; answering from the database');
    }
    const outcome = orderPaymentOutcome(order);
    return { orderNo: order._id.toHexString(), ...outcome, paidAt: outcome.status === 'PAID' ? order.paidAt : null };
  }

  /** A combined payment of the shopper's and each of its shares with its order as it is now. */
  async function readCombined(combinedId: Types.ObjectId, userId: Types.ObjectId): Promise<CombinedStatus> {
    const combined = await Combined.findOne({ _id: combinedId, userId }).lean<CombinedPaymentDoc>();
    if (!combined) throw new NotFound('payment');
    const found = await Order.find({ _id: { $in: combined.shares.map((share) => share.orderId) } }).lean<OrderDoc[]>();
    const byId = new Map(found.map((order) => [order._id.toHexString(), order]));
    const members = combined.shares.map((share) => {
      const order = byId.get(share.orderId.toHexString());
      if (!order) throw new Error(`order ${share.orderId} of combined payment ${combined._id} vanished`);
      return { share, order };
    });
    return { combined, members, outcome: combinedPaymentOutcome(combined.state, members.map(({ order }) => order.status)) };
  }

  /**
   * The truth for a client polling a combined payment: while it is not settled, asks the channel (bounded per
   * payment, as a member's poll is per order) and applies what it reports to every member.
   */
  async function combinedPaymentStatus(combinedId: Types.ObjectId, userId: Types.ObjectId): Promise<CombinedStatus> {
    const seen = await readCombined(combinedId, userId);
    if (seen.outcome.status !== 'PENDING') return seen;
    try {
      if (!(await channelQueries.claim(combinedId))) return seen;
      await syncCombined(seen.combined, `user:${userId.toHexString()}`);
    } catch (error) {
      if (!isChannelUnavailable(error)) throw error;
      log.warn({ combinedId: combinedId.toHexString(), err: error }, 'combined payment query failed; answering from the database');
      return seen;
    }
    return readCombined(combinedId, userId);
  }

  return { syncWithChannel, closeOpenAttempt, closeCombined, paymentStatus, combinedPaymentStatus };
}

export type ChannelSync = ReturnType<typeof channelSync>;
