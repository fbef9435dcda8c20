import type { OrderStatus, PaymentFailureReason, PaymentStatus } from '@blindbox/shared';
import type { OrderDoc } from '../orders/order.model';
import { canBeClosed, isOnRefund, isPaid } from '../orders/order-state';
import type { CombinedPaymentState } from './combined-payment.model';

/** What a polling client is told: the reference API's word, and why a FAILED payment failed. */
export interface PaymentOutcome {
  status: PaymentStatus;
  reason: PaymentFailureReason | null;
}

const PENDING: PaymentOutcome = { status: 'PENDING', reason: null };
const PAID: PaymentOutcome = { status: 'PAID', reason: null };
const failed = (reason: PaymentFailureReason): PaymentOutcome => ({ status: 'FAILED', reason });

/**
 * One order's payment. A closed order was closed either by its shopper (the audit entry's actor is `user:<id>`,
 * orders/order.service.ts cancel) or, past its payment window, by the expiry sweep or an admin's reconcile.
 */
export function orderPaymentOutcome(order: Pick<OrderDoc, 'status' | 'audit'>): PaymentOutcome {
  if (canBeClosed(order.status)) return PENDING;
  if (isPaid(order.status)) return PAID;
  if (isOnRefund(order.status)) return failed('REFUNDED');
  const closing = order.audit.findLast((entry) => entry.to === 'CLOSED');
  return failed(closing?.actor.startsWith('user:') ? 'CANCELLED' : 'EXPIRED');
}

/**
 * A combined payment. PAID is recorded before its members are applied (apply-payment.ts), so it is PAID only once
 * no member is still unpaid or closed: each has been drawn, or refunded its share, and the client can show every
 * order as it will stay.
 */
export function combinedPaymentOutcome(state: CombinedPaymentState, memberStatuses: readonly OrderStatus[]): PaymentOutcome {
  if (state === 'CLOSED') return failed('CLOSED');
  return state === 'PAID' && memberStatuses.every((status) => isPaid(status) || isOnRefund(status)) ? PAID : PENDING;
}
