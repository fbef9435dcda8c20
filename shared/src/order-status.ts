import { z } from 'zod';

/**
 * TO_BE_PAID → TO_BE_DELIVERED (paid and drawn) → DELIVERED → COMPLETED;
 * TO_BE_PAID → CLOSED; paid → REFUNDING → REFUNDED.
 */
export const ORDER_STATUSES = [
  'TO_BE_PAID',
  'TO_BE_DELIVERED',
  'DELIVERED',
  'COMPLETED',
  'CLOSED',
  'REFUNDING',
  'REFUNDED',
] as const;

/** Paid, drawn and not refunded: the shopper owns what these orders drew. */
export const PAID_ORDER_STATUSES = ['TO_BE_DELIVERED', 'DELIVERED', 'COMPLETED'] as const satisfies readonly (typeof ORDER_STATUSES)[number][];

export const orderStatusSchema = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof orderStatusSchema>;

/**
 * What a paying client needs to know, in the words of the reference payment API this shop was built from
 * (`GET /api/orders/{id}/payment-status`): PENDING (keep polling), PAID (the money is in and the box is drawn),
 * FAILED (it will not be paid: closed, cancelled, or the money went back). A client written against that document
 * polls until PAID or FAILED; why it failed is in its own field (PAYMENT_FAILURE_REASONS).
 */
export const PAYMENT_STATUSES = ['PENDING', 'PAID', 'FAILED'] as const;
export const paymentStatusSchema = z.enum(PAYMENT_STATUSES);
export type PaymentStatus = z.infer<typeof paymentStatusSchema>;

/**
 * Why a payment is FAILED. CANCELLED: the shopper cancelled the order; EXPIRED: its payment window passed;
 * REFUNDED: money came (after the order closed, or it was refunded later) and is being or has been given back;
 * CLOSED: a combined payment was closed unpaid (one of its orders was paid alone, cancelled or expired).
 */
export const PAYMENT_FAILURE_REASONS = ['CANCELLED', 'EXPIRED', 'REFUNDED', 'CLOSED'] as const;
export const paymentFailureReasonSchema = z.enum(PAYMENT_FAILURE_REASONS);
export type PaymentFailureReason = z.infer<typeof paymentFailureReasonSchema>;
