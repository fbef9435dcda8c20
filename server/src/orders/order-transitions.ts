import type { Connection, Types, UpdateQuery } from 'mongoose';
import type { OrderStatus } from '@blindbox/shared';
import { orderModel, type AuditEntryDoc, type OrderDoc, type RefundDoc } from './order.model';

export interface TransitionCause {
  reason: string;
  /** Who caused it: `user:<id>`, `wechatpay:notify`, `job:expiry-sweep`, `admin:cli`, ... */
  actor: string;
}

/** An entry of an order's history: a move between statuses, or a change within one (`from` = `to`: a new address, a partial refund). */
export const auditEntry = (from: OrderStatus | null, to: OrderStatus, cause: TransitionCause): AuditEntryDoc => ({ from, to, reason: cause.reason, actor: cause.actor, at: new Date() });

/**
 * The one way into each order state: a single conditional update that moves the order only from the
 * expected status and appends the audit entry in the same write. Returns the updated order, or null when
 * the order was not in `from` (someone else won the race, or the transition does not apply) — a normal
 * outcome the caller answers by re-reading.
 */
export function orderTransitions(connection: Connection) {
  const Order = orderModel(connection);

  function transition(
    orderId: Types.ObjectId,
    from: OrderStatus,
    to: OrderStatus,
    cause: TransitionCause,
    update: { $set?: Record<string, unknown>; $push?: Record<string, unknown> } = {},
    guard: Record<string, unknown> = {},
  ): Promise<OrderDoc | null> {
    const change: UpdateQuery<OrderDoc> = {
      $set: { ...update.$set, status: to },
      $push: { ...update.$push, audit: auditEntry(from, to, cause) },
    };
    return Order.findOneAndUpdate({ ...guard, _id: orderId, status: from }, change, { returnDocument: 'after' }).lean<OrderDoc>().exec();
  }

  return {
    /** Paid and drawn in one write: an order is never paid without its draws, nor drawn twice. */
    markPaid: (orderId: Types.ObjectId, payment: Record<string, unknown>, cause: TransitionCause) =>
      transition(orderId, 'TO_BE_PAID', 'TO_BE_DELIVERED', cause, { $set: payment }),
    /**
     * Guarded on the number of payment attempts and on being in no combined payment too: an attempt opened
     * (or a combined payment joined) after the caller closed the previous one at WeChat must be closed there
     * first, so the caller re-reads and tries again.
     */
    close: (orderId: Types.ObjectId, attemptCount: number, cause: TransitionCause) =>
      transition(
        orderId,
        'TO_BE_PAID',
        'CLOSED',
        cause,
        { $set: { 'payment.current': null, releaseDueAt: new Date() } },
        { 'payment.attemptCount': attemptCount, 'payment.combinedId': null },
      ),
    /** Money arrived for an order already closed: keep the payment on record and refund it. */
    markPaidAfterClose: (orderId: Types.ObjectId, payment: Record<string, unknown>, refund: RefundDoc, cause: TransitionCause) =>
      transition(orderId, 'CLOSED', 'REFUNDING', cause, { $set: { ...payment, refundCheckAt: new Date(), lastRefundAt: new Date() }, $push: { refunds: refund } }),
    ship: (orderId: Types.ObjectId, trackingNote: string, cause: TransitionCause) =>
      transition(orderId, 'TO_BE_DELIVERED', 'DELIVERED', cause, { $set: { trackingNote } }),
    complete: (orderId: Types.ObjectId, cause: TransitionCause) => transition(orderId, 'DELIVERED', 'COMPLETED', cause),
    /**
     * Money arrived but the order cannot be drawn (its due guarantee's items ran out in the same moment,
     * docs/fairness.md): nothing is drawn, the payment is kept on record and refunded in full.
     */
    markPaidUndrawable: (orderId: Types.ObjectId, payment: Record<string, unknown>, refund: RefundDoc, cause: TransitionCause) =>
      transition(orderId, 'TO_BE_PAID', 'REFUNDING', cause, { $set: { ...payment, refundCheckAt: new Date(), lastRefundAt: new Date(), refundReservedFen: refund.amountFen }, $push: { refunds: refund } }),
    /** Guarded on the refund reservation read (payments/refund.service.ts): a refund added meanwhile makes it lose. */
    startRefund: (orderId: Types.ObjectId, from: OrderStatus, refund: RefundDoc, cause: TransitionCause, reservation: { read: number | null; after: number }) =>
      transition(
        orderId,
        from,
        'REFUNDING',
        cause,
        { $set: { refundCheckAt: new Date(), lastRefundAt: new Date(), refundReservedFen: reservation.after }, $push: { refunds: refund } },
        { refundReservedFen: reservation.read },
      ),
    finishRefund: (orderId: Types.ObjectId, cause: TransitionCause) => transition(orderId, 'REFUNDING', 'REFUNDED', cause),
  };
}

export type OrderTransitions = ReturnType<typeof orderTransitions>;
