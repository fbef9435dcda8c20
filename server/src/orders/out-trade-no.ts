import { Types } from 'mongoose';

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
