import { PAID_ORDER_STATUSES, type OrderStatus } from '@blindbox/shared';
import type { RefundDoc } from './order.model';

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

/** What an admin may refund in full: a paid order, shipped or not. */
export const canBeRefunded = (status: OrderStatus): boolean => PAID.has(status);

/** A refund WeChat has not confirmed yet: the refund job keeps asking. */
export const isRefundOutstanding = (refund: Pick<RefundDoc, 'status'>): boolean => OUTSTANDING_REFUND.has(refund.status);

export const hasOutstandingRefund = (order: { refunds: readonly Pick<RefundDoc, 'status'>[] }): boolean => order.refunds.some(isRefundOutstanding);
