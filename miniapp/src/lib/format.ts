import type { Coupon, Order, OrderStatus, Rarity } from '@blindbox/shared';
import { formatFen } from '@blindbox/shared/src/money';
import { beijingTime } from '@blindbox/shared/src/beijing-time';

export const RARITY_LABELS: Record<Rarity, string> = {
  COMMON: '普通',
  RARE: '稀有',
  EPIC: '史诗',
  SECRET: '隐藏',
};

export const ORDER_STATUS_LABELS: Record<OrderStatus, string> = {
  TO_BE_PAID: '待支付',
  TO_BE_DELIVERED: '待发货',
  DELIVERED: '已发货',
  COMPLETED: '已完成',
  CLOSED: '已关闭',
  REFUNDING: '退款中',
  REFUNDED: '已退款',
};

/** A closed order says how it closed: the shopper's own cancel, or the payment window running out. */
export function orderStatusText(order: Pick<Order, 'status' | 'audit'>): string {
  if (order.status !== 'CLOSED') return ORDER_STATUS_LABELS[order.status];
  const closing = order.audit.find((entry) => entry.to === 'CLOSED');
  return closing?.reason === 'expired' ? '已超时关闭' : closing?.actor.startsWith('user:') ? '已取消' : ORDER_STATUS_LABELS.CLOSED;
}

/** An amount not (or never) paid is what is owed, 应付; a paid one is 实付. */
export function totalLabel(status: OrderStatus): '应付' | '实付' {
  return status === 'TO_BE_PAID' || status === 'CLOSED' ? '应付' : '实付';
}

/** A published probability as a percentage, e.g. 0.0125 → "1.25%". Display only: draws happen on the server. */
export function formatOdds(odds: number): string {
  return `${(odds * 100).toFixed(2)}%`;
}

/** Beijing "YYYY-MM-DD HH:mm" for an ISO timestamp, on a phone set to any zone: the one formatter for every time a shopper reads. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return beijingTime(date).slice(0, 16);
}

/** What a coupon takes off: `减 ¥5.00`, or for a percentage one `9折` (1000 basis points off) and its cap. */
export function couponOffText(coupon: Pick<Coupon, 'amountOffFen' | 'percentOffBp' | 'maxOffFen'>): string {
  if (!coupon.percentOffBp) return `减 ${formatFen(coupon.amountOffFen)}`;
  return `享 ${(10_000 - coupon.percentOffBp) / 1000}折${coupon.maxOffFen ? `（最高减 ${formatFen(coupon.maxOffFen)}）` : ''}`;
}
