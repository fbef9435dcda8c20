import type { Connection, Types } from 'mongoose';
import { ORDER_HISTORY } from '@blindbox/shared';
import { GuaranteeCannotBeKept } from '@blindbox/shared';
import type { Logger } from '../logger';
import type { JobScheduler } from '../jobs/job-scheduler';
import type { ChannelName, ChannelTransaction } from './payment-channel';
import type { PaymentChannels } from './payment-channels';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { orderTransitions } from '../orders/order-transitions';
import { isFulfilled } from '../orders/order-state';
import { parseOutTradeNo } from '../orders/out-trade-no';
import type { OrderDraws } from '../fairness/order-draws';
import { PaymentRejectedError } from './payment-rejected-error';
import { afterAnswer } from './after-answer';
import { refundRecordFor } from './refund-record';
import { paymentFinding, recordFinding, transactionFinding } from './transaction-findings';
import { combinedPaymentModel, parseCombinedOutTradeNo, type CombinedPaymentDoc } from './combined-payment.model';

export type ApplyOutcome = 'FULFILLED' | 'ALREADY_APPLIED' | 'REFUND_SCHEDULED' | 'NOT_PAID';

/** The transaction money came with, and the part of it that belongs to one order. */
interface PaidBy {
  tx: ChannelTransaction;
  transactionId: string;
  channel: ChannelName;
  /** All of the transaction, or the order's share of a combined payment: what a refund of it gives back. */
  amountFen: number;
  combined: { id: Types.ObjectId; totalFen: number } | null;
}

export interface PaymentApplierDeps {
  db: Connection;
  logger: Logger;
  /** Each channel names the merchant it must report the money for; anything else is refused. */
  channels: Pick<PaymentChannels, 'get'>;
  scheduler: JobScheduler;
  /** Provably fair draws and the guarantee counters they move. */
  draws: OrderDraws;
  /** What the order holds (stock, positions, coupon, ...): kept once it is fulfilled, given back if the money came too late. */
  holds: HoldSettling;
}

/** The part of orders/order-holds.ts a payment needs: the port, so payments know nothing of stock, coupons or sets. */
export interface HoldSettling {
  keep(order: OrderDoc): Promise<void>;
  giveBack(order: OrderDoc): Promise<void>;
}

/** Decides what money reported by the channel does to an order: fulfil it, refund it, or refuse the report. */
export function paymentApplier({ db, logger, channels, scheduler, draws, holds }: PaymentApplierDeps) {
  const Order = orderModel(db);
  const Combined = combinedPaymentModel(db);
  const transitions = orderTransitions(db);
  const log = logger.child({ component: 'payments' });

  const later = afterAnswer(log);

  /**
   * After the paid-and-drawn write: what the order holds kept (or, for money that came after the close, given
   * back: it drew nothing), then the draws in the public log, then the order's settle mark, if any, cleared.
   * Each step is idempotent, so any repeat finishes the job.
   */
  async function settleRest(order: OrderDoc): Promise<void> {
    await (isFulfilled(order) ? holds.keep(order) : holds.giveBack(order));
    await draws.publish(order);
    if (order.settleDueAt) await Order.updateOne({ _id: order._id, settleDueAt: { $ne: null } }, { $set: { settleDueAt: null } });
  }

  /** Everything after the paid-and-drawn write: the guarantee claims released (counted or given up), then the rest. */
  async function settle(order: OrderDoc): Promise<void> {
    await draws.release(order);
    await settleRest(order);
  }

  /**
   * A fulfilling payment answers the channel once the order is paid and drawn and its guarantee claims are
   * released (a later order of the shopper waits on those): the rest of settling changes nothing the answer
   * says, so it runs after the answer. Until it is done the order carries `settleDueAt`, written with the
   * draws, by which the expiry sweep settles what a crash left (jobs/expiry-sweep.job.ts).
   */
  async function settleFulfilled(order: OrderDoc, fields: Record<string, unknown>): Promise<void> {
    await draws.release(order);
    later.start('settling after the answer', fields, () => settleRest(order));
  }

  async function reread(orderId: Types.ObjectId): Promise<OrderDoc> {
    const order = await Order.findById(orderId).lean<OrderDoc>();
    if (!order) throw new Error(`order ${orderId} vanished`);
    return order;
  }

  /** Each channel reports money only for its own merchant: anything else is refused before a field is trusted. */
  function assertOurMerchant(tx: ChannelTransaction, channel: ChannelName): void {
    const { merchant } = channels.get(channel);
    if (tx.appid !== merchant.appid || tx.mchid !== merchant.mchid) {
      log.error({ channel, outTradeNo: tx.outTradeNo, transactionId: tx.transactionId, alert: true, appid: tx.appid, mchid: tx.mchid }, 'transaction for another merchant rejected');
      throw new PaymentRejectedError('MERCHANT_MISMATCH', 'appid/mchid do not match this merchant');
    }
  }

  function successfulTransactionId(tx: ChannelTransaction): string {
    if (!tx.transactionId) throw new PaymentRejectedError('MISSING_TRANSACTION_ID', 'successful transaction without transaction_id');
    return tx.transactionId;
  }

  /**
   * The single path by which money becomes a fulfilled order, shared by the callback, payment-status,
   * expiry and reconciliation, whichever channel (`channel`, the one that reported `tx`) took the money.
   * Safe to call any number of times, concurrently, for the same transaction.
   */
  async function applyTransaction(tx: ChannelTransaction, channel: ChannelName, actor: string): Promise<{ outcome: ApplyOutcome; order: OrderDoc }> {
    const fields = { channel, outTradeNo: tx.outTradeNo, transactionId: tx.transactionId };
    assertOurMerchant(tx, channel);
    const parsed = parseOutTradeNo(tx.outTradeNo);
    const order = parsed && (await Order.findById(parsed.orderId).lean<OrderDoc>());
    if (!parsed || !order || parsed.attempt < 1 || parsed.attempt > order.payment.attemptCount) {
      log.error({ ...fields, alert: true }, 'transaction for an unknown out_trade_no rejected');
      throw new PaymentRejectedError('UNKNOWN_OUT_TRADE_NO', `unknown out_trade_no ${tx.outTradeNo}`);
    }
    const orderFields = { ...fields, orderId: order._id.toHexString() };
    if (tx.tradeState !== 'SUCCESS') return { outcome: 'NOT_PAID', order };
    const transactionId = successfulTransactionId(tx);
    if (tx.amountFen !== order.totalFen) {
      log.error({ ...orderFields, alert: true, paidFen: tx.amountFen, orderFen: order.totalFen }, 'paid amount differs from order amount; not fulfilled');
      throw new PaymentRejectedError('AMOUNT_MISMATCH', `paid ${tx.amountFen} fen but the order is ${order.totalFen} fen`);
    }
    const finding = transactionFinding(order, tx);
    if (finding) {
      log.error({ ...orderFields, alert: true, finding }, 'transaction does not match its order; not fulfilled');
      await recordFinding(db, order, finding, actor);
      throw new PaymentRejectedError('TRANSACTION_MISMATCH', finding);
    }
    return applyToOrder(order, { tx, transactionId, channel, amountFen: tx.amountFen, combined: null }, actor);
  }

  /**
   * A transaction that paid several orders at once (a combined payment): checked against the combined payment
   * as a whole (amount = the sum of the shares read from the database), then each member goes through the
   * same per-order step as a single payment, with its share: fulfilled once, or refunded its share when it
   * was closed before the money came (or was already paid by another transaction).
   */
  async function applyCombinedTransaction(tx: ChannelTransaction, channel: ChannelName, actor: string): Promise<{ outcome: ApplyOutcome; orders: OrderDoc[] }> {
    const fields = { channel, outTradeNo: tx.outTradeNo, transactionId: tx.transactionId };
    assertOurMerchant(tx, channel);
    const id = parseCombinedOutTradeNo(tx.outTradeNo);
    const combined = id && (await Combined.findById(id).lean<CombinedPaymentDoc>());
    if (!combined) {
      log.error({ ...fields, alert: true }, 'transaction for an unknown out_trade_no rejected');
      throw new PaymentRejectedError('UNKNOWN_OUT_TRADE_NO', `unknown out_trade_no ${tx.outTradeNo}`);
    }
    const combinedFields = { ...fields, combinedId: combined._id.toHexString() };
    // REFUND too: the transaction turns REFUND once one member is refunded, and the others' money is still in.
    if (tx.tradeState !== 'SUCCESS' && tx.tradeState !== 'REFUND') return { outcome: 'NOT_PAID', orders: [] };
    const transactionId = successfulTransactionId(tx);
    if (tx.amountFen !== combined.totalFen) {
      log.error({ ...combinedFields, alert: true, paidFen: tx.amountFen, combinedFen: combined.totalFen }, 'paid amount differs from the combined payment; not fulfilled');
      throw new PaymentRejectedError('AMOUNT_MISMATCH', `paid ${tx.amountFen} fen but the combined payment is ${combined.totalFen} fen`);
    }
    const members = await Promise.all(combined.shares.map((share) => reread(share.orderId)));
    const finding = paymentFinding(tx, { kind: combined.kind, openid: combined.openid });
    if (finding) {
      log.error({ ...combinedFields, alert: true, finding }, 'transaction does not match its combined payment; not fulfilled');
      for (const member of members) await recordFinding(db, member, finding, actor);
      throw new PaymentRejectedError('TRANSACTION_MISMATCH', finding);
    }
    // Recorded before the members: from here on the combined payment is never closed and released instead.
    await Combined.updateOne({ _id: combined._id, transactionId: null }, { $set: { state: 'PAID', transactionId } });

    const results: Array<{ outcome: ApplyOutcome; order: OrderDoc }> = [];
    for (const [index, share] of combined.shares.entries()) {
      const paidBy: PaidBy = { tx, transactionId, channel, amountFen: share.amountFen, combined: { id: combined._id, totalFen: combined.totalFen } };
      results.push(await applyToOrder(members[index] as OrderDoc, paidBy, actor));
    }
    const outcomes = new Set(results.map((result) => result.outcome));
    const outcome: ApplyOutcome = outcomes.has('FULFILLED') ? 'FULFILLED' : outcomes.has('REFUND_SCHEDULED') ? 'REFUND_SCHEDULED' : 'ALREADY_APPLIED';
    return { outcome, orders: results.map((result) => result.order) };
  }

  /** A channel's report, whichever kind of payment its out_trade_no names: what the money did. */
  async function applyReported(tx: ChannelTransaction, channel: ChannelName, actor: string): Promise<ApplyOutcome> {
    if (parseCombinedOutTradeNo(tx.outTradeNo)) return (await applyCombinedTransaction(tx, channel, actor)).outcome;
    return (await applyTransaction(tx, channel, actor)).outcome;
  }

  /** What money does to one order, however many orders the transaction paid: the guarded transitions. */
  async function applyToOrder(seen: OrderDoc, paidBy: PaidBy, actor: string): Promise<{ outcome: ApplyOutcome; order: OrderDoc }> {
    const { tx, transactionId, channel, amountFen, combined } = paidBy;
    const orderFields = { channel, outTradeNo: tx.outTradeNo, transactionId, orderId: seen._id.toHexString() };
    const payment = {
      paidAt: tx.successTime ?? new Date(),
      'payment.transactionId': transactionId,
      'payment.outTradeNo': tx.outTradeNo,
      'payment.channel': channel,
      'payment.payerOpenid': tx.payerOpenid,
      'payment.successTime': tx.successTime,
      'payment.rawTransaction': tx.raw,
      'payment.current': null,
      ...(combined ? { 'payment.combinedId': combined.id, 'payment.transactionTotalFen': combined.totalFen } : {}),
    };
    const share = combined ? { orderId: seen._id, totalFen: combined.totalFen } : undefined;
    const cause = { reason: ORDER_HISTORY.paid.write(transactionId), actor };

    // Each pass either wins a guarded transition or re-reads a state another writer produced.
    for (let order = seen; ; order = await reread(order._id)) {
      if (order.status === 'TO_BE_PAID') {
        // Null: the guarantee counter already counts this order, so our copy is stale and the re-read below sees it paid.
        const drawn = await draws.prepare(order).catch((error: unknown) => {
          if (error instanceof GuaranteeCannotBeKept) return 'UNDRAWABLE' as const;
          throw error;
        });
        if (drawn === 'UNDRAWABLE') {
          // A unit's guarantee fell due after the last eligible item went to another order paid in the same
          // moment: the unit is never drawn without it, so the whole order is refunded instead.
          const refund = refundRecordFor(channel, transactionId, tx.outTradeNo, amountFen, 'the guarantee could not be kept: its items sold out', share);
          const refunding = await transitions.markPaidUndrawable(order._id, payment, refund, { ...cause, reason: ORDER_HISTORY.paidUndrawable.write(transactionId) });
          if (refunding) {
            await settle(refunding);
            log.warn({ ...orderFields, actor }, 'guarantee could not be kept; order not drawn, refund scheduled');
            await scheduler.scheduleRefund(order._id);
            return { outcome: 'REFUND_SCHEDULED', order: refunding };
          }
          continue;
        }
        const paid = drawn && (await transitions.markPaid(order._id, { ...payment, draws: drawn, settleDueAt: new Date() }, cause));
        if (paid) {
          await settleFulfilled(paid, orderFields);
          log.info({ ...orderFields, draws: paid.draws.length, actor }, 'order paid and drawn');
          return { outcome: 'FULFILLED', order: paid };
        }
      } else if (order.payment.transactionId === transactionId || order.payment.extraTransactionIds.includes(transactionId)) {
        // The write that applied it may have been cut off before settling (the database went away between
        // the two; the channel got a 5xx and retries): settling is idempotent, so every repeat finishes the job.
        if (order.payment.transactionId === transactionId) await settle(order);
        return { outcome: 'ALREADY_APPLIED', order };
      } else if (order.status === 'CLOSED') {
        const refund = refundRecordFor(channel, transactionId, tx.outTradeNo, amountFen, 'paid after the order was closed', share);
        const refunding = await transitions.markPaidAfterClose(order._id, payment, refund, { ...cause, reason: ORDER_HISTORY.paidAfterClose.write(transactionId) });
        if (refunding) {
          await settle(refunding);
          log.warn({ ...orderFields, actor }, 'payment arrived for a closed order; refund scheduled');
          await scheduler.scheduleRefund(order._id);
          return { outcome: 'REFUND_SCHEDULED', order: refunding };
        }
      } else {
        // A second transaction paid an order that is already paid (two attempts both paid, on one channel or
        // on two, e.g. two browser tabs, or an attempt and a combined payment): refund it on the channel that took it.
        const refund = refundRecordFor(channel, transactionId, tx.outTradeNo, amountFen, 'order was already paid by another transaction', share);
        const recorded = await Order.updateOne(
          { _id: order._id, 'payment.transactionId': { $ne: transactionId }, 'payment.extraTransactionIds': { $ne: transactionId } },
          { $push: { 'payment.extraTransactionIds': transactionId, refunds: refund }, $set: { refundCheckAt: new Date() } },
        );
        if (recorded.modifiedCount === 1) {
          log.warn({ ...orderFields, keptTransactionId: order.payment.transactionId, keptChannel: order.payment.channel ?? 'wechatpay', actor }, 'order paid twice; refund of the extra payment scheduled');
          await scheduler.scheduleRefund(order._id);
          return { outcome: 'REFUND_SCHEDULED', order: await reread(order._id) };
        }
      }
    }
  }

  return {
    applyTransaction,
    applyCombinedTransaction,
    applyReported,
    /** Settles a paid order again (the expiry sweep, for one whose settling after the answer was cut short). */
    settle,
    /** Resolves once the settling started after answers is done (tests). */
    settled: () => later.idle(),
    /** Shutting down: settling under way ends (no more retries: the expiry sweep finishes it). */
    stopSettling: () => later.stop(),
  };
}

export type PaymentApplier = ReturnType<typeof paymentApplier>;
