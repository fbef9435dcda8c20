import type { Coupon, OrderStatus, Rarity } from '@blindbox/shared';
import { formatFen } from '@blindbox/shared/src/money';

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

/** A published probability as a percentage, e.g. 0.0125 → "1.25%". Display only: draws happen on the server. */
export function formatOdds(odds: number): string {
  return `${(odds * 100).toFixed(2)}%`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** Local "YYYY-MM-DD HH:mm" for an ISO timestamp. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** What a coupon takes off: `减 ¥5.00`, or for a percentage one `9折` (1000 basis points off) and its cap. */
export function couponOffText(coupon: Pick<Coupon, 'amountOffFen' | 'percentOffBp' | 'maxOffFen'>): string {
  if (!coupon.percentOffBp) return `减 ${formatFen(coupon.amountOffFen)}`;
  return `享 ${(10_000 - coupon.percentOffBp) / 1000}折${coupon.maxOffFen ? `（最高减 ${formatFen(coupon.maxOffFen)}）` : ''}`;
}
