import type { Connection } from 'mongoose';
import { ORDER_HISTORY } from '@blindbox/shared';
import type { Logger } from '../logger';
import type { ChannelRefund } from './payment-channel';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { orderTransitions } from '../orders/order-transitions';
import { parseOutTradeNo } from '../orders/out-trade-no';
import { PaymentRejectedError } from './payment-rejected-error';
import { ownRefundsSucceeded } from './refund-amounts';
import { combinedPaymentModel, parseCombinedOutTradeNo, type CombinedPaymentDoc } from './combined-payment.model';
import type { Notifier } from '../notifications/notifier';

/** Decides what a refund report means for the order's refund records and its state. */
export function refundResults({ db, logger, notifier }: { db: Connection; logger: Logger; notifier: Notifier }) {
  const Order = orderModel(db);
  const Combined = combinedPaymentModel(db);
  const transitions = orderTransitions(db);
  const log = logger.child({ component: 'payments' });

  /** The order a refund was made for: named by the out_trade_no, or among a combined payment's members by the out_refund_no. */
  async function refundedOrder(refund: ChannelRefund): Promise<OrderDoc | null> {
    const parsed = parseOutTradeNo(refund.outTradeNo);
    if (parsed) return Order.findById(parsed.orderId).lean<OrderDoc>();
    const combinedId = parseCombinedOutTradeNo(refund.outTradeNo);
    const combined = combinedId && (await Combined.findById(combinedId).lean<CombinedPaymentDoc>());
    if (!combined) return null;
    return Order.findOne({ _id: { $in: combined.shares.map((share) => share.orderId) }, 'refunds.outRefundNo': refund.outRefundNo }).lean<OrderDoc>();
  }

  /** Records what the channel says about a refund; the order becomes REFUNDED when its own payment is refunded. */
  async function applyRefundResult(refund: ChannelRefund, actor: string): Promise<void> {
    const order = await refundedOrder(refund);
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
    // This update won SUCCESS for the record: the one place a refund's notice is queued (once per out_refund_no).
    if (refund.status === 'SUCCESS') {
      await notifier
        .notify(order.openid, 'refund-succeeded', { orderId: fields.orderId, outRefundNo: refund.outRefundNo, amountFen: record.amountFen, reason: record.reason || '订单退款', refundedAt: completed! })
        .catch((error: unknown) => log.warn({ ...fields, err: error }, 'refund notice not queued'));
    }
    // Partial refunds: the order is REFUNDED only once every refund of its own payment succeeded. Read again, so
    // of two refunds confirmed at the same moment the later write sees the other's SUCCESS (the refund job heals the rest).
    const fresh = refund.status === 'SUCCESS' && order.status === 'REFUNDING' ? await Order.findById(order._id).lean<OrderDoc>() : null;
    if (fresh && record.transactionId === fresh.payment.transactionId && fresh.status === 'REFUNDING' && ownRefundsSucceeded(fresh)) {
      if (await transitions.finishRefund(order._id, { reason: ORDER_HISTORY.refundSucceeded.write(refund.outRefundNo), actor })) {
        log.info({ ...fields, actor }, 'order refunded');
      }
    }
  }

  return { applyRefundResult };
}
