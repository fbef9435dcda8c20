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

/** What a paying client needs to know: has the money arrived, or is the order gone. */
export const PAYMENT_STATUSES = ['PENDING', 'PAID', 'CLOSED'] as const;
export const paymentStatusSchema = z.enum(PAYMENT_STATUSES);
export type PaymentStatus = z.infer<typeof paymentStatusSchema>;
