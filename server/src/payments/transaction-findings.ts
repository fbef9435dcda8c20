import type { Connection } from 'mongoose';
import { ORDER_HISTORY } from '@blindbox/shared';
import type { OrderDoc, PaymentKind } from '../orders/order.model';
import { orderModel } from '../orders/order.model';
import { auditEntry } from '../orders/order-transitions';
import type { ChannelTransaction } from './payment-channel';

/**
 * What a successful transaction must agree with, beyond merchant, out_trade_no and amount, before it may pay
 * the order: the currency we charge in, the way the attempt was opened and, when the shopper paid inside the
 * mini-program, the shopper. null when it agrees.
 *
 * A NATIVE (QR) payment may be made by anyone who scans the code, so its payer is not compared; an attempt
 * other than the open one has no stored kind, so only the open one's trade_type is compared.
 */
export function transactionFinding(order: OrderDoc, tx: ChannelTransaction): string | null {
  const attempt = order.payment.current?.outTradeNo === tx.outTradeNo ? order.payment.current : null;
  return paymentFinding(tx, { kind: attempt?.kind ?? null, openid: order.openid });
}

/** The same rules against what was opened: the kind of an open attempt or combined payment (null: not known), and its shopper. */
export function paymentFinding(tx: ChannelTransaction, opened: { kind: PaymentKind | null; openid: string }): string | null {
  if (tx.currency !== 'CNY') return `currency ${tx.currency ?? '(none)'} is not CNY`;
  if (opened.kind && tx.tradeType !== opened.kind) return `trade_type ${tx.tradeType ?? '(none)'} but the attempt was opened as ${opened.kind}`;
  if ((opened.kind ?? tx.tradeType) === 'JSAPI' && tx.payerOpenid !== opened.openid) {
    return `paid by ${tx.payerOpenid ?? '(no payer)'}, not by the order's shopper`;
  }
  return null;
}

/**
 * Keeps the finding on the order's audit trail (status unchanged), once however often WeChat repeats the
 * report, so whoever looks at the order sees why it was not fulfilled. FerretDB v1 cannot match "no element
 * has this reason", so the write is guarded on the trail's length instead and re-decided when it grew.
 */
export async function recordFinding(db: Connection, order: OrderDoc, finding: string, actor: string): Promise<void> {
  const Order = orderModel(db);
  const reason = ORDER_HISTORY.finding.write(finding);
  for (let seen: OrderDoc | null = order; seen && !seen.audit.some((entry) => entry.reason === reason); ) {
    const added = await Order.updateOne({ _id: seen._id, audit: { $size: seen.audit.length } }, { $push: { audit: auditEntry(seen.status, seen.status, { reason, actor }) } });
    if (added.modifiedCount === 1) return;
    seen = await Order.findById(seen._id).lean<OrderDoc>();
  }
}
