import type { Types } from 'mongoose';
import { ORDER_HISTORY } from '@blindbox/shared';
import type { RefundRequest, StaffAddressRequest } from '@blindbox/shared';
import type { ChangeRecorder } from '../admin/admin-audit';
import type { Container } from '../container';
import { NotFound, ruleError } from '../domain-error';
import type { ChannelTransaction } from '../payments/payment-channel';
import { orderModel, type OrderDoc } from './order.model';
import { OrderStateConflict } from './order-errors';
import { canBeClosed, canBeRefunded, hasOutstandingRefund } from './order-state';
import { outTradeNoOfOrder } from './out-trade-no';

/** Who asks: how they appear in the order's history, how their change is audited, and what they may refund. */
export interface DeskCaller {
  actor: string;
  change: ChangeRecorder;
  /** The largest refund this caller may give alone; null/absent: no limit. */
  refundLimitFen?: number | null;
}

export const UnknownCarrier = ruleError('INVALID', 'UNKNOWN_CARRIER');
/** WeChat's delivery_id codes (get_delivery_list): letters, digits, underscore. */
const CARRIER_CODE = /^[A-Za-z0-9_]{1,32}$/;

export interface ChannelView {
  outTradeNo: string | null;
  channel: string | null;
  tradeState: string | null;
  transactionId: string | null;
  amountFen: number | null;
  successTime: Date | null;
  error: string | null;
}

type DeskDeps = Pick<Container, 'db' | 'orders' | 'payments' | 'refunds' | 'channels' | 'shipping' | 'jobs' | 'clock'>;

/**
 * What staff do to one order — reconcile, refund, ship, cancel — for the admin CLI and the console alike:
 * each rule here once, each change through the caller's recorder (audited with who made it).
 */
export function orderDesk({ db, orders, payments, refunds, channels, shipping, jobs, clock }: DeskDeps) {
  const Order = orderModel(db);

  async function load(orderId: Types.ObjectId): Promise<OrderDoc> {
    const order = await Order.findById(orderId).lean<OrderDoc>();
    if (!order) throw new NotFound(`order ${orderId.toHexString()}`);
    return order;
  }

  /** Everything the jobs would do for this one order, now. Each step is the same guarded, idempotent one. */
  async function reconcileSteps(order: OrderDoc, actor: string): Promise<string[]> {
    const steps: string[] = [];
    let current = order;
    if (canBeClosed(current.status) && (current.payment.current || current.payment.combinedId)) {
      current = await payments.syncWithChannel(current, actor);
      steps.push(current.status === 'TO_BE_PAID' ? 'WeChat reports no payment' : `payment found at WeChat: now ${current.status}`);
    }
    if (canBeClosed(current.status) && current.expiresAt.getTime() <= clock.now().getTime()) {
      current = await orders.closeUnpaid(current._id, { reason: ORDER_HISTORY.expired.write(), actor });
      steps.push(`expired order handled: now ${current.status}`);
    }
    if (current.status === 'CLOSED' && !current.releasedAt) {
      await orders.releaseResources(current);
      steps.push('stock and coupon released');
    }
    if (hasOutstandingRefund(current)) {
      const progress = await refunds.processRefunds(current._id, actor);
      if (progress.outstanding > 0) await jobs.scheduleRefund(current._id);
      steps.push(`refunds advanced: ${progress.outstanding} still awaiting WeChat`);
    }
    if (steps.length === 0) steps.push('nothing to do');
    return steps;
  }

  return {
    load,

    async reconcile(orderId: Types.ObjectId, by: DeskCaller) {
      const before = await load(orderId);
      const steps = await by.change(
        { command: 'reconcile', target: `order:${orderId.toHexString()}`, before: { status: before.status }, after: (done: string[]) => ({ steps: done }) },
        () => reconcileSteps(before, by.actor),
      );
      const after = await load(orderId);
      return { before: before.status, after: after.status, steps: steps ?? [] };
    },

    /**
     * A refund by unit, by amount or of what is left (refund.service.ts holds the bounds); then one pass right
     * away for quick feedback, the refund-order job going on until the channel confirms. null in a dry run.
     */
    async refund(orderId: Types.ObjectId, request: RefundRequest, by: DeskCaller): Promise<{ order: OrderDoc; outstanding: number } | null> {
      const before = await load(orderId);
      // Asked first, so a refused refund leaves no audit entry (and a dry run says it would be refused).
      if (!canBeRefunded(before.status)) throw new OrderStateConflict('ORDER_NOT_REFUNDABLE', `order is ${before.status}; only paid orders can be refunded`);
      const started = await by.change(
        {
          command: 'refund',
          target: `order:${orderId.toHexString()}`,
          before: { status: before.status },
          after: (order: OrderDoc) => {
            const record = order.refunds.at(-1);
            return { status: order.status, outRefundNo: record?.outRefundNo, amountFen: record?.amountFen, units: record?.units ?? null, reason: request.reason };
          },
        },
        () => refunds.refund(orderId, request, { actor: by.actor, limitFen: by.refundLimitFen }),
      );
      if (!started) return null;
      const progress = await refunds.processRefunds(orderId, by.actor);
      return { order: progress.order ?? started, outstanding: progress.outstanding };
    },

    /**
     * Marks a paid order shipped and queues the upload of its shipping information to WeChat. A crash between
     * the two would leave a shipped order WeChat never hears of: shipping it again queues what is missing, then
     * still reports that it was shipped already. null in a dry run.
     */
    async ship(orderId: Types.ObjectId, input: { trackingNo: string; carrier?: string }, by: DeskCaller): Promise<OrderDoc | null> {
      const carrier = input.carrier?.trim() || undefined;
      if (carrier && !CARRIER_CODE.test(carrier)) throw new UnknownCarrier(`unknown carrier code ${carrier}`);
      const trackingNo = input.trackingNo.trim();
      const before = await load(orderId);
      const shipped = await by.change(
        {
          command: 'ship',
          target: `order:${orderId.toHexString()}`,
          before: { status: before.status, trackingNote: before.trackingNote },
          after: { status: 'DELIVERED', trackingNote: trackingNo, ...(carrier ? { carrier } : {}) },
        },
        () =>
          orders.ship(orderId, trackingNo, by.actor).catch(async (error: unknown) => {
            const order = await load(orderId);
            if (order.status === 'DELIVERED' && !(await shipping.status(orderId))) await shipping.recordShipment(order, carrier);
            throw error;
          }),
      );
      if (!shipped) return null;
      await shipping.recordShipment(shipped, carrier);
      return shipped;
    },

    /** Sends an order not shipped yet to another address (a shopper who moved asked), the reason in its history. */
    async readdress(orderId: Types.ObjectId, request: StaffAddressRequest, by: DeskCaller): Promise<OrderDoc | null> {
      const before = await load(orderId);
      return by.change(
        { command: 'address', target: `order:${orderId.toHexString()}`, before: { address: before.address }, after: (order: OrderDoc) => ({ address: order.address, reason: request.reason }) },
        () => orders.readdressByStaff(orderId, request.address, { reason: ORDER_HISTORY.addressChangedByStaff.write(request.reason), actor: by.actor }),
      );
    },

    /** Closes an unpaid order (at the channel first: a payment found there is applied instead). null in a dry run. */
    async cancelUnpaid(orderId: Types.ObjectId, reason: string, by: DeskCaller): Promise<OrderDoc | null> {
      const before = await load(orderId);
      if (!canBeClosed(before.status)) throw new OrderStateConflict('ORDER_NOT_CANCELLABLE', `order is ${before.status}; only unpaid orders can be cancelled`);
      return by.change(
        { command: 'cancel', target: `order:${orderId.toHexString()}`, before: { status: before.status }, after: (order: OrderDoc) => ({ status: order.status, reason }) },
        () => orders.closeUnpaid(orderId, { reason: ORDER_HISTORY.cancelledByStaff.write(reason), actor: by.actor }),
      );
    },

    /** The channel's own, live answer about the order's transaction (a call to WeChat/Alipay). */
    async channelView(order: OrderDoc): Promise<ChannelView> {
      const outTradeNo = outTradeNoOfOrder(order);
      const channel = order.payment.channel ?? order.payment.current?.channel ?? (outTradeNo ? 'wechatpay' : null);
      if (!outTradeNo) return { outTradeNo: null, channel, tradeState: null, transactionId: null, amountFen: null, successTime: null, error: null };
      try {
        const tx: ChannelTransaction | null = await channels.queryFor(order, outTradeNo);
        return tx
          ? { outTradeNo, channel, tradeState: tx.tradeState, transactionId: tx.transactionId, amountFen: tx.amountFen, successTime: tx.successTime, error: null }
          : { outTradeNo, channel, tradeState: 'NOT_FOUND', transactionId: null, amountFen: null, successTime: null, error: null };
      } catch (error) {
        return { outTradeNo, channel, tradeState: null, transactionId: null, amountFen: null, successTime: null, error: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}

export type OrderDesk = ReturnType<typeof orderDesk>;
