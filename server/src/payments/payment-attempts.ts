import type { Connection, Types } from 'mongoose';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { NotFound } from '../domain-error';
import { orderModel, type ChannelName, type OrderDoc, type PaymentAttemptDoc, type PaymentKind } from '../orders/order.model';
import { canBeClosed } from '../orders/order-state';
import { OrderStateConflict } from '../orders/order-errors';
import { outTradeNoFor } from '../orders/out-trade-no';
import { ChannelError, type PrepayRequest, type PrepayResult } from './payment-channel';
import { channelNameOf, type PaymentChannels } from './payment-channels';
import { ChannelUnavailable } from './payment-errors';
import type { ChannelSync } from './channel-sync';

/** The channel keeps a prepared transaction usable for two hours (WeChat's prepay_id). */
export const PREPAY_VALIDITY_MS = 2 * 60 * 60 * 1000;
/** WeChat wants time_expire at least a minute ahead; closer than that the order cannot be paid any more. */
export const MIN_PAYABLE_MS = 60 * 1000;

export interface PaymentAttemptsDeps {
  db: Connection;
  config: Pick<Config, 'RECONCILE_GRACE_SECONDS'>;
  logger: Logger;
  channels: Pick<PaymentChannels, 'get' | 'of'>;
  sync: Pick<ChannelSync, 'closeOpenAttempt'>;
}

/** How a shopper pays: on which channel, in which form. */
export interface PaymentMethod {
  channel: ChannelName;
  kind: PaymentKind;
}

/**
 * Decides which transaction a shopper pays: at most one attempt is open per order (a new one, with a new
 * out_trade_no, only after the previous one is closed at its channel), and a still-valid one is reused.
 * Switching channel (WeChat ↔ Alipay) is switching attempt.
 */
export function paymentAttempts({ db, config, logger, channels, sync }: PaymentAttemptsDeps) {
  const Order = orderModel(db);
  const log = logger.child({ component: 'payments' });

  async function ownUnpaidOrder(orderId: Types.ObjectId, userId: Types.ObjectId): Promise<OrderDoc> {
    const order = await Order.findOne({ _id: orderId, userId }).lean<OrderDoc>();
    if (!order) throw new NotFound('order');
    return assertPayable(order);
  }

  function reusable(attempt: PaymentAttemptDoc | null, { channel, kind }: PaymentMethod): attempt is PaymentAttemptDoc {
    return (
      attempt !== null &&
      channelNameOf(attempt) === channel &&
      attempt.kind === kind &&
      Date.now() - attempt.createdAt.getTime() < PREPAY_VALIDITY_MS
    );
  }

  /** The open attempt for this method, opening one if needed (one of another method is closed at its channel first). */
  async function openAttempt(orderId: Types.ObjectId, userId: Types.ObjectId, method: PaymentMethod, actor: string): Promise<{ order: OrderDoc; attempt: PaymentAttemptDoc }> {
    for (;;) {
      const order = await ownUnpaidOrder(orderId, userId);
      const current = order.payment.current;
      if (reusable(current, method)) return { order, attempt: current };
      // Paying one order alone closes the combined payment it was in, as switching channel closes an attempt.
      const open = current !== null || Boolean(order.payment.combinedId);
      if (open && (await sync.closeOpenAttempt(order, actor)) === 'PAID') throw new OrderStateConflict('ORDER_ALREADY_PAID', 'order has just been paid');
      const number = order.payment.attemptCount + 1;
      const attempt: PaymentAttemptDoc = {
        outTradeNo: outTradeNoFor(order._id, number),
        channel: method.channel,
        kind: method.kind,
        timeExpire: order.expiresAt,
        createdAt: new Date(),
        prepayId: null,
        codeUrl: null,
      };
      const opened = await Order.updateOne(
        { _id: order._id, status: 'TO_BE_PAID', 'payment.attemptCount': order.payment.attemptCount, 'payment.combinedId': null },
        { $set: { 'payment.attemptCount': number, 'payment.current': attempt, reconcileAt: new Date(attempt.createdAt.getTime() + config.RECONCILE_GRACE_SECONDS * 1000) } },
      );
      if (opened.modifiedCount === 1) {
        log.info({ orderId: order._id.toHexString(), outTradeNo: attempt.outTradeNo, ...method, actor }, 'payment attempt opened');
        return { order, attempt };
      }
    }
  }

  /** The attempt prepared for the order's total; a fresh prepay id or code URL is kept on the attempt. */
  async function prepay(order: OrderDoc, attempt: PaymentAttemptDoc, openid: string): Promise<PrepayResult> {
    return prepareAtChannel(channels, { ...attempt, description: descriptionOf(order.items), amountFen: order.totalFen, attach: order._id.toHexString(), payerOpenid: openid }, (result) =>
      Order.updateOne(
        { _id: order._id, 'payment.current.outTradeNo': attempt.outTradeNo },
        { $set: { 'payment.current.prepayId': result.prepayId, 'payment.current.codeUrl': result.codeUrl } },
      ),
    );
  }

  return {
    /** Opens (or reuses) the attempt and prepares it at its channel; a channel refusal is the shopper's to retry. */
    async startPayment(orderId: Types.ObjectId, userId: Types.ObjectId, openid: string, method: PaymentMethod): Promise<{ attempt: PaymentAttemptDoc; result: PrepayResult }> {
      // Refused before an attempt is opened, so an unconfigured channel never closes the order's open one.
      channels.get(method.channel);
      const { order, attempt } = await openAttempt(orderId, userId, method, `user:${userId.toHexString()}`);
      try {
        return { attempt, result: await prepay(order, attempt, openid) };
      } catch (error) {
        log.warn({ orderId: orderId.toHexString(), outTradeNo: attempt.outTradeNo, err: error }, 'prepay failed');
        throw shopperRetryable(error);
      }
    },
  };
}

/** Only an unpaid order far enough from its expiry can be paid (alone or with others). */
export function assertPayable(order: OrderDoc): OrderDoc {
  if (!canBeClosed(order.status)) throw new OrderStateConflict('ORDER_NOT_PAYABLE', `order is ${order.status}, not awaiting payment`);
  if (order.expiresAt.getTime() - Date.now() < MIN_PAYABLE_MS) throw new OrderStateConflict('ORDER_EXPIRED', 'order has expired; place a new one');
  return order;
}

/** What the payer sees in the pay sheet and the bill: the first box, and how many lines more. */
export function descriptionOf(items: ReadonlyArray<{ name: string }>): string {
  const first = items[0]?.name ?? '盲盒';
  return (items.length > 1 ? `${first} 等${items.length}件` : first).slice(0, 127);
}

/** A transaction as opened here (an order's attempt or a combined payment), with what its prepay sends. */
export interface PreparedTransaction extends Omit<PrepayRequest, 'kind'> {
  channel?: ChannelName;
  kind: PaymentKind;
  prepayId: string | null;
  codeUrl: string | null;
}

/**
 * Prepares the transaction at its channel, or answers the stored prepay id / code URL; `save` stores a fresh
 * one (a page-pay form is made afresh each time, locally, for the same trade, and not stored).
 */
export async function prepareAtChannel(channels: Pick<PaymentChannels, 'of'>, transaction: PreparedTransaction, save: (result: PrepayResult) => Promise<unknown>): Promise<PrepayResult> {
  if (transaction.kind === 'JSAPI' && transaction.prepayId) return { prepayId: transaction.prepayId, codeUrl: null, formHtml: null };
  if (transaction.kind === 'NATIVE' && transaction.codeUrl) return { prepayId: null, codeUrl: transaction.codeUrl, formHtml: null };
  const { kind, outTradeNo, description, amountFen, timeExpire, attach, payerOpenid } = transaction;
  const result = await channels.of(transaction).prepay({ kind, outTradeNo, description, amountFen, timeExpire, attach, payerOpenid });
  if (result.formHtml === null) await save(result);
  return result;
}

/** A channel's refusal of a prepay is the shopper's to retry; anything else is ours. */
export function shopperRetryable(error: unknown): unknown {
  return error instanceof ChannelError ? new ChannelUnavailable(`the payment channel did not accept the order (${error.code}); try again`) : error;
}
