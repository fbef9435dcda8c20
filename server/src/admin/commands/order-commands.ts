import { ORDER_STATUSES, yuanToFen, type OrderStatus, type RefundRequest } from '@blindbox/shared';
import type { Container } from '../../container';
import { orderModel, type OrderDoc } from '../../orders/order.model';
import { outTradeNoOfOrder } from '../../orders/out-trade-no';
import { isOnRefund } from '../../orders/order-state';
import { NotFound } from '../../domain-error';
import { parseObjectId } from '../../object-id';
import { UsageError, type AdminCommand, type AdminContext } from '../admin-command';
import { moneyStateOf } from '../../shipping/receipt-state';
import { formatOrderDetail, formatOrderList, formatToShip, line, type OrderDetail, type OrderSummary, type ShippingAddress, type ToShip } from '../format';
import { limitOption } from './limit-option';

/** How an admin appears in an order's own audit log. */
const actorOf = (context: AdminContext) => `admin:${context.actor}`;
const callerOf = (context: AdminContext) => ({ actor: actorOf(context), change: context.apply });

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
  const { items } = await context.container.shippingDesk.toShip(1, limitOption(context.values, 100));
  const rows: ToShip[] = items.map((order) => ({
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
    const done = await context.container.desk.reconcile(orderId, callerOf(context));
    const result = { orderId: orderId.toHexString(), ...done };
    return context.print(result, () => [line`order ${result.orderId}: ${result.before} → ${result.after}`, ...result.steps.map((step) => line`  - ${step}`)].join('\n'));
  },
};

export const refundCommand: AdminCommand = {
  name: 'refund',
  usage: `  refund <orderId> [--reason text] [--units <line>:<n>[,<line>:<n>...] | --amount <yuan>]
                                    refund a paid order: in full (what is left), some units of its lines (line
                                    numbers from 1, as \`show\` lists them) or an amount; the refund-order job confirms it`,
  options: { reason: { type: 'string' }, units: { type: 'string' }, amount: { type: 'string' } },
  destructive: true,
  async run(context) {
    const { container } = context;
    const orderId = orderIdArg(context, 'refund');
    const reason = (typeof context.values.reason === 'string' && context.values.reason.trim()) || 'refunded by admin';
    const request = refundRequestOf(context, reason);
    const before = await loadOrder(container, orderId);
    // A full refund asked again of an order already on refund changes nothing (it only makes sure the job is there).
    if (request.mode === 'full' && isOnRefund(before.status)) {
      const order = await container.refunds.refundOrder(orderId, actorOf(context), reason);
      return printRefunds(context, order, 0);
    }
    const done = await container.desk.refund(orderId, request, callerOf(context));
    if (!done) return context.print(null, () => '');
    return printRefunds(context, done.order, done.outstanding);
  },
};

function refundRequestOf(context: AdminContext, reason: string): RefundRequest {
  const { units, amount } = context.values;
  if (typeof units === 'string' && typeof amount === 'string') throw new UsageError('refund takes --units or --amount, not both');
  if (typeof amount === 'string') {
    const amountFen = yuanToFen(amount.trim());
    if (amountFen === null || amountFen === 0) throw new UsageError('--amount must be yuan, e.g. 12.50');
    return { mode: 'amount', amountFen, reason };
  }
  if (typeof units === 'string') {
    const lines = units.split(',').map((part) => /^(\d+):(\d+)$/.exec(part.trim()));
    if (lines.some((line) => !line)) throw new UsageError('--units takes <line>:<count> pairs, e.g. 1:1,3:2');
    return { mode: 'units', units: lines.map((line) => ({ itemIndex: Number(line![1]) - 1, quantity: Number(line![2]) })), reason };
  }
  return { mode: 'full', reason };
}

function printRefunds(context: AdminContext, order: OrderDoc, outstanding: number) {
  const result = { orderId: order._id.toHexString(), status: order.status, refunds: order.refunds };
  return context.print(result, () =>
    [
      `order ${result.orderId} is ${order.status}`,
      ...order.refunds.map((refund) => line`  refund ${refund.outRefundNo}: ${refund.status} (${refund.amountFen} fen) ${refund.reason}`),
      outstanding > 0 ? '  the refund-order job will keep checking until WeChat confirms' : '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
}

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
    const shipped = await container.desk.ship(orderId, { trackingNo: note, carrier: express }, callerOf(context));
    if (!shipped) return context.print(null, () => '');
    const upload = await container.shipping.status(orderId);
    return context.print({ ...summary(shipped), shippingUpload: upload?.status ?? null }, () =>
      line`order ${orderId.toHexString()} is ${shipped.status} (tracking: ${shipped.trackingNote ?? ''}); shipping information upload to WeChat queued (${upload?.expressCompany ?? ''})`,
    );
  },
};

export const receivedCommand: AdminCommand = {
  name: 'received',
  usage: `  received <orderId> [--at TIME]   the carrier delivered the parcel (签收), at TIME (ISO 8601; default now); for a
                                    mini-program payment WeChat then reminds the shopper, once, to confirm receipt`,
  options: { at: { type: 'string' } },
  async run(context) {
    const { container } = context;
    const orderId = orderIdArg(context, 'received');
    const at = typeof context.values.at === 'string' ? new Date(context.values.at) : new Date();
    if (Number.isNaN(at.getTime())) throw new UsageError('--at must be a time such as 2026-12-04T10:00:00+08:00');
    const upload = await container.receipts.markReceived(orderId, at, callerOf(context));
    if (!upload) return context.print(null, () => '');
    return context.print({ orderId: orderId.toHexString(), receivedAt: upload.receivedAt, reminder: upload.reminderStatus ?? null }, () =>
      line`order ${orderId.toHexString()}: parcel received ${upload.receivedAt?.toISOString() ?? ''}; receipt reminder ${upload.reminderStatus ?? 'not owed'}`,
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
  const { channel: _channel, ...live } = await container.desk.channelView(order);
  return {
    ...summary(order),
    address: addressOf(order),
    items: order.items.map((item) => ({ name: item.name, quantity: item.quantity, priceFen: item.priceFen })),
    draws: order.draws.map((draw) => ({ name: draw.name, rarity: draw.rarity })),
    attemptCount: order.payment.attemptCount,
    releasedAt: order.releasedAt,
    refunds: order.refunds,
    audit: order.audit,
    wechat: live.outTradeNo ? { ...live, outTradeNo: live.outTradeNo } : null,
    shipping: await shippingView(container, order),
    money: {
      state: moneyStateOf(order),
      settlementEstimatedAt: order.settlementEstimatedAt ?? null,
      receiptConfirmedAt: order.receiptConfirmedAt ?? null,
      receiptConfirmMethod: order.receiptConfirmMethod ?? null,
      settledAt: order.settledAt ?? null,
    },
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
