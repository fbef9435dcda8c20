import { OPEN_AFTERSALES_STATUSES, type AftersalesStatus } from '@blindbox/shared';
import type { OrderDoc, RefundDoc } from '../orders/order.model';
import { refundableOf, splitOverLines } from '../payments/refund-amounts';
import type { AftersalesDoc } from './aftersales.model';

/** The rules of a request, asked by the service, the views and the routes alike. */

const OPEN: readonly AftersalesStatus[] = OPEN_AFTERSALES_STATUSES;

/** In progress: the thread takes messages and the line takes no second request. */
export const isOpen = (status: AftersalesStatus): boolean => OPEN.includes(status);

/** What staff may decide from: every open status but RESOLVING (a decision taken, being carried out). */
export const DECIDABLE: readonly AftersalesStatus[] = OPEN.filter((status) => status !== 'RESOLVING');

/** Shipped: what the shopper received (or should have) is what after-sales is about. */
const ASKABLE_ORDER: ReadonlySet<OrderDoc['status']> = new Set(['DELIVERED', 'COMPLETED']);
export const takesAftersales = (order: Pick<OrderDoc, 'status'>): boolean => ASKABLE_ORDER.has(order.status);

/** The refund a request may give: the line's share of what was paid (coupon included), at most what is left. */
export function refundCapFen(order: OrderDoc, itemIndex: number): number {
  const lineFen = splitOverLines(order.totalFen, order)[itemIndex] ?? 0;
  return Math.min(lineFen, refundableOf(order).amountFen);
}

/** The key a request's refund is made under: the refund service makes one refund per key. */
export const refundKey = (request: Pick<AftersalesDoc, '_id'>): string => `aftersales:${request._id.toHexString()}`;

/** The refund a request gave, found by its key. */
export const refundOf = (order: Pick<OrderDoc, 'refunds'>, request: Pick<AftersalesDoc, '_id'>): RefundDoc | undefined =>
  order.refunds.find((refund) => refund.requestKey === refundKey(request));
