import type { Coupon } from '@blindbox/shared';
import { formatFen } from '@blindbox/shared/src/money';

export { ORDER_STATUS_LABELS, RARITY_LABELS } from '@blindbox/shared/src/constants';

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
