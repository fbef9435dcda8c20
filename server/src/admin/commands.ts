import { parseArgs } from 'node:util';
import { ORDER_STATUSES, type OrderStatus } from '@blindbox/shared';
import type { Container } from '../container';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { outTradeNoOfOrder } from '../orders/out-trade-no';
import { canBeClosed, hasOutstandingRefund } from '../orders/order-state';
import { DomainError, NotFound } from '../domain-error';
import { parseObjectId } from '../object-id';
import type { ChannelTransaction } from '../payments/payment-channel';
import { revealTimeOf, toPublicSeed } from '../fairness/server-seeds';
import { formatHealth, formatOrderDetail, formatOrderList, type OrderDetail, type OrderSummary } from './format';
import { formatBillList, formatBillReport } from './bill-format';

export const USAGE = `Usage: npm run admin -- <command> [options] [--json]   (from a build: node server/dist/admin.js <command> ...)

Commands:
  orders [--status S] [--limit N]   list orders, newest first (S: ${ORDER_STATUSES.join(', ')})
  show <orderId>                    one order with its audit log and WeChat's state of its transaction
  reconcile <orderId>               ask WeChat now and apply what it says (payment, close, release, refunds)
  refund <orderId> [--reason text]  full refund of a paid order (the refund-order job confirms it)
  ship <orderId> --note "SF123" [--express SF]
                                    mark a paid order shipped with a tracking number; queues the upload of the
                                    shipping information to WeChat (carrier code default SHIPPING_EXPRESS_COMPANY)
  jobs                              job queue health
  bill list [--limit N]             trade-bill reconciliation reports, newest day first
  bill show <YYYY-MM-DD>            one day's report with every finding
  bill run <YYYY-MM-DD>             reconcile that day's trade bill now (replaces its report)
  doctor                            pre-flight for a merchant account: credentials, WeChat, database (exit 1 on a failure)
  rotate-seed <boxId>               commit the box's next server seed and retire the one in use (revealed
                                    once no order that took it can still be paid)

  --json                            machine-readable output`;

export interface CommandResult {
  exitCode: number;
  /** What goes to stdout. */
  output: string;
}

class UsageError extends Error {}

const ACTOR = 'admin:cli';

/** Runs one admin command against a container; never exits the process (the CLI entry does). */
export async function runAdminCommand(container: Container, argv: readonly string[]): Promise<CommandResult> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        status: { type: 'string' },
        limit: { type: 'string' },
        reason: { type: 'string' },
        note: { type: 'string' },
        express: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return { exitCode: 2, output: `${error instanceof Error ? error.message : String(error)}\n\n${USAGE}` };
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  const json = values.json === true;
  const print = (data: unknown, human: () => string): CommandResult => ({ exitCode: 0, output: json ? JSON.stringify(data, null, 2) : human() });

  if (values.help || !command) return { exitCode: command || values.help ? 0 : 2, output: USAGE };
  try {
    const Order = orderModel(container.db);
    const orderIdArg = () => {
      if (rest.length !== 1) throw new UsageError(`${command} takes exactly one <orderId>`);
      return parseObjectId(rest[0], 'order');
    };
    switch (command) {
      case 'orders': {
        const status = values.status as OrderStatus | undefined;
        if (status && !ORDER_STATUSES.includes(status)) throw new UsageError(`--status must be one of ${ORDER_STATUSES.join(', ')}`);
        const limit = values.limit === undefined ? 20 : Number(values.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be an integer from 1 to 1000');
        const orders = await Order.find(status ? { status } : {})
          .sort({ _id: -1 })
          .limit(limit)
          .select({ items: 0, draws: 0, audit: 0, 'payment.rawTransaction': 0 })
          .lean<OrderDoc[]>();
        return print(orders.map(summary), () => formatOrderList(orders.map(summary)));
      }
      case 'show': {
        const order = await loadOrder(orderIdArg());
        const detail = await describe(container, order);
        return print(detail, () => formatOrderDetail(detail));
      }
      case 'reconcile': {
        const orderId = orderIdArg();
        const before = await loadOrder(orderId);
        const steps = await reconcileOne(container, before);
        const after = await loadOrder(orderId);
        const result = { orderId: orderId.toHexString(), before: before.status, after: after.status, steps };
        return print(result, () => `order ${result.orderId}: ${result.before} → ${result.after}\n${steps.map((step) => `  - ${step}`).join('\n')}`);
      }
      case 'refund': {
        const orderId = orderIdArg();
        const started = await container.refunds.refundOrder(orderId, ACTOR, values.reason?.trim() || 'refunded by admin');
        // One pass right away for quick feedback; the refund-order job keeps going until WeChat confirms.
        const progress = await container.refunds.processRefunds(orderId, ACTOR);
        const order = progress.order ?? started;
        const result = { orderId: orderId.toHexString(), status: order.status, refunds: order.refunds };
        return print(result, () =>
          [
            `order ${result.orderId} is ${order.status}`,
            ...order.refunds.map((refund) => `  refund ${refund.outRefundNo}: ${refund.status} (${refund.amountFen} fen) ${refund.reason}`),
            progress.outstanding > 0 ? '  the refund-order job will keep checking until WeChat confirms' : '',
          ]
            .filter(Boolean)
            .join('\n'),
        );
      }
      case 'ship': {
        const orderId = orderIdArg();
        if (!values.note?.trim()) throw new UsageError('ship needs --note "<tracking note>"');
        const express = values.express?.trim() || undefined;
        const shipped = await container.orders.ship(orderId, values.note, ACTOR).catch(async (error: unknown) => {
          // A crash between shipping and queueing the upload would leave a shipped order WeChat never hears of:
          // asking to ship it again queues what is missing, then still reports that it was shipped already.
          const order = await loadOrder(orderId);
          if (order.status === 'DELIVERED' && !(await container.shipping.status(orderId))) await container.shipping.recordShipment(order, express);
          throw error;
        });
        const upload = await container.shipping.recordShipment(shipped, express);
        return print({ ...summary(shipped), shippingUpload: upload.status }, () =>
          `order ${orderId.toHexString()} is ${shipped.status} (tracking: ${shipped.trackingNote ?? ''}); shipping information upload to WeChat queued (${upload.expressCompany})`,
        );
      }
      case 'rotate-seed': {
        if (rest.length !== 1) throw new UsageError('rotate-seed takes exactly one <boxId>');
        const { retired, current } = await container.fairness.seeds.rotate(parseObjectId(rest[0], 'box'));
        const result = { retired: retired && toPublicSeed(retired), current: toPublicSeed(current) };
        return print(result, () =>
          [
            `box ${rest[0]}: seed ${current._id} in use, hash ${current.hash}`,
            retired ? `  retired ${retired._id} (hash ${retired.hash}); revealed from ${revealTimeOf(retired)?.toISOString()}` : '  no seed was in use',
          ].join('\n'),
        );
      }
      case 'jobs': {
        if (rest.length > 0) throw new UsageError('jobs takes no arguments');
        const health = await container.jobs.health();
        return print(health, () => formatHealth(health));
      }
      case 'bill': {
        const [sub, date, ...extra] = rest;
        if (sub === 'list' && date === undefined) {
          const limit = values.limit === undefined ? 30 : Number(values.limit);
          if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be an integer from 1 to 1000');
          const reports = await container.tradeBills.list(limit);
          return print(reports, () => formatBillList(reports));
        }
        if ((sub === 'show' || sub === 'run') && date !== undefined && extra.length === 0) {
          const started = new Date();
          // A bill that fails its checks is stored as a FAILED report: show that rather than the bare error.
          const report =
            sub === 'run'
              ? await container.tradeBills.reconcileDay(date, ACTOR).catch(async (error: unknown) => {
                  const stored = await container.tradeBills.show(date);
                  if (stored?.status === 'FAILED' && new Date(stored.startedAt) >= started) return stored;
                  throw error;
                })
              : await container.tradeBills.show(date);
          if (!report) throw new NotFound(`trade-bill report ${date}`);
          return { ...print(report, () => formatBillReport(report)), exitCode: report.status === 'FAILED' ? 1 : 0 };
        }
        throw new UsageError('bill takes list, show <YYYY-MM-DD> or run <YYYY-MM-DD>');
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) return { exitCode: 2, output: `${error.message}\n\n${USAGE}` };
    if (error instanceof DomainError) {
      return { exitCode: 1, output: json ? JSON.stringify({ error: { code: error.code, message: error.message } }) : `error: ${error.message} (${error.code})` };
    }
    throw error;
  }

  async function loadOrder(orderId: ReturnType<typeof parseObjectId>): Promise<OrderDoc> {
    const order = await orderModel(container.db).findById(orderId).lean<OrderDoc>();
    if (!order) throw new NotFound(`order ${orderId.toHexString()}`);
    return order;
  }
}

function summary(order: OrderDoc): OrderSummary {
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
async function reconcileOne(container: Container, order: OrderDoc): Promise<string[]> {
  const steps: string[] = [];
  let current = order;
  if (canBeClosed(current.status) && (current.payment.current || current.payment.combinedId)) {
    current = await container.payments.syncWithChannel(current, ACTOR);
    steps.push(current.status === 'TO_BE_PAID' ? 'WeChat reports no payment' : `payment found at WeChat: now ${current.status}`);
  }
  if (canBeClosed(current.status) && current.expiresAt.getTime() <= Date.now()) {
    current = await container.orders.closeUnpaid(current._id, { reason: 'expired', actor: ACTOR });
    steps.push(`expired order handled: now ${current.status}`);
  }
  if (current.status === 'CLOSED' && !current.releasedAt) {
    await container.orders.releaseResources(current);
    steps.push('stock and coupon released');
  }
  if (hasOutstandingRefund(current)) {
    const progress = await container.refunds.processRefunds(current._id, ACTOR);
    if (progress.outstanding > 0) await container.jobs.scheduleRefund(current._id);
    steps.push(`refunds advanced: ${progress.outstanding} still awaiting WeChat`);
  }
  if (steps.length === 0) steps.push('nothing to do');
  return steps;
}
