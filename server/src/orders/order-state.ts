import { PAID_ORDER_STATUSES, type OrderStatus } from '@blindbox/shared';
import type { Types } from 'mongoose';
import type { OrderDoc, RefundDoc } from './order.model';

/**
 * What each order state means, defined once beside the transitions (order-transitions.ts) and asked
 * everywhere else: payments, refunds, reports and the admin CLI never list statuses of their own.
 */

// The list itself is shared: the mini-program and the collection query need it as data.
const PAID: ReadonlySet<OrderStatus> = new Set(PAID_ORDER_STATUSES);
const ON_REFUND: ReadonlySet<OrderStatus> = new Set(['REFUNDING', 'REFUNDED']);
const OUTSTANDING_REFUND: ReadonlySet<RefundDoc['status']> = new Set(['PENDING', 'PROCESSING']);

/** Paid and drawn, not refunded: the shopper owns what the box drew. */
export const isPaid = (status: OrderStatus): boolean => PAID.has(status);

/** Money came in and is being, or has been, given back. */
export const isOnRefund = (status: OrderStatus): boolean => ON_REFUND.has(status);

/** Only an unpaid order can be closed (by the shopper, by expiry, or by the admin). */
export const canBeClosed = (status: OrderStatus): boolean => status === 'TO_BE_PAID';

/** Paid and not shipped yet: what staff may ship (order-transitions.ts `ship` moves it on). */
export const canBeShipped = (status: OrderStatus): boolean => status === 'TO_BE_DELIVERED';

/**
 * Where an order goes may change until it ships: by the shopper while it is unpaid (once paid the shop is packing
 * it), by staff until it is shipped (a shopper who moved asks customer service).
 */
export const addressChangeable = (status: OrderStatus, by: 'shopper' | 'staff'): boolean => status === 'TO_BE_PAID' || (by === 'staff' && canBeShipped(status));

/** What an admin may refund in full: a paid order, shipped or not. */
export const canBeRefunded = (status: OrderStatus): boolean => PAID.has(status);

/** A refund WeChat has not confirmed yet: the refund job keeps asking. */
export const isRefundOutstanding = (refund: Pick<RefundDoc, 'status'>): boolean => OUTSTANDING_REFUND.has(refund.status);

export const hasOutstandingRefund = (order: { refunds: readonly Pick<RefundDoc, 'status'>[] }): boolean => order.refunds.some(isRefundOutstanding);

/**
 * Fulfilled: paid and drawn. The one rule for what an order's holds become: a fulfilled order keeps them for
 * good (units sold, coupon spent, quota and caps counted), even once refunded; money that came too late
 * (CLOSED → REFUNDING) drew nothing, so it fulfilled nothing.
 */
export const isFulfilled = (order: Pick<OrderDoc, 'draws'>): boolean => order.draws.length > 0;

/** Long enough for any order placing to have stored its order after taking its holds (it takes milliseconds). */
export const ORPHAN_AGE_MS = 10 * 60 * 1000;

/** What becomes of what an order holds: it waits while payable, is kept once fulfilled, goes back otherwise. */
export type HoldFate = 'WAIT' | 'KEEP' | 'RELEASE';

/** An order never stored (placing crashed after taking a hold) gives its holds back once it surely never will be. */
export function holdFateOf(orderId: Types.ObjectId, order: Pick<OrderDoc, 'status' | 'draws'> | undefined, now: Date): HoldFate {
  if (!order) return now.getTime() - orderId.getTimestamp().getTime() > ORPHAN_AGE_MS ? 'RELEASE' : 'WAIT';
  if (order.status === 'TO_BE_PAID') return 'WAIT';
  return isFulfilled(order) ? 'KEEP' : 'RELEASE';
}
