import type { Types } from 'mongoose';
import type { ChannelName, RefundDoc } from '../orders/order.model';

/**
 * One refund per transaction and order, with an out_refund_no derived from them so a retried request is the
 * same refund. A transaction that paid several orders (a combined payment) is refunded per order, for its
 * share: `share` names the order (each gets its own out_refund_no) and the transaction's whole amount.
 */
export function refundRecordFor(
  channel: ChannelName,
  transactionId: string,
  outTradeNo: string,
  amountFen: number,
  reason: string,
  share?: { orderId: Types.ObjectId; totalFen: number },
): RefundDoc {
  return {
    outRefundNo: (share ? `RF${transactionId}_${share.orderId.toHexString()}` : `RF${transactionId}`).slice(0, 64),
    channel,
    transactionId,
    outTradeNo,
    amountFen,
    ...(share ? { totalFen: share.totalFen } : {}),
    reason,
    status: 'PENDING',
    requestedAt: new Date(),
    completedAt: null,
  };
}
