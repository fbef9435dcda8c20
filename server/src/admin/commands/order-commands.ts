import { ORDER_STATUSES, type OrderStatus } from '@blindbox/shared';
import type { Container } from '../../container';
import { orderModel, type OrderDoc } from '../../orders/order.model';
import { outTradeNoOfOrder } from '../../orders/out-trade-no';
import { canBeClosed, canBeRefunded, hasOutstandingRefund, isOnRefund } from '../../orders/order-state';
import { NotFound } from '../../domain-error';
import { parseObjectId } from '../../object-id';
import { OrderStateConflict } from '../../orders/order-errors';
import type { ChannelTransaction } from '../../payments/payment-channel';
import { UsageError, type AdminCommand, type AdminContext } from '../admin-command';
import { formatOrderDetail, formatOrderList, formatToShip, line, type OrderDetail, type OrderSummary, type ShippingAddress, type ToShip } from '../format';
import { limitOption } from './limit-option';

/** How an admin appears in an order's own audit log. */
const actorOf = (context: AdminContext) => `admin:${context.actor}`;

function orderIdArg(context: AdminContext, command: string) {
  if (context.positionals.length !== 1) throw new UsageError(`${command} takes exactly one <orderId>`);
  return parseObjectId(context.positionals[0], 'order');
}

async function loadOrder(container: Container, orderId: ReturnType<typeof parseObjectId>): Promise<OrderDoc> {
  const order = await orderModel(container.db).findById(orderId).lean<OrderDoc>();
  if (!order) throw new NotFound(`order ${orderId.toHexString()}`);
  return order;
}

export const ordersCommand: AdminCommand = {
  name: 'orders',
  usage: `  orders [--status S] [--limit N]   list orders, newest first (S: ${ORDER_STATUSES.join(', ')})
  orders --to-ship [--limit N]      paid orders not shipped yet, oldest payment first, with address, items and draws`,
  options: { status: { type: 'string' }, limit: { type: 'string' }, 'to-ship': { type: 'boolean', default: false } },
  async run(context) {
    if (context.values['to-ship'] === true) {
      if (context.values.status !== undefined) throw new UsageError('--to-ship lists paid unshipped orders; it takes no --status');
      return listToShip(context);
    }
    const status = context.values.status as OrderStatus | undefined;
    if (status && !ORDER_STATUSES.includes(status)) throw new UsageError(`--status must be one of ${ORDER_STATUSES.join(', ')}`);
    const orders = await orderModel(context.container.db)
      .find(status ? { status } : {})
      .sort({ _id: -1 })
      .limit(limitOption(context.values, 20))
      .select({ items: 0, draws: 0, audit: 0, 'payment.rawTransaction': 0 })
      .lean<OrderDoc[]>();
    return context.print(orders.map(summary), () => formatOrderList(orders.map(summary)));
  },
};

async function listToShip(context: AdminContext) {
  // Paid and not yet shipped is exactly TO_BE_DELIVERED (shipping moves it to DELIVERED); the status index finds them.
  const orders = await orderModel(context.container.db)
    .find({ status: 'TO_BE_DELIVERED' })
    .select({ paidAt: 1, address: 1, items: 1, draws: 1 })
    .lean<OrderDoc[]>();
  const rows: ToShip[] = orders
    .sort((a, b) => (a.paidAt?.getTime() ?? 0) - (b.paidAt?.getTime() ?? 0))
    .slice(0, limitOption(context.values, 100))
    .map((order) => ({
      id: order._id.toHexString(),
      paidAt: order.paidAt,
      address: addressOf(order),
      items: order.items.map((item) => ({ name: item.name, quantity: item.quantity })),
      draws: order.draws.map((draw) => ({ name: draw.name, rarity: draw.rarity })),
    }));
  return context.print(rows, () => formatToShip(rows));
}

const addressOf = ({ address }: Pick<OrderDoc, 'address'>): ShippingAddress => ({ name: address.name, phone: address.phone, region: address.region, detail: address.detail });

export const showCommand: AdminCommand = {
  name: 'show',
  usage: '  show <orderId>                    one order: shipping address, items and draws, audit log, WeChat\'s state of its transaction',
  async run(context) {
    const order = await loadOrder(context.container, orderIdArg(context, 'show'));
    const detail = await describe(context.container, order);
    return context.print(detail, () => formatOrderDetail(detail));
  },
};

export const reconcileCommand: AdminCommand = {
  name: 'reconcile',
  usage: '  reconcile <orderId>               ask WeChat now and apply what it says (payment, close, release, refunds)',
  async run(context) {
    const orderId = orderIdArg(context, 'reconcile');
    const before = await loadOrder(context.container, orderId);
    const steps = await context.apply(
      { command: 'reconcile', target: `order:${orderId.toHexString()}`, before: { status: before.status }, after: (done: string[]) => ({ steps: done }) },
      () => reconcileOne(context.container, before, actorOf(context)),
    );
    const after = await loadOrder(context.container, orderId);
    const result = { orderId: orderId.toHexString(), before: before.status, after: after.status, steps: steps ?? [] };
    return context.print(result, () => `order ${result.orderId}: ${result.before} → ${result.after}\n${result.steps.map((step) => `  - ${step}`).join('\n')}`);
  },
};

export const refundCommand: AdminCommand = {
  name: 'refund',
  usage: '  refund <orderId> [--reason text]  full refund of a paid order (the refund-order job confirms it)',
  options: { reason: { type: 'string' } },
  destructive: true,
  async run(context) {
    const { container } = context;
    const orderId = orderIdArg(context, 'refund');
    const before = await loadOrder(container, orderId);
    const onRefund = isOnRefund(before.status);
    // Asked first, so a refused refund leaves no audit entry (and a dry run says it would be refused).
    if (!onRefund && !canBeRefunded(before.status)) throw new OrderStateConflict('ORDER_NOT_REFUNDABLE', `order is ${before.status}; only paid orders can be refunded`);
    const reason = (typeof context.values.reason === 'string' && context.values.reason.trim()) || 'refunded by admin';
    const refund = () => container.refunds.refundOrder(orderId, actorOf(context), reason);
    // Already on its way: asking again changes nothing (it only makes sure the job is there), so it is not audited.
    const started = onRefund
      ? await refund()
      : await context.apply(
          { command: 'refund', target: `order:${orderId.toHexString()}`, before: { status: before.status }, after: { status: 'REFUNDING', amountFen: before.totalFen, reason } },
          refund,
        );
    if (!started) return context.print(null, () => '');
    // One pass right away for quick feedback; the refund-order job keeps going until WeChat confirms.
    const progress = await container.refunds.processRefunds(orderId, actorOf(context));
    const order = progress.order ?? started;
    const result = { orderId: orderId.toHexString(), status: order.status, refunds: order.refunds };
    return context.print(result, () =>
      [
        `order ${result.orderId} is ${order.status}`,
        ...order.refunds.map((refund) => line`  refund ${refund.outRefundNo}: ${refund.status} (${refund.amountFen} fen) ${refund.reason}`),
        progress.outstanding > 0 ? '  the refund-order job will keep checking until WeChat confirms' : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  },
};

export const shipCommand: AdminCommand = {
  name: 'ship',
  usage: `  ship <orderId> --note "SF123" [--express SF]
                                    mark a paid order shipped with a tracking number; queues the upload of the
                                    shipping information to WeChat (carrier code default SHIPPING_EXPRESS_COMPANY)`,
  options: { note: { type: 'string' }, express: { type: 'string' } },
  async run(context) {
    const { container } = context;
    const orderId = orderIdArg(context, 'ship');
    const note = typeof context.values.note === 'string' ? context.values.note.trim() : '';
    if (!note) throw new UsageError('ship needs --note "<tracking note>"');
    const express = (typeof context.values.express === 'string' && context.values.express.trim()) || undefined;
    const before = await loadOrder(container, orderId);
    const shipped = await context.apply(
      { command: 'ship', target: `order:${orderId.toHexString()}`, before: { status: before.status, trackingNote: before.trackingNote }, after: { status: 'DELIVERED', trackingNote: note } },
      () =>
        container.orders.ship(orderId, note, actorOf(context)).catch(async (error: unknown) => {
          // A crash between shipping and queueing the upload would leave a shipped order WeChat never hears of:
          // asking to ship it again queues what is missing, then still reports that it was shipped already.
          const order = await loadOrder(container, orderId);
          if (order.status === 'DELIVERED' && !(await container.shipping.status(orderId))) await container.shipping.recordShipment(order, express);
          throw error;
        }),
    );
    if (!shipped) return context.print(null, () => '');
    const upload = await container.shipping.recordShipment(shipped, express);
    return context.print({ ...summary(shipped), shippingUpload: upload.status }, () =>
      line`order ${orderId.toHexString()} is ${shipped.status} (tracking: ${shipped.trackingNote ?? ''}); shipping information upload to WeChat queued (${upload.expressCompany})`,
    );
  },
};

export function summary(order: OrderDoc): OrderSummary {
  return {
    id: order._id.toHexString(),
    status: order.status,
    totalFen: order.totalFen,
    createdAt: order.createdAt,
    expiresAt: order.expiresAt,
    paidAt: order.paidAt,
    outTradeNo: outTradeNoOfOrder(order),
    transactionId: order.payment.transactionId,
    trackingNote: order.trackingNote,
  };
}

async function describe(container: Container, order: OrderDoc): Promise<OrderDetail> {
  const outTradeNo = outTradeNoOfOrder(order);
  let wechat: OrderDetail['wechat'] = null;
  if (outTradeNo) {
    try {
      const tx: ChannelTransaction | null = await container.channels.queryFor(order, outTradeNo);
      wechat = tx
        ? { outTradeNo, tradeState: tx.tradeState, transactionId: tx.transactionId, amountFen: tx.amountFen, successTime: tx.successTime, error: null }
        : { outTradeNo, tradeState: 'NOT_FOUND', transactionId: null, amountFen: null, successTime: null, error: null };
    } catch (error) {
      wechat = { outTradeNo, tradeState: null, transactionId: null, amountFen: null, successTime: null, error: error instanceof Error ? error.message : String(error) };
    }
  }
  return {
    ...summary(order),
    address: addressOf(order),
    items: order.items.map((item) => ({ name: item.name, quantity: item.quantity, priceFen: item.priceFen })),
    draws: order.draws.map((draw) => ({ name: draw.name, rarity: draw.rarity })),
    attemptCount: order.payment.attemptCount,
    releasedAt: order.releasedAt,
    refunds: order.refunds,
    audit: order.audit,
    wechat,
    shipping: await shippingView(container, order),
  };
}

/** The upload record, and the platform's own view of the transaction (get_order) once there is something to compare. */
async function shippingView(container: Container, order: OrderDoc): Promise<OrderDetail['shipping']> {
  const upload = await container.shipping.status(order._id);
  if (!upload) return null;
  try {
    const platform = await container.platform.getOrder({ kind: 'out_trade_no', mchid: container.shipping.mchid, outTradeNo: upload.outTradeNo });
    return { upload, platform, platformError: null };
  } catch (error) {
    return { upload, platform: null, platformError: error instanceof Error ? error.message : String(error) };
  }
}

/** Everything the jobs would do for this one order, now. Each step is the same guarded, idempotent one. */
async function reconcileOne(container: Container, order: OrderDoc, actor: string): Promise<string[]> {
  const steps: string[] = [];
  let current = order;
  if (canBeClosed(current.status) && (current.payment.current || current.payment.combinedId)) {
    current = await container.payments.syncWithChannel(current, actor);
    steps.push(current.status === 'TO_BE_PAID' ? 'WeChat reports no payment' : `payment found at WeChat: now ${current.status}`);
  }
  if (canBeClosed(current.status) && current.expiresAt.getTime() <= Date.now()) {
    current = await container.orders.closeUnpaid(current._id, { reason: 'expired', actor });
    steps.push(`expired order handled: now ${current.status}`);
  }
  if (current.status === 'CLOSED' && !current.releasedAt) {
    await container.orders.releaseResources(current);
    steps.push('stock and coupon released');
  }
  if (hasOutstandingRefund(current)) {
    const progress = await container.refunds.processRefunds(current._id, actor);
    if (progress.outstanding > 0) await container.jobs.scheduleRefund(current._id);
    steps.push(`refunds advanced: ${progress.outstanding} still awaiting WeChat`);
  }
  if (steps.length === 0) steps.push('nothing to do');
  return steps;
}
