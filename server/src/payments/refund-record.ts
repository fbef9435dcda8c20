import type { ChannelName, RefundDoc } from '../orders/order.model';

/** One refund per transaction, with an out_refund_no derived from it so a retried request is the same refund. */
export function refundRecordFor(channel: ChannelName, transactionId: string, outTradeNo: string, amountFen: number, reason: string): RefundDoc {
  return {
    outRefundNo: `RF${transactionId}`.slice(0, 64),
    channel,
    transactionId,
    outTradeNo,
    amountFen,
    reason,
    status: 'PENDING',
    requestedAt: new Date(),
    completedAt: null,
  };
}
