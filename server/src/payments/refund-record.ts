import type { Types } from 'mongoose';
import type { ChannelName, RefundDoc } from '../orders/order.model';

/** A refund of part (or the rest) of an order's own payment, one of possibly several. */
export interface PartialRefund {
  /** 1 for the order's first refund of its payment, 2 for the second, ... */
  sequence: number;
  /** amount.total of the transaction (WeChat refunds name it with every partial refund). */
  transactionTotalFen: number;
  units: Array<{ itemIndex: number; quantity: number }> | null;
  actor: string;
  /** Set when the refund must happen once per asker (refund.service.ts `key`). */
  requestKey?: string | null;
}

/**
 * One refund per transaction and order (and, for partial refunds, per sequence number), with an out_refund_no derived from them so a retried request is the
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
  partial?: PartialRefund,
): RefundDoc {
  const base = share ? `RF${transactionId}_${share.orderId.toHexString()}` : `RF${transactionId}`;
  // A later refund of the same payment (partial refunds) gets its own number: the order's nth refund of it.
  const outRefundNo = partial && partial.sequence > 1 ? `${base}_${partial.sequence}` : base;
  const totalFen = share?.totalFen ?? partial?.transactionTotalFen;
  return {
    outRefundNo: outRefundNo.slice(0, 64),
    channel,
    transactionId,
    outTradeNo,
    amountFen,
    ...(totalFen === undefined ? {} : { totalFen }),
    ...(partial ? { units: partial.units, actor: partial.actor } : {}),
    ...(partial?.requestKey ? { requestKey: partial.requestKey } : {}),
    reason,
    status: 'PENDING',
    requestedAt: new Date(),
    completedAt: null,
  };
}
