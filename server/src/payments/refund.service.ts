import type { Connection, Types } from 'mongoose';
import { ORDER_HISTORY } from '@blindbox/shared';
import type { Logger } from '../logger';
import type { JobScheduler } from '../jobs/job-scheduler';
import type { PaymentService } from './payment.service';
import type { PaymentChannels } from './payment-channels';
import { orderModel, type OrderDoc, type RefundDoc } from '../orders/order.model';
import { auditEntry, orderTransitions } from '../orders/order-transitions';
import { canBeRefunded, isRefundOutstanding } from '../orders/order-state';
import type { RefundRequest } from '@blindbox/shared';
import { refundRecordFor } from './refund-record';
import { NotFound } from '../domain-error';
import { OrderStateConflict } from '../orders/order-errors';
import { ownRefunds, ownRefundsSucceeded, refundableOf, refundedUnitsByLine, unitsRefundFen, type Refundable } from './refund-amounts';
import { RefundExceedsRefundable, RefundOverRoleLimit, RefundUnitsInvalid } from './refund-errors';

export interface RefundServiceDeps {
  db: Connection;
  logger: Logger;
  channels: Pick<PaymentChannels, 'of' | 'ofOrder'>;
  payments: Pick<PaymentService, 'applyRefundResult'>;
  scheduler: JobScheduler;
}

export interface RefundProgress {
  /** Refunds the channel has not confirmed yet (PENDING or PROCESSING) after this pass. */
  outstanding: number;
  /** Refunds that need a person (the channel reports CLOSED or ABNORMAL). */
  needsAttention: number;
  /** When the oldest outstanding refund was requested; drives the retry backoff. */
  oldestRequestedAt: Date | null;
  order: OrderDoc | null;
}


/**
 * Drives an order's refunds[] to the channel's confirmation. Each record moves PENDING → PROCESSING (refund
 * requested; the out_refund_no makes a repeated request the same refund) → SUCCESS (by query here or by
 * the refund notification, both through payments.applyRefundResult). Records are addressed by array
 * index with a guard on their current status, because FerretDB v1 gives no positional-$ guarantees.
 */
export function refundService({ db, logger, channels, payments, scheduler }: RefundServiceDeps) {
  const Order = orderModel(db);
  const transitions = orderTransitions(db);
  const log = logger.child({ component: 'refunds' });

  async function advance(order: OrderDoc, index: number, record: RefundDoc, actor: string): Promise<void> {
    const fields = { orderId: order._id.toHexString(), outTradeNo: record.outTradeNo, outRefundNo: record.outRefundNo };
    // The channel that took the money gives it back.
    const channel = channels.of(record);
    if (record.status === 'PENDING') {
      const result = await channel.refund({
        outTradeNo: record.outTradeNo,
        outRefundNo: record.outRefundNo,
        refundFen: record.amountFen,
        totalFen: record.totalFen ?? record.amountFen,
        reason: record.reason,
      });
      await Order.updateOne(
        { _id: order._id, [`refunds.${index}.outRefundNo`]: record.outRefundNo, [`refunds.${index}.status`]: 'PENDING' },
        { $set: { [`refunds.${index}.status`]: 'PROCESSING' } },
      );
      log.info({ ...fields, channel: channel.name, refundId: result.refundId, status: result.status, actor }, 'refund requested at the channel');
      if (result.status !== 'PROCESSING') await payments.applyRefundResult(result, actor);
      return;
    }
    if (record.status === 'PROCESSING') {
      const result = await channel.queryRefund(record.outRefundNo, record.outTradeNo);
      if (!result) {
        // The channel does not know it: request it again (same out_refund_no, so never twice).
        log.warn({ ...fields, actor }, 'refund unknown at the channel; requesting it again');
        await Order.updateOne(
          { _id: order._id, [`refunds.${index}.outRefundNo`]: record.outRefundNo, [`refunds.${index}.status`]: 'PROCESSING' },
          { $set: { [`refunds.${index}.status`]: 'PENDING' } },
        );
        return;
      }
      await payments.applyRefundResult(result, actor);
    }
  }

  /** A crash after the record became SUCCESS but before REFUNDING → REFUNDED is healed here. */
  async function finishIfRefunded(order: OrderDoc, actor: string): Promise<OrderDoc> {
    if (order.status !== 'REFUNDING' || !order.payment.transactionId || !ownRefundsSucceeded(order)) return order;
    const done = await transitions.finishRefund(order._id, { reason: ORDER_HISTORY.everyRefundSucceeded.write(), actor });
    if (done) log.info({ orderId: order._id.toHexString(), outTradeNo: order.payment.outTradeNo, actor }, 'order refunded');
    return done ?? order;
  }

  async function processRefunds(orderId: Types.ObjectId, actor = 'job:refund'): Promise<RefundProgress> {
    const order = await Order.findById(orderId).lean<OrderDoc>();
    if (!order) return { outstanding: 0, needsAttention: 0, oldestRequestedAt: null, order: null };
    for (const [index, record] of order.refunds.entries()) {
      if (!isRefundOutstanding(record)) continue;
      try {
        await advance(order, index, record, actor);
      } catch (error) {
        log.warn(
          { orderId: orderId.toHexString(), outTradeNo: record.outTradeNo, outRefundNo: record.outRefundNo, err: error, actor },
          'refund step failed; will retry',
        );
      }
    }
    // Re-read: the pass changed statuses, and a refund may have been added meanwhile.
    let fresh = await Order.findById(orderId).lean<OrderDoc>();
    if (!fresh) return { outstanding: 0, needsAttention: 0, oldestRequestedAt: null, order: null };
    fresh = await finishIfRefunded(fresh, actor);
    const open = fresh.refunds.filter(isRefundOutstanding);
    const stuck = fresh.refunds.filter((record) => record.status === 'CLOSED' || record.status === 'ABNORMAL');
    for (const record of stuck) {
      log.error(
        { orderId: orderId.toHexString(), outTradeNo: record.outTradeNo, outRefundNo: record.outRefundNo, status: record.status, alert: true },
        'refund needs manual handling in the payment channel\'s merchant platform',
      );
    }
    if (open.length === 0 && fresh.refundCheckAt) {
      // Guarded on the value read: a refund added since then set a newer one and keeps the order in the sweep.
      await Order.updateOne({ _id: orderId, refundCheckAt: fresh.refundCheckAt }, { $set: { refundCheckAt: null } });
    }
    const oldest = open.reduce<Date | null>((min, record) => (!min || record.requestedAt < min ? record.requestedAt : min), null);
    return { outstanding: open.length, needsAttention: stuck.length, oldestRequestedAt: oldest, order: fresh };
  }

  /** Units (checked against what is left of each line) or an amount, in fen, and which lines when by unit. */
  function amountOf(order: OrderDoc, request: RefundRequest, refundable: Refundable): { amountFen: number; units: RefundDoc['units'] } {
    if (request.mode === 'full') return { amountFen: refundable.amountFen, units: null };
    if (request.mode === 'amount') return { amountFen: request.amountFen, units: null };
    const refunded = refundedUnitsByLine(order);
    const seen = new Set<number>();
    let amountFen = 0;
    for (const { itemIndex, quantity } of request.units) {
      const line = refundable.units[itemIndex];
      if (!line || seen.has(itemIndex)) throw new RefundUnitsInvalid(`no line ${itemIndex} (or named twice)`);
      if (quantity > line.quantity) throw new RefundUnitsInvalid(`line ${itemIndex} has ${line.quantity} unit(s) left to refund`);
      seen.add(itemIndex);
      amountFen += unitsRefundFen(order, itemIndex, refunded[itemIndex] ?? 0, quantity);
    }
    if (amountFen === 0) throw new RefundUnitsInvalid('those units cost nothing');
    return { amountFen, units: request.units.map(({ itemIndex, quantity }) => ({ itemIndex, quantity })) };
  }

  /**
   * Refunds part or the rest of a paid order's own payment: by unit, by amount, or in full (whatever is left).
   * Each refund is its own record with its own out_refund_no, added by one write guarded on the status and on
   * the reservation (refundReservedFen) read: of concurrent requests one wins, the others re-read and decide
   * again against what is left, so together they never exceed what was paid. The refund that leaves nothing
   * moves the order to REFUNDING (then REFUNDED once every refund of its payment succeeded); one that leaves
   * something keeps the order where it is. `limitFen`: the largest refund the requester may give. `key`: this
   * refund happens once for that key: a refund already recorded under it is the answer (every refund write
   * moves refundReservedFen, so of two callers with one key the loser re-reads and finds the winner's record).
   */
  async function refund(orderId: Types.ObjectId, request: RefundRequest, by: { actor: string; limitFen?: number | null; key?: string }): Promise<OrderDoc> {
    for (;;) {
      const order = await Order.findById(orderId).lean<OrderDoc>();
      if (!order) throw new NotFound('order');
      if (by.key && order.refunds.some((record) => record.requestKey === by.key)) return order;
      const { transactionId, outTradeNo } = order.payment;
      if (!canBeRefunded(order.status) || !transactionId || !outTradeNo) {
        throw new OrderStateConflict('ORDER_NOT_REFUNDABLE', `order is ${order.status}; only paid orders can be refunded`);
      }
      const refundable = refundableOf(order);
      const { amountFen, units } = amountOf(order, request, refundable);
      if (amountFen <= 0 || amountFen > refundable.amountFen) {
        throw new RefundExceedsRefundable(`${amountFen} fen asked, ${refundable.amountFen} fen left to refund`, { refundableFen: refundable.amountFen });
      }
      if (by.limitFen !== null && by.limitFen !== undefined && amountFen > by.limitFen) {
        throw new RefundOverRoleLimit(`${amountFen} fen is above the ${by.limitFen} fen this role may refund`, { limitFen: by.limitFen });
      }
      // An order paid with others in one transaction gives back (part of) its own share of it.
      const { transactionTotalFen } = order.payment;
      const share = transactionTotalFen ? { orderId: order._id, totalFen: transactionTotalFen } : undefined;
      const record = refundRecordFor(channels.ofOrder(order).name, transactionId, outTradeNo, amountFen, request.reason, share, {
        sequence: ownRefunds(order).length + 1,
        transactionTotalFen: transactionTotalFen ?? order.totalFen,
        units: units ?? null,
        actor: by.actor,
        requestKey: by.key ?? null,
      });
      const read = order.refundReservedFen ?? null;
      const reservation = { read, after: (read ?? 0) + amountFen };
      const fields = { orderId: orderId.toHexString(), outTradeNo, outRefundNo: record.outRefundNo, amountFen, actor: by.actor };
      const started =
        amountFen === refundable.amountFen
          ? await transitions.startRefund(orderId, order.status, record, { reason: request.reason, actor: by.actor }, reservation)
          : await Order.findOneAndUpdate(
              { _id: orderId, status: order.status, refundReservedFen: read },
              {
                $set: { refundReservedFen: reservation.after, refundCheckAt: new Date(), lastRefundAt: new Date() },
                $push: {
                  refunds: record,
                  audit: auditEntry(order.status, order.status, { reason: ORDER_HISTORY.partialRefund.write(record.outRefundNo, String(amountFen), request.reason), actor: by.actor }),
                },
              },
              { returnDocument: 'after' },
            ).lean<OrderDoc>();
      if (started) {
        log.info(fields, amountFen === refundable.amountFen ? 'refund started' : 'partial refund started');
        await scheduler.scheduleRefund(orderId);
        return started;
      }
      // Lost a race (another refund, shipped or confirmed meanwhile): re-read and decide again.
    }
  }

  /** Full refund of a paid order (the CLI's `refund` without --units/--amount); asking again changes nothing. */
  async function refundOrder(orderId: Types.ObjectId, actor: string, reason = 'refunded by admin'): Promise<OrderDoc> {
    const order = await Order.findById(orderId).lean<OrderDoc>();
    if (!order) throw new NotFound('order');
    if (order.status === 'REFUNDING' || order.status === 'REFUNDED') {
      // Already on its way: make sure the job is there, answer with the current state.
      if (order.status === 'REFUNDING') await scheduler.scheduleRefund(orderId);
      return order;
    }
    return refund(orderId, { mode: 'full', reason }, { actor });
  }

  return { processRefunds, refund, refundOrder };
}

export type RefundService = ReturnType<typeof refundService>;
