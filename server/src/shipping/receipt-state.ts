import type { MoneyState } from '@blindbox/shared';
import type { OrderDoc } from '../orders/order.model';
import { isOnRefund, isPaid } from '../orders/order-state';

/**
 * Who decides that a parcel arrived, and where the order's money stands. Since 2023 WeChat freezes a
 * mini-program payment (JSAPI) until its shipping information is uploaded and the receipt confirmed (by the
 * shopper in WeChat's own component, or automatically after WeChat's waiting period); other payments (Native
 * QR, Alipay) are not under that service, so the shop's own 确认收货 decides them.
 */
export function receiptByWechat(order: Pick<OrderDoc, 'payment'>): boolean {
  return (order.payment.channel ?? 'wechatpay') === 'wechatpay' && order.payment.rawTransaction?.trade_type === 'JSAPI';
}

/**
 * get_order's order_state once the receipt is confirmed: 3 确认收货, 4 交易完成, 6 资金待结算 (1 待发货, 2 已发货,
 * 5 已退款 are not).
 */
const RECEIPT_CONFIRMED_ORDER_STATES: ReadonlySet<number> = new Set([3, 4, 6]);
export const isReceiptConfirmedAtWechat = (orderState: number): boolean => RECEIPT_CONFIRMED_ORDER_STATES.has(orderState);

/** PAID: ours to use; FROZEN: WeChat holds it until the receipt; SETTLED: WeChat released it. */
export function moneyStateOf(order: Pick<OrderDoc, 'status' | 'payment' | 'settledAt'>): MoneyState {
  if (isOnRefund(order.status)) return order.payment.transactionId ? 'REFUNDED' : 'UNPAID';
  if (!isPaid(order.status)) return 'UNPAID';
  if (order.settledAt) return 'SETTLED';
  return receiptByWechat(order) ? 'FROZEN' : 'PAID';
}
