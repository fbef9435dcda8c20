import type { Connection, Types } from 'mongoose';
import type { JsapiPayParams, PaymentStatus } from '@blindbox/shared';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { JobScheduler } from '../jobs/job-scheduler';
import type { NotificationHeaders, PaymentTransaction, RefundResult, WechatPayGateway } from './wechatpay/gateway';
import { WechatPayApiError } from './wechatpay/gateway';
import { orderModel, type OrderDoc, type PaymentAttemptDoc, type PaymentKind } from '../orders/order.model';
import { orderTransitions } from '../orders/order-transitions';
import { parseOutTradeNo, outTradeNoFor } from '../orders/out-trade-no';
import { drawOrder } from '../orders/draw';
import { stockLedger } from '../catalog/stock';
import { couponLocks } from '../coupons/coupon-locks';
import { conflict, notFound } from '../http/app-error';
import { PaymentRejectedError } from './payment-rejected-error';
import { refundRecordFor } from './refund-record';
import { channelQueryThrottle } from './channel-query-throttle';
import { recordFinding, transactionFinding } from './transaction-findings';

export type ApplyOutcome = 'FULFILLED' | 'ALREADY_APPLIED' | 'REFUND_SCHEDULED' | 'NOT_PAID';

export interface PaymentServiceDeps {
  db: Connection;
  config: Pick<Config, 'NODE_ENV'>;
  logger: Logger;
  wechatPay: WechatPayGateway;
  merchant: { appid: string; mchid: string };
  scheduler: JobScheduler;
}

/** WeChat keeps a prepay_id usable for two hours. */
const PREPAY_VALIDITY_MS = 2 * 60 * 60 * 1000;
/** WeChat wants time_expire at least a minute ahead; closer than that the order cannot be paid any more. */
const MIN_PAYABLE_MS = 60 * 1000;
const PAID_STATUSES = new Set(['TO_BE_DELIVERED', 'DELIVERED', 'COMPLETED']);

export function paymentService({ db, logger, wechatPay, merchant, scheduler }: PaymentServiceDeps) {
  const Order = orderModel(db);
  const transitions = orderTransitions(db);
  const stock = stockLedger(db);
  const coupons = couponLocks(db);
  const channelQueries = channelQueryThrottle(db);
  const log = logger.child({ component: 'payments' });

  const lines = (order: OrderDoc) => order.items.map((item) => ({ boxId: item.boxId, quantity: item.quantity }));

  /** After payment the held stock is sold and the coupon spent; both steps are idempotent so they can be re-run. */
  async function settlePaidOrder(order: OrderDoc): Promise<void> {
    await stock.keep(order._id, lines(order));
    if (order.couponId) await coupons.markUsed(order.couponId, order._id);
  }

  async function reread(orderId: Types.ObjectId): Promise<OrderDoc> {
    const order = await Order.findById(orderId).lean<OrderDoc>();
    if (!order) throw new Error(`order ${orderId} vanished`);
    return order;
  }

  /**
   * The single path by which money becomes a fulfilled order, shared by the callback, payment-status,
   * expiry and reconciliation. Safe to call any number of times, concurrently, for the same transaction.
   */
  async function applyTransaction(tx: PaymentTransaction, actor: string): Promise<{ outcome: ApplyOutcome; order: OrderDoc }> {
    const fields = { outTradeNo: tx.outTradeNo, transactionId: tx.transactionId };
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
      'payment.payerOpenid': tx.payerOpenid,
      'payment.successTime': tx.successTime,
      'payment.rawTransaction': tx.raw,
      'payment.current': null,
    };
    const cause = { reason: `paid by WeChat transaction ${transactionId}`, actor };

    // Each pass either wins a guarded transition or re-reads a state another writer produced.
    for (;;) {
      if (order.status === 'TO_BE_PAID') {
        const paid = await transitions.markPaid(order._id, { ...payment, draws: drawOrder(order.items) }, cause);
        if (paid) {
          await settlePaidOrder(paid);
          log.info({ ...orderFields, draws: paid.draws.length, actor }, 'order paid and drawn');
          return { outcome: 'FULFILLED', order: paid };
        }
      } else if (order.payment.transactionId === transactionId || order.payment.extraTransactionIds.includes(transactionId)) {
        // The write that applied it may have been cut off before settling (the database went away between
        // the two; WeChat got a 5xx and retries): settling is idempotent, so every repeat finishes the job.
        if (PAID_STATUSES.has(order.status) && order.payment.transactionId === transactionId) await settlePaidOrder(order);
        return { outcome: 'ALREADY_APPLIED', order };
      } else if (order.status === 'CLOSED') {
        const refund = refundRecordFor(transactionId, tx.outTradeNo, tx.amountFen, 'paid after the order was closed');
        const refunding = await transitions.markPaidAfterClose(order._id, payment, refund, { ...cause, reason: `${cause.reason} after close; refunding` });
        if (refunding) {
          log.warn({ ...orderFields, actor }, 'payment arrived for a closed order; refund scheduled');
          await scheduler.scheduleRefund(order._id);
          return { outcome: 'REFUND_SCHEDULED', order: refunding };
        }
      } else {
        // A second transaction paid an order that is already paid (e.g. two attempts both paid): refund it.
        const refund = refundRecordFor(transactionId, tx.outTradeNo, tx.amountFen, 'order was already paid by another transaction');
        const recorded = await Order.updateOne(
          { _id: order._id, 'payment.transactionId': { $ne: transactionId }, 'payment.extraTransactionIds': { $ne: transactionId } },
          { $push: { 'payment.extraTransactionIds': transactionId, refunds: refund } },
        );
        if (recorded.modifiedCount === 1) {
          log.warn({ ...orderFields, actor }, 'order paid twice; refund of the extra payment scheduled');
          await scheduler.scheduleRefund(order._id);
          return { outcome: 'REFUND_SCHEDULED', order: await reread(order._id) };
        }
      }
      order = await reread(order._id);
    }
  }

  /** Asks WeChat about the order's open attempt and applies a payment it reports; returns the fresh order. */
  async function syncWithWechat(order: OrderDoc, actor: string): Promise<OrderDoc> {
    const attempt = order.payment.current;
    if (order.status !== 'TO_BE_PAID' || !attempt) return order;
    const tx = await wechatPay.queryTransaction(attempt.outTradeNo);
    if (tx?.tradeState === 'SUCCESS') return (await applyTransaction(tx, actor)).order;
    return order;
  }

  /**
   * Closes the order's open attempt at WeChat. If WeChat says it was paid meanwhile, applies the payment
   * instead and returns 'PAID'.
   */
  async function closeOpenAttempt(order: OrderDoc, actor: string): Promise<'CLOSED' | 'PAID'> {
    const attempt = order.payment.current;
    if (!attempt) return 'CLOSED';
    const synced = await syncWithWechat(order, actor);
    if (synced.status !== 'TO_BE_PAID') return 'PAID';
    if ((await wechatPay.closeTransaction(attempt.outTradeNo)) === 'ALREADY_PAID') {
      const tx = await wechatPay.queryTransaction(attempt.outTradeNo);
      if (tx) await applyTransaction(tx, actor);
      return 'PAID';
    }
    log.info({ orderId: order._id.toHexString(), outTradeNo: attempt.outTradeNo, actor }, 'WeChat transaction closed');
    return 'CLOSED';
  }

  async function ownUnpaidOrder(orderId: Types.ObjectId, userId: Types.ObjectId): Promise<OrderDoc> {
    const order = await Order.findOne({ _id: orderId, userId }).lean<OrderDoc>();
    if (!order) throw notFound('order');
    if (order.status !== 'TO_BE_PAID') throw conflict('ORDER_NOT_PAYABLE', `order is ${order.status}, not awaiting payment`);
    if (order.expiresAt.getTime() - Date.now() < MIN_PAYABLE_MS) throw conflict('ORDER_EXPIRED', 'order has expired; place a new one');
    return order;
  }

  function reusable(attempt: PaymentAttemptDoc | null, kind: PaymentKind): attempt is PaymentAttemptDoc {
    return attempt !== null && attempt.kind === kind && Date.now() - attempt.createdAt.getTime() < PREPAY_VALIDITY_MS;
  }

  /**
   * Returns the open attempt of this kind, opening one if needed. At most one attempt is open at a time:
   * an attempt of the other kind is closed at WeChat first, so one order cannot be paid twice.
   */
  async function openAttempt(orderId: Types.ObjectId, userId: Types.ObjectId, kind: PaymentKind, actor: string): Promise<PaymentAttemptDoc> {
    for (;;) {
      const order = await ownUnpaidOrder(orderId, userId);
      const current = order.payment.current;
      if (reusable(current, kind)) return current;
      if (current && (await closeOpenAttempt(order, actor)) === 'PAID') throw conflict('ORDER_ALREADY_PAID', 'order has just been paid');
      const number = order.payment.attemptCount + 1;
      const attempt: PaymentAttemptDoc = {
        outTradeNo: outTradeNoFor(order._id, number),
        kind,
        timeExpire: order.expiresAt,
        createdAt: new Date(),
        prepayId: null,
        codeUrl: null,
      };
      const opened = await Order.updateOne(
        { _id: order._id, status: 'TO_BE_PAID', 'payment.attemptCount': order.payment.attemptCount },
        { $set: { 'payment.attemptCount': number, 'payment.current': attempt } },
      );
      if (opened.modifiedCount === 1) {
        log.info({ orderId: order._id.toHexString(), outTradeNo: attempt.outTradeNo, kind, actor }, 'payment attempt opened');
        return attempt;
      }
    }
  }

  function description(order: OrderDoc): string {
    const first = order.items[0]?.name ?? '盲盒';
    return (order.items.length > 1 ? `${first} 等${order.items.length}件` : first).slice(0, 127);
  }

  async function prepay(order: OrderDoc, attempt: PaymentAttemptDoc, openid: string): Promise<PaymentAttemptDoc> {
    if (attempt.kind === 'JSAPI' ? attempt.prepayId : attempt.codeUrl) return attempt;
    const input = { outTradeNo: attempt.outTradeNo, description: description(order), amountFen: order.totalFen, timeExpire: attempt.timeExpire, attach: order._id.toHexString() };
    const result =
      attempt.kind === 'JSAPI'
        ? { prepayId: (await wechatPay.prepayJsapi({ ...input, payerOpenid: openid })).prepayId, codeUrl: null }
        : { prepayId: null, codeUrl: (await wechatPay.prepayNative(input)).codeUrl };
    await Order.updateOne(
      { _id: order._id, 'payment.current.outTradeNo': attempt.outTradeNo },
      { $set: { 'payment.current.prepayId': result.prepayId, 'payment.current.codeUrl': result.codeUrl } },
    );
    return { ...attempt, ...result };
  }

  async function startPayment(orderId: Types.ObjectId, userId: Types.ObjectId, openid: string, kind: PaymentKind): Promise<PaymentAttemptDoc> {
    const actor = `user:${userId.toHexString()}`;
    const attempt = await openAttempt(orderId, userId, kind, actor);
    const order = await reread(orderId);
    try {
      return await prepay(order, attempt, openid);
    } catch (error) {
      log.warn({ orderId: orderId.toHexString(), outTradeNo: attempt.outTradeNo, err: error }, 'prepay failed');
      if (error instanceof WechatPayApiError) throw conflict('WECHATPAY_UNAVAILABLE', `WeChat Pay did not accept the order (${error.code}); try again`);
      throw error;
    }
  }

  return {
    applyTransaction,
    syncWithWechat,
    closeOpenAttempt,

    async payJsapi(orderId: Types.ObjectId, userId: Types.ObjectId, openid: string): Promise<JsapiPayParams> {
      const attempt = await startPayment(orderId, userId, openid, 'JSAPI');
      if (!attempt.prepayId) throw new Error('prepay returned no prepay_id');
      return wechatPay.jsapiPayParams(attempt.prepayId);
    },

    async payNative(orderId: Types.ObjectId, userId: Types.ObjectId, openid: string): Promise<string> {
      const attempt = await startPayment(orderId, userId, openid, 'NATIVE');
      if (!attempt.codeUrl) throw new Error('prepay returned no code_url');
      return attempt.codeUrl;
    },

    /** The truth for a polling client: asks WeChat while the callback has not arrived yet. */
    async paymentStatus(orderId: Types.ObjectId, userId: Types.ObjectId): Promise<{ status: PaymentStatus; paidAt: Date | null }> {
      let order = await Order.findOne({ _id: orderId, userId }).lean<OrderDoc>();
      if (!order) throw notFound('order');
      try {
        // At most one WeChat query per order per interval, whoever polls and on whichever process.
        const mayAsk = order.status === 'TO_BE_PAID' && order.payment.current !== null && (await channelQueries.claim(order._id));
        if (mayAsk) order = await syncWithWechat(order, `user:${userId.toHexString()}`);
      } catch (error) {
        if (!(error instanceof WechatPayApiError)) throw error;
        log.warn({ orderId: orderId.toHexString(), err: error }, 'payment query failed; answering from the database');
      }
      const status: PaymentStatus = order.status === 'TO_BE_PAID' ? 'PENDING' : PAID_STATUSES.has(order.status) ? 'PAID' : 'CLOSED';
      return { status, paidAt: status === 'PAID' ? order.paidAt : null };
    },

    async handleNotification(headers: NotificationHeaders, rawBody: Buffer): Promise<void> {
      const notification = await wechatPay.verifyNotification(headers, rawBody);
      if (notification.kind === 'transaction') {
        await applyTransaction(notification.transaction, 'wechatpay:notify');
      } else {
        await applyRefundResult(notification.refund, 'wechatpay:notify');
      }
    },

    applyRefundResult,
  };

  /** Records what WeChat says about a refund; the order becomes REFUNDED when its own payment is refunded. */
  async function applyRefundResult(refund: RefundResult, actor: string): Promise<void> {
    const parsed = parseOutTradeNo(refund.outTradeNo);
    const order = parsed && (await Order.findById(parsed.orderId).lean<OrderDoc>());
    const index = order?.refunds.findIndex((record) => record.outRefundNo === refund.outRefundNo) ?? -1;
    if (!order || index < 0) {
      log.error({ outTradeNo: refund.outTradeNo, outRefundNo: refund.outRefundNo, alert: true }, 'refund report for an unknown refund');
      throw new PaymentRejectedError('UNKNOWN_OUT_TRADE_NO', `unknown refund ${refund.outRefundNo}`);
    }
    const fields = { orderId: order._id.toHexString(), outTradeNo: refund.outTradeNo, outRefundNo: refund.outRefundNo };
    const record = order.refunds[index];
    if (!record || record.status === 'SUCCESS' || record.status === refund.status) return;
    const completed = refund.status === 'SUCCESS' ? new Date() : null;
    const recorded = await Order.updateOne(
      { _id: order._id, [`refunds.${index}.outRefundNo`]: refund.outRefundNo, [`refunds.${index}.status`]: record.status },
      { $set: { [`refunds.${index}.status`]: refund.status, [`refunds.${index}.completedAt`]: completed } },
    );
    // The record changed under us (e.g. the refund job marked it PROCESSING): decide again on a fresh read,
    // so the order never becomes REFUNDED while its refund record is not SUCCESS.
    if (recorded.modifiedCount === 0) return applyRefundResult(refund, actor);
    log.info({ ...fields, status: refund.status, actor }, 'refund status recorded');
    if (refund.status === 'SUCCESS' && record.transactionId === order.payment.transactionId && order.status === 'REFUNDING') {
      if (await transitions.finishRefund(order._id, { reason: `refund ${refund.outRefundNo} succeeded`, actor })) {
        log.info({ ...fields, actor }, 'order refunded');
      }
    }
  }
}

export type PaymentService = ReturnType<typeof paymentService>;
