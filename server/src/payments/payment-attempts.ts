import type { Connection, Types } from 'mongoose';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { NotFound } from '../domain-error';
import { orderModel, type ChannelName, type OrderDoc, type PaymentAttemptDoc, type PaymentKind } from '../orders/order.model';
import { canBeClosed } from '../orders/order-state';
import { OrderStateConflict } from '../orders/order-errors';
import { outTradeNoFor } from '../orders/out-trade-no';
import { ChannelError, TradeNumberTaken, type PrepayRequest, type PrepayResult } from './payment-channel';
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

  /**
   * The order's attempt for this method, prepared at its channel: the open one while it is still valid, else a
   * new one (an open one of another method is closed at its channel first). A new attempt is prepared at the
   * channel before it is stored, and stored with the channel's answer in one guarded write: whatever lets the
   * shopper pay (the prepay id, the code, the form) leaves this server only once the attempt is recorded. A
   * transaction the channel made for an attempt never stored (the process died in between, or a concurrent
   * request stored its own first) therefore cannot be paid, and the next try asks again with the same number
   * and the same terms, which the channel answers with that same transaction; a try of another kind finds the
   * number taken and moves past it.
   */
  async function preparedAttempt(orderId: Types.ObjectId, userId: Types.ObjectId, openid: string, method: PaymentMethod, actor: string): Promise<{ attempt: PaymentAttemptDoc; result: PrepayResult }> {
    for (;;) {
      const order = await ownUnpaidOrder(orderId, userId);
      const current = order.payment.current;
      const fieldsOf = (attempt: PaymentAttemptDoc) => ({ orderId: order._id.toHexString(), outTradeNo: attempt.outTradeNo, ...method, actor });
      if (reusable(current, method)) {
        const result = await prepareStored(order, current, openid).catch((error: unknown) => {
          throw prepayFailed(fieldsOf(current), error);
        });
        return { attempt: current, result };
      }
      // Paying one order alone closes the combined payment it was in, as switching channel closes an attempt.
      const open = current !== null || Boolean(order.payment.combinedId);
      if (open && (await sync.closeOpenAttempt(order, actor)) === 'PAID') throw new OrderStateConflict('ORDER_ALREADY_PAID', 'order has just been paid');
      const number = order.payment.attemptCount + 1;
      const fresh: PaymentAttemptDoc = {
        outTradeNo: outTradeNoFor(order._id, number),
        channel: method.channel,
        kind: method.kind,
        timeExpire: order.expiresAt,
        createdAt: new Date(),
        prepayId: null,
        codeUrl: null,
      };
      const fields = fieldsOf(fresh);
      let result: PrepayResult;
      try {
        result = await askChannel(channels, prepayRequestOf(order, fresh, openid));
      } catch (error) {
        if (!(error instanceof TradeNumberTaken)) throw prepayFailed(fields, error);
        log.warn(fields, 'attempt number taken at the channel by an attempt never stored; moving past it');
        await Order.updateOne(openGuard(order), { $set: { 'payment.attemptCount': number } });
        continue;
      }
      const attempt: PaymentAttemptDoc = { ...fresh, prepayId: result.prepayId, codeUrl: result.codeUrl };
      const reconcileAt = new Date(attempt.createdAt.getTime() + config.RECONCILE_GRACE_SECONDS * 1000);
      const opened = await Order.updateOne(openGuard(order), { $set: { 'payment.attemptCount': number, 'payment.current': attempt, reconcileAt } });
      if (opened.modifiedCount === 1) {
        log.info(fields, 'payment attempt opened');
        return { attempt, result };
      }
    }
  }

  /** The channel's failure, logged with the attempt it was for. */
  function prepayFailed(fields: Record<string, unknown>, error: unknown): unknown {
    log.warn({ ...fields, err: error }, 'prepay failed');
    return error;
  }

  /** Opening an attempt is guarded on the order as read: still unpaid, no attempt opened and no combined payment joined since. */
  function openGuard(order: OrderDoc) {
    return { _id: order._id, status: 'TO_BE_PAID' as const, 'payment.attemptCount': order.payment.attemptCount, 'payment.combinedId': null };
  }

  /** An open attempt's prepared transaction: its stored prepay id or code, else asked for again (and stored). */
  function prepareStored(order: OrderDoc, attempt: PaymentAttemptDoc, openid: string): Promise<PrepayResult> {
    return prepareAtChannel(channels, { ...attempt, ...prepayRequestOf(order, attempt, openid) }, (result) =>
      Order.updateOne(
        { _id: order._id, 'payment.current.outTradeNo': attempt.outTradeNo },
        { $set: { 'payment.current.prepayId': result.prepayId, 'payment.current.codeUrl': result.codeUrl } },
      ),
    );
  }

  return {
    /** Prepares the order's attempt at its channel (opening one if needed); a channel refusal is the shopper's to retry. */
    async startPayment(orderId: Types.ObjectId, userId: Types.ObjectId, openid: string, method: PaymentMethod): Promise<{ attempt: PaymentAttemptDoc; result: PrepayResult }> {
      // Refused before anything is asked of a channel, so an unconfigured one never closes the order's open attempt.
      channels.get(method.channel);
      return preparedAttempt(orderId, userId, openid, method, `user:${userId.toHexString()}`).catch((error: unknown) => {
        throw shopperRetryable(error);
      });
    },
  };
}

/** What the attempt's channel is asked to prepare for it: the order's own amount and description. */
function prepayRequestOf(order: OrderDoc, attempt: PaymentAttemptDoc, openid: string): PrepayRequest & Pick<PaymentAttemptDoc, 'channel'> {
  const { channel, kind, outTradeNo, timeExpire } = attempt;
  return { channel, kind, outTradeNo, timeExpire, description: descriptionOf(order.items), amountFen: order.totalFen, attach: order._id.toHexString(), payerOpenid: openid };
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
  const result = await askChannel(channels, transaction);
  if (result.formHtml === null) await save(result);
  return result;
}

/** The channel's prepared transaction for this request, asked of the channel the transaction names. */
function askChannel(channels: Pick<PaymentChannels, 'of'>, transaction: PrepayRequest & { channel?: ChannelName }): Promise<PrepayResult> {
  const { kind, outTradeNo, description, amountFen, timeExpire, attach, payerOpenid } = transaction;
  return channels.of(transaction).prepay({ kind, outTradeNo, description, amountFen, timeExpire, attach, payerOpenid });
}

/** A channel's refusal of a prepay is the shopper's to retry; anything else is ours. */
export function shopperRetryable(error: unknown): unknown {
  return error instanceof ChannelError ? new ChannelUnavailable(`the payment channel did not accept the order (${error.code}); try again`) : error;
}
