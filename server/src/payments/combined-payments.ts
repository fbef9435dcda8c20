import { Types, type Connection } from 'mongoose';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { NotFound } from '../domain-error';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { OrderStateConflict } from '../orders/order-errors';
import type { PrepayResult } from './payment-channel';
import type { PaymentChannels } from './payment-channels';
import type { ChannelSync } from './channel-sync';
import { OrderInOpenPayment } from './payment-errors';
import { assertPayable, descriptionOf, PREPAY_VALIDITY_MS, prepareAtChannel, shopperRetryable, type PaymentMethod } from './payment-attempts';
import { combinedOutTradeNo, combinedPaymentModel, type CombinedPaymentDoc } from './combined-payment.model';

export interface CombinedPaymentsDeps {
  db: Connection;
  config: Pick<Config, 'RECONCILE_GRACE_SECONDS'>;
  logger: Logger;
  channels: Pick<PaymentChannels, 'get' | 'of'>;
  sync: Pick<ChannelSync, 'closeOpenAttempt' | 'closeCombined'>;
}

/**
 * Opens one payment for several of a shopper's unpaid orders: one out_trade_no for the sum of their totals as
 * stored. Each member is linked to it by a guarded write (no open attempt of its own, no other combined
 * payment), so an order is in one open payment at a time; asking again for the same orders reuses it.
 */
export function combinedPayments({ db, config, logger, channels, sync }: CombinedPaymentsDeps) {
  const Order = orderModel(db);
  const Combined = combinedPaymentModel(db);
  const log = logger.child({ component: 'payments' });

  async function ownUnpaidOrders(orderIds: readonly Types.ObjectId[], userId: Types.ObjectId): Promise<OrderDoc[]> {
    const found = await Order.find({ _id: { $in: orderIds }, userId }).lean<OrderDoc[]>();
    const byId = new Map(found.map((order) => [order._id.toHexString(), order]));
    return orderIds.map((id) => {
      const order = byId.get(id.toHexString());
      if (!order) throw new NotFound('order');
      return assertPayable(order);
    });
  }

  /** The open combined payment these exact orders are already in, if it can still be paid this way. */
  async function reusable(orders: readonly OrderDoc[], method: PaymentMethod): Promise<CombinedPaymentDoc | null> {
    const id = orders[0]?.payment.combinedId;
    if (!id || orders.some((order) => !order.payment.combinedId?.equals(id))) return null;
    const combined = await Combined.findById(id).lean<CombinedPaymentDoc>();
    const same = combined?.state === 'OPEN' && combined.shares.length === orders.length && combined.channel === method.channel && combined.kind === method.kind;
    return same && Date.now() - combined.createdAt.getTime() < PREPAY_VALIDITY_MS ? combined : null;
  }

  /**
   * Frees the orders from the payments they are in before they join a new one. Another open combined
   * payment is refused (it covers orders this request may not name); a stale one, or one for the same
   * orders in another form (JSAPI ↔ Native), is closed at its channel first, as switching channel closes
   * an attempt. Answers true when something was closed, so the caller re-reads.
   */
  async function releaseOthers(orders: readonly OrderDoc[], actor: string): Promise<boolean> {
    const ids = new Set(orders.map((order) => order._id.toHexString()));
    let closed = false;
    for (const combinedId of new Set(orders.flatMap((order) => (order.payment.combinedId ? [order.payment.combinedId.toHexString()] : [])))) {
      const other = await Combined.findById(combinedId).lean<CombinedPaymentDoc>();
      if (!other) continue;
      const sameOrders = other.shares.length === ids.size && other.shares.every((share) => ids.has(share.orderId.toHexString()));
      const stale = Date.now() - other.createdAt.getTime() >= PREPAY_VALIDITY_MS;
      if (other.state === 'OPEN' && !sameOrders && !stale) {
        throw new OrderInOpenPayment(`an order is already in combined payment ${combinedId}; pay it there, or pay the order alone`);
      }
      if ((await sync.closeCombined(other, actor)) === 'PAID') throw new OrderStateConflict('ORDER_ALREADY_PAID', 'an order has just been paid');
      closed = true;
    }
    return closed;
  }

  async function open(orderIds: readonly Types.ObjectId[], userId: Types.ObjectId, openid: string, method: PaymentMethod, actor: string): Promise<{ combined: CombinedPaymentDoc; orders: OrderDoc[] }> {
    for (;;) {
      const orders = await ownUnpaidOrders(orderIds, userId);
      const existing = await reusable(orders, method);
      if (existing) return { combined: existing, orders };
      if (await releaseOthers(orders, actor)) continue;
      for (const order of orders) {
        if (order.payment.current && (await sync.closeOpenAttempt(order, actor)) === 'PAID') throw new OrderStateConflict('ORDER_ALREADY_PAID', 'an order has just been paid');
      }

      const _id = new Types.ObjectId();
      const [created] = await Combined.create([
        {
          _id,
          userId,
          openid,
          outTradeNo: combinedOutTradeNo(_id),
          channel: method.channel,
          kind: method.kind,
          shares: orders.map((order) => ({ orderId: order._id, amountFen: order.totalFen })),
          totalFen: orders.reduce((sum, order) => sum + order.totalFen, 0),
          state: 'OPEN',
          timeExpire: new Date(Math.min(...orders.map((order) => order.expiresAt.getTime()))),
        },
      ]);
      if (!created) throw new Error('combined payment not created');
      const combined = created.toObject<CombinedPaymentDoc>();
      const reconcileAt = new Date(combined.createdAt.getTime() + config.RECONCILE_GRACE_SECONDS * 1000);
      const linked: Types.ObjectId[] = [];
      for (const order of orders) {
        // The attempt count it was read with: an attempt opened since then was not closed above.
        const link = await Order.updateOne(
          { _id: order._id, status: 'TO_BE_PAID', 'payment.attemptCount': order.payment.attemptCount, 'payment.combinedId': null },
          { $set: { 'payment.combinedId': _id, 'payment.current': null, reconcileAt } },
        );
        if (link.modifiedCount !== 1) break;
        linked.push(order._id);
      }
      if (linked.length === orders.length) {
        log.info({ combinedId: _id.toHexString(), outTradeNo: combined.outTradeNo, orders: orders.length, totalFen: combined.totalFen, ...method, actor }, 'combined payment opened');
        return { combined, orders };
      }
      // Another payment took one of the orders meanwhile (or it was paid or closed). Nothing was prepared at
      // the channel yet, so letting the others go is the whole undo; the next pass decides on a fresh read.
      await Combined.updateOne({ _id, state: 'OPEN' }, { $set: { state: 'CLOSED' } });
      await Order.updateMany({ _id: { $in: linked }, 'payment.combinedId': _id }, { $set: { 'payment.combinedId': null } });
    }
  }

  return {
    /** Opens (or reuses) the combined payment and prepares it at its channel. */
    async startCombinedPayment(orderIds: readonly Types.ObjectId[], userId: Types.ObjectId, openid: string, method: PaymentMethod): Promise<{ combined: CombinedPaymentDoc; result: PrepayResult }> {
      channels.get(method.channel);
      const { combined, orders } = await open(orderIds, userId, openid, method, `user:${userId.toHexString()}`);
      // The description follows the stored shares, so a repeated prepay of the same out_trade_no sends the same content.
      const byId = new Map(orders.map((order) => [order._id.toHexString(), order]));
      const items = combined.shares.flatMap((share) => byId.get(share.orderId.toHexString())?.items ?? []);
      try {
        const result = await prepareAtChannel(
          channels,
          { ...combined, description: descriptionOf(items), amountFen: combined.totalFen, attach: combined._id.toHexString(), payerOpenid: combined.openid },
          (prepared) => Combined.updateOne({ _id: combined._id, state: 'OPEN' }, { $set: { prepayId: prepared.prepayId, codeUrl: prepared.codeUrl } }),
        );
        return { combined, result };
      } catch (error) {
        log.warn({ combinedId: combined._id.toHexString(), outTradeNo: combined.outTradeNo, err: error }, 'combined prepay failed');
        throw shopperRetryable(error);
      }
    },
  };
}

export type CombinedPayments = ReturnType<typeof combinedPayments>;
