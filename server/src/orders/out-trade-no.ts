import { Types } from 'mongoose';
import type { OrderDoc } from './order.model';
import { combinedOutTradeNo } from '../payments/combined-payment.model';

/**
 * out_trade_no = <order id>_<attempt number>: unique per payment attempt, within WeChat's 6–32 allowed
 * characters, and it leads back to the order without an index or a lookup table.
 */
export function outTradeNoFor(orderId: Types.ObjectId, attempt: number): string {
  return `${orderId.toHexString()}_${attempt}`;
}

export function parseOutTradeNo(outTradeNo: string): { orderId: Types.ObjectId; attempt: number } | null {
  const match = /^([a-f0-9]{24})_(\d{1,4})$/.exec(outTradeNo);
  if (!match?.[1] || !match[2]) return null;
  return { orderId: new Types.ObjectId(match[1]), attempt: Number(match[2]) };
}

/**
 * The out_trade_no that speaks for the order at its channel: the one that paid it, else its open attempt, else
 * the combined payment it is in, else its last attempt; null when it never opened a payment.
 */
export function outTradeNoOfOrder(order: Pick<OrderDoc, '_id' | 'payment'>): string | null {
  const { payment } = order;
  if (payment.outTradeNo) return payment.outTradeNo;
  if (payment.current) return payment.current.outTradeNo;
  if (payment.combinedId) return combinedOutTradeNo(payment.combinedId);
  return payment.attemptCount > 0 ? outTradeNoFor(order._id, payment.attemptCount) : null;
}
