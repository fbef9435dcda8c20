import type { Connection, Types } from 'mongoose';
import type { Logger } from '../logger';
import type { JobScheduler } from '../jobs/job-scheduler';
import type { ChannelName, ChannelTransaction } from './payment-channel';
import type { PaymentChannels } from './payment-channels';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { orderTransitions } from '../orders/order-transitions';
import { isPaid } from '../orders/order-state';
import { parseOutTradeNo } from '../orders/out-trade-no';
import type { OrderDraws } from '../fairness/order-draws';
import { stockLedger } from '../catalog/stock';
import { couponLocks } from '../coupons/coupon-locks';
import { setService } from '../sets/set.service';
import { PaymentRejectedError } from './payment-rejected-error';
import { refundRecordFor } from './refund-record';
import { recordFinding, transactionFinding } from './transaction-findings';

export type ApplyOutcome = 'FULFILLED' | 'ALREADY_APPLIED' | 'REFUND_SCHEDULED' | 'NOT_PAID';

export interface PaymentApplierDeps {
  db: Connection;
  logger: Logger;
  /** Each channel names the merchant it must report the money for; anything else is refused. */
  channels: Pick<PaymentChannels, 'get'>;
  scheduler: JobScheduler;
  /** Provably fair draws and the guarantee counters they move. */
  draws: OrderDraws;
}

/** Decides what money reported by the channel does to an order: fulfil it, refund it, or refuse the report. */
export function paymentApplier({ db, logger, channels, scheduler, draws }: PaymentApplierDeps) {
  const Order = orderModel(db);
  const transitions = orderTransitions(db);
  const stock = stockLedger(db);
  const coupons = couponLocks(db);
  const sets = setService(db);
  const log = logger.child({ component: 'payments' });

  const lines = (order: OrderDoc) => order.items.map((item) => ({ boxId: item.boxId, quantity: item.quantity }));

  /** After payment the held stock is sold, the coupon spent and the guarantee counted; each step is idempotent so they can be re-run. */
  async function settlePaidOrder(order: OrderDoc): Promise<void> {
    await draws.settle(order);
    await stock.keep(order._id, lines(order));
    await sets.keep(order);
    if (order.couponId) await coupons.markUsed(order.couponId, order._id);
  }

  async function reread(orderId: Types.ObjectId): Promise<OrderDoc> {
    const order = await Order.findById(orderId).lean<OrderDoc>();
    if (!order) throw new Error(`order ${orderId} vanished`);
    return order;
  }

  /**
   * The single path by which money becomes a fulfilled order, shared by the callback, payment-status,
   * expiry and reconciliation, whichever channel (`channel`, the one that reported `tx`) took the money.
   * Safe to call any number of times, concurrently, for the same transaction.
   */
  async function applyTransaction(tx: ChannelTransaction, channel: ChannelName, actor: string): Promise<{ outcome: ApplyOutcome; order: OrderDoc }> {
    const fields = { channel, outTradeNo: tx.outTradeNo, transactionId: tx.transactionId };
    const { merchant } = channels.get(channel);
    if (tx.appid !== merchant.appid || tx.mchid !== merchant.mchid) {
      log.error({ ...fields, alert: true, appid: tx.appid, mchid: tx.mchid }, 'transaction for another merchant rejected');
      throw new PaymentRejectedError('MERCHANT_MISMATCH', 'appid/mchid do not match this merchant');
    }
    const parsed = parseOutTradeNo(tx.outTradeNo);
    let order = parsed && (await Order.findById(parsed.orderId).lean<OrderDoc>());
    if (!parsed || !order || parsed.attempt < 1 || parsed.attempt > order.payment.attemptCount) {
      log.error({ ...fields, alert: true }, 'transaction for an unknown out_trade_no rejected');
      throw new PaymentRejectedError('UNKNOWN_OUT_TRADE_NO', `unknown out_trade_no ${tx.outTradeNo}`);
    }
    const orderFields = { ...fields, orderId: order._id.toHexString() };
    if (tx.tradeState !== 'SUCCESS') return { outcome: 'NOT_PAID', order };
    const transactionId = tx.transactionId;
    if (!transactionId) throw new PaymentRejectedError('MISSING_TRANSACTION_ID', 'successful transaction without transaction_id');
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

    const payment = {
      paidAt: tx.successTime ?? new Date(),
      'payment.transactionId': transactionId,
      'payment.outTradeNo': tx.outTradeNo,
      'payment.channel': channel,
      'payment.payerOpenid': tx.payerOpenid,
      'payment.successTime': tx.successTime,
      'payment.rawTransaction': tx.raw,
      'payment.current': null,
    };
    const cause = { reason: `paid by transaction ${transactionId}`, actor };

    // Each pass either wins a guarded transition or re-reads a state another writer produced.
    for (;;) {
      if (order.status === 'TO_BE_PAID') {
        // Null: the guarantee counter already counts this order, so our copy is stale and the re-read below sees it paid.
        const drawn = await draws.prepare(order);
        const paid = drawn && (await transitions.markPaid(order._id, { ...payment, draws: drawn }, cause));
        if (paid) {
          await settlePaidOrder(paid);
          log.info({ ...orderFields, draws: paid.draws.length, actor }, 'order paid and drawn');
          return { outcome: 'FULFILLED', order: paid };
        }
      } else if (order.payment.transactionId === transactionId || order.payment.extraTransactionIds.includes(transactionId)) {
        // The write that applied it may have been cut off before settling (the database went away between
        // the two; the channel got a 5xx and retries): settling is idempotent, so every repeat finishes the job.
        if (isPaid(order.status) && order.payment.transactionId === transactionId) await settlePaidOrder(order);
        return { outcome: 'ALREADY_APPLIED', order };
      } else if (order.status === 'CLOSED') {
        const refund = refundRecordFor(channel, transactionId, tx.outTradeNo, tx.amountFen, 'paid after the order was closed');
        const refunding = await transitions.markPaidAfterClose(order._id, payment, refund, { ...cause, reason: `${cause.reason} after close; refunding` });
        if (refunding) {
          await draws.settle(refunding);
          log.warn({ ...orderFields, actor }, 'payment arrived for a closed order; refund scheduled');
          await scheduler.scheduleRefund(order._id);
          return { outcome: 'REFUND_SCHEDULED', order: refunding };
        }
      } else {
        // A second transaction paid an order that is already paid (two attempts both paid, on one channel or
        // on two, e.g. two browser tabs): refund it on the channel that took it.
        const refund = refundRecordFor(channel, transactionId, tx.outTradeNo, tx.amountFen, 'order was already paid by another transaction');
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
      order = await reread(order._id);
    }
  }

  return { applyTransaction };
}

export type PaymentApplier = ReturnType<typeof paymentApplier>;
