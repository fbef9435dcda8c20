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

/** Beijing is UTC+8 all year (no daylight saving): the shop's times read the same on a phone set to any zone. */
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The Beijing wall-clock parts of an instant, whatever zone the device is set to. */
export function beijingParts(iso: string): { year: number; month: number; day: number; hour: number; minute: number } | null {
  const date = new Date(new Date(iso).getTime() + BEIJING_OFFSET_MS);
  if (Number.isNaN(date.getTime())) return null;
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour: date.getUTCHours(), minute: date.getUTCMinutes() };
}

/** Beijing "YYYY-MM-DD HH:mm" for an ISO timestamp: the one formatter for every time a shopper reads. */
export function formatDateTime(iso: string): string {
  const parts = beijingParts(iso);
  if (!parts) return iso;
  return `${parts.year}-${pad(parts.month)}-${pad(parts.day)} ${pad(parts.hour)}:${pad(parts.minute)}`;
}

/** What a coupon takes off: `减 ¥5.00`, or for a percentage one `9折` (1000 basis points off) and its cap. */
export function couponOffText(coupon: Pick<Coupon, 'amountOffFen' | 'percentOffBp' | 'maxOffFen'>): string {
  if (!coupon.percentOffBp) return `减 ${formatFen(coupon.amountOffFen)}`;
  return `享 ${(10_000 - coupon.percentOffBp) / 1000}折${coupon.maxOffFen ? `（最高减 ${formatFen(coupon.maxOffFen)}）` : ''}`;
}
