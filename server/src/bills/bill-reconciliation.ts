import { Types, type Connection } from 'mongoose';
import type { OrderStatus } from '@blindbox/shared';
import type { Logger } from '../logger';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { parseOutTradeNo } from '../orders/out-trade-no';
import type { ChannelTransaction } from '../payments/payment-channel';
import { PaymentRejectedError } from '../payments/payment-rejected-error';
import { combinedPaymentModel, parseCombinedOutTradeNo, type CombinedPaymentDoc } from '../payments/combined-payment.model';
import { ruleError } from '../domain-error';
import type { TradeBill, TradeBillRow, TradeBillSource } from './trade-bill';
import { FINDINGS_KEPT, tradeBillReportModel, type Finding, type FindingKind, type TradeBillReport } from './trade-bill-report.model';

/** The order fields a bill is compared with. */
export interface BillOrder {
  _id: Types.ObjectId;
  status: OrderStatus;
  totalFen: number;
  payment: Pick<OrderDoc['payment'], 'attemptCount' | 'transactionId' | 'outTradeNo' | 'extraTransactionIds' | 'successTime'>;
  refunds: Array<Pick<OrderDoc['refunds'][number], 'outRefundNo' | 'amountFen' | 'status'>>;
}

/** A combined payment (one transaction for several orders): its row is compared with the whole, its refunds with its members'. */
export interface BillCombined {
  totalFen: number;
  transactionId: string | null;
  members: BillOrder[];
}

export interface BillComparison {
  findings: Finding[];
  /** Payment rows whose money the shop has not recorded: to apply through the guarded payment path. */
  toApply: TradeBillRow[];
  matched: number;
}

const DAY_MS = 24 * 3600_000;
const FINAL_REFUND_STATES = new Set(['SUCCESS', 'CLOSED', 'ABNORMAL']);

/** The Beijing calendar day as an instant range: WeChat's bills cut at 00:00 Beijing time. */
export function beijingDay(billDate: string): { start: Date; end: Date } {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(billDate) || Number.isNaN(Date.parse(`${billDate}T00:00:00+08:00`))) throw new InvalidBillDate(`bill date must be YYYY-MM-DD, got ${billDate}`);
  const start = new Date(`${billDate}T00:00:00+08:00`);
  return { start, end: new Date(start.getTime() + DAY_MS) };
}

/** The Beijing calendar day before `now`, the one whose bill is ready after 10:00. */
export function previousBeijingDay(now: Date): string {
  return new Date(now.getTime() + 8 * 3600_000 - DAY_MS).toISOString().slice(0, 10);
}

export const InvalidBillDate = ruleError('INVALID', 'INVALID_BILL_DATE');

/**
 * Compares a day's bill with the orders it names and the orders paid that day. Pure: the same inputs always
 * give the same findings, so it is benchmarked and tested without a database.
 */
export function compareBill(
  bill: TradeBill,
  orders: ReadonlyMap<string, BillOrder>,
  paidThatDay: Iterable<BillOrder>,
  /** By out_trade_no. */
  combined: ReadonlyMap<string, BillCombined> = new Map(),
): BillComparison {
  const findings: Finding[] = [];
  const toApply: TradeBillRow[] = [];
  const billedTransactions = new Set<string>();
  let matched = 0;
  const finding = (kind: FindingKind, row: TradeBillRow, order: BillOrder | null, detail: string, amounts: { billFen?: number; shopFen?: number } = {}): Finding => ({
    kind,
    outTradeNo: row.outTradeNo,
    orderId: order ? order._id.toHexString() : null,
    transactionId: row.transactionId,
    outRefundNo: row.refund?.outRefundNo ?? null,
    billFen: amounts.billFen ?? null,
    shopFen: amounts.shopFen ?? null,
    detail,
    applied: null,
  });

  for (const row of bill.rows) {
    if (row.kind === 'PAYMENT') billedTransactions.add(row.transactionId);
    const payee = payeeOf(row.outTradeNo, orders, combined);
    if (!payee) {
      findings.push(finding('UNKNOWN_OUT_TRADE_NO', row, null, `${row.kind === 'PAYMENT' ? 'payment' : 'refund'} for an out_trade_no this shop never opened`));
      continue;
    }
    if (row.kind === 'PAYMENT') {
      const knows = (order: BillOrder) => row.transactionId === order.payment.transactionId || order.payment.extraTransactionIds.includes(row.transactionId);
      if (row.totalFen !== payee.totalFen) {
        findings.push(finding('AMOUNT_MISMATCH', row, payee.orders[0] ?? null, 'paid amount differs from the order total', { billFen: row.totalFen, shopFen: payee.totalFen }));
      } else if (payee.orders.every(knows)) {
        matched += 1;
      } else {
        const unpaid = payee.orders.find((order) => !knows(order)) ?? null;
        findings.push(finding('PAID_NOT_FULFILLED', row, unpaid, `paid at WeChat, order is ${unpaid?.status ?? '?'} here`, { billFen: row.totalFen }));
        toApply.push(row);
      }
      continue;
    }
    const refund = row.refund!;
    // A combined payment's refund belongs to the member that asked for it; a single one's to its order.
    const order = payee.orders.find((candidate) => candidate.refunds.some((record) => record.outRefundNo === refund.outRefundNo)) ?? payee.orders[0]!;
    const ours = order.refunds.find((candidate) => candidate.outRefundNo === refund.outRefundNo);
    if (!ours) {
      findings.push(finding('STATUS_MISMATCH', row, order, `refund ${refund.outRefundNo} (${refund.status}) at WeChat was not made by this shop`, { billFen: refund.refundFen }));
    } else if (ours.amountFen !== refund.refundFen) {
      findings.push(finding('AMOUNT_MISMATCH', row, order, 'refunded amount differs', { billFen: refund.refundFen, shopFen: ours.amountFen }));
    } else if (FINAL_REFUND_STATES.has(refund.status) && FINAL_REFUND_STATES.has(ours.status) && refund.status !== ours.status) {
      // The bill is a snapshot: a refund PROCESSING in it may have settled since; only two final states that differ disagree.
      findings.push(finding('STATUS_MISMATCH', row, order, `refund is ${refund.status} at WeChat, ${ours.status} here`));
    } else {
      matched += 1;
    }
  }

  for (const order of paidThatDay) {
    const transactionId = order.payment.transactionId;
    if (transactionId && !billedTransactions.has(transactionId)) {
      findings.push({
        kind: 'MISSING_FROM_BILL',
        outTradeNo: order.payment.outTradeNo ?? '',
        orderId: order._id.toHexString(),
        transactionId,
        outRefundNo: null,
        billFen: null,
        shopFen: order.totalFen,
        detail: `order is ${order.status} here, paid by a transaction the bill does not list`,
        applied: null,
      });
    }
  }
  return { findings, toApply, matched };
}

/** The orders a bill row's out_trade_no names, and what their transaction must amount to; null when it names none. */
function payeeOf(outTradeNo: string, orders: ReadonlyMap<string, BillOrder>, combined: ReadonlyMap<string, BillCombined>): { totalFen: number; orders: BillOrder[] } | null {
  const group = combined.get(outTradeNo);
  if (group) return group.members.length > 0 ? { totalFen: group.totalFen, orders: group.members } : null;
  const parsed = parseOutTradeNo(outTradeNo);
  const order = parsed ? orders.get(parsed.orderId.toHexString()) : undefined;
  if (!parsed || !order || parsed.attempt < 1 || parsed.attempt > order.payment.attemptCount) return null;
  return { totalFen: order.totalFen, orders: [order] };
}

/** What the reconciliation asks of the payment domain: the one guarded path by which money becomes an order. */
export interface TransactionApplying {
  /** Whatever kind of payment the out_trade_no names (one order's attempt, or a combined payment). */
  applyReported(tx: ChannelTransaction, channel: 'wechatpay', actor: string): Promise<string>;
}

export interface TradeBillReconciliationDeps {
  db: Connection;
  logger: Logger;
  source: TradeBillSource;
  payments: TransactionApplying;
}

const ORDER_FIELDS = {
  status: 1,
  totalFen: 1,
  'payment.attemptCount': 1,
  'payment.transactionId': 1,
  'payment.outTradeNo': 1,
  'payment.extraTransactionIds': 1,
  'payment.successTime': 1,
  refunds: 1,
};
const LOOKUP_BATCH = 500;

/**
 * Daily trade-bill reconciliation: per-order queries catch a lost callback, only the bill catches what the
 * shop does not know it has (a payment to an order it never saw paid, an amount it did not expect, a refund
 * made in the merchant platform). Money found is applied through the normal guarded path; the rest is
 * stored as findings for a person.
 */
export function tradeBillReconciliation({ db, logger, source, payments }: TradeBillReconciliationDeps) {
  const Order = orderModel(db);
  const Combined = combinedPaymentModel(db);
  const Report = tradeBillReportModel(db);
  const log = logger.child({ component: 'trade-bill' });

  async function ordersFor(bill: TradeBill, start: Date, end: Date): Promise<Map<string, BillOrder>> {
    // Orders paid that day were created at most a payment window earlier, so one _id range (always indexed) finds them;
    // rows for older orders (refunds) are looked up by id.
    const windowStart = Types.ObjectId.createFromTime(Math.floor((start.getTime() - DAY_MS) / 1000));
    const windowEnd = Types.ObjectId.createFromTime(Math.ceil(end.getTime() / 1000));
    const orders = new Map<string, BillOrder>();
    const window = { _id: { $gte: windowStart, $lt: windowEnd }, 'payment.attemptCount': { $gte: 1 } };
    for (const order of await Order.find(window).select(ORDER_FIELDS).lean<BillOrder[]>()) {
      orders.set(order._id.toHexString(), order);
    }
    const missing = [...new Set(bill.rows.flatMap((row) => {
      const id = parseOutTradeNo(row.outTradeNo)?.orderId.toHexString();
      return id && !orders.has(id) ? [id] : [];
    }))];
    for (let i = 0; i < missing.length; i += LOOKUP_BATCH) {
      const ids = missing.slice(i, i + LOOKUP_BATCH).map((id) => new Types.ObjectId(id));
      for (const order of await Order.find({ _id: { $in: ids } }).select(ORDER_FIELDS).lean<BillOrder[]>()) orders.set(order._id.toHexString(), order);
    }
    return orders;
  }

  /** The combined payments the bill's rows name, each with its members (paid or not), by out_trade_no. */
  async function combinedFor(bill: TradeBill): Promise<Map<string, BillCombined>> {
    const ids = [...new Set(bill.rows.flatMap((row) => parseCombinedOutTradeNo(row.outTradeNo)?.toHexString() ?? []))].map((id) => new Types.ObjectId(id));
    const found = new Map<string, BillCombined>();
    for (let i = 0; i < ids.length; i += LOOKUP_BATCH) {
      const payments = await Combined.find({ _id: { $in: ids.slice(i, i + LOOKUP_BATCH) } }).lean<CombinedPaymentDoc[]>();
      const members = await Order.find({ _id: { $in: payments.flatMap((payment) => payment.shares.map((share) => share.orderId)) } }).select(ORDER_FIELDS).lean<BillOrder[]>();
      const byId = new Map(members.map((order) => [order._id.toHexString(), order]));
      for (const payment of payments) {
        const ofPayment = payment.shares.flatMap((share) => byId.get(share.orderId.toHexString()) ?? []);
        found.set(payment.outTradeNo, { totalFen: payment.totalFen, transactionId: payment.transactionId, members: ofPayment });
      }
    }
    return found;
  }

  async function store(report: TradeBillReport): Promise<TradeBillReport> {
    const { _id, ...fields } = report;
    await Report.replaceOne({ _id }, fields, { upsert: true });
    return report;
  }

  const service = {
    async reconcileDay(billDate: string, actor: string): Promise<TradeBillReport> {
      const { start, end } = beijingDay(billDate);
      const startedAt = new Date();
      const base = { _id: billDate, rows: 0, payments: 0, refunds: 0, matched: 0, counts: {}, findings: [], findingsTruncated: false, startedAt, actor };
      let bill: TradeBill;
      try {
        bill = await source.downloadTradeBill(billDate);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log.error({ report: 'trade-bill', billDate, alert: true, err: error }, 'trade bill not usable; nothing applied');
        await store({ ...base, status: 'FAILED', error: message, finishedAt: new Date() });
        throw error;
      }

      const orders = await ordersFor(bill, start, end);
      const paidThatDay = [...orders.values()].filter((order) => {
        const at = order.payment.successTime?.getTime();
        return at !== undefined && at >= start.getTime() && at < end.getTime();
      });
      const comparison = compareBill(bill, orders, paidThatDay, await combinedFor(bill));
      const applying = new Map(comparison.toApply.map((row) => [row.transactionId, row]));
      for (const found of comparison.findings) {
        const row = found.kind === 'PAID_NOT_FULFILLED' && found.transactionId ? applying.get(found.transactionId) : undefined;
        if (row) found.applied = await apply(row, actor);
      }

      const counts: Partial<Record<FindingKind, number>> = {};
      for (const found of comparison.findings) counts[found.kind] = (counts[found.kind] ?? 0) + 1;
      const report = await store({
        ...base,
        status: 'DONE',
        error: null,
        rows: bill.rows.length,
        payments: bill.rows.filter((row) => row.kind === 'PAYMENT').length,
        refunds: bill.rows.filter((row) => row.kind === 'REFUND').length,
        matched: comparison.matched,
        counts,
        findings: comparison.findings.slice(0, FINDINGS_KEPT),
        findingsTruncated: comparison.findings.length > FINDINGS_KEPT,
        finishedAt: new Date(),
      });
      const findings = comparison.findings.length;
      log[findings > 0 ? 'warn' : 'info'](
        { report: 'trade-bill', billDate, rows: report.rows, matched: report.matched, findings, counts, applied: comparison.toApply.length, alert: findings > 0 },
        'trade bill reconciled',
      );
      return report;
    },

    /** Reports made (or made again) since `since`, newest day first: a range on the finishedAt index. */
    listSince(since: Date): Promise<TradeBillReport[]> {
      return Report.find({ finishedAt: { $gte: since } }).sort({ _id: -1 }).select({ findings: 0 }).lean<TradeBillReport[]>();
    },

    list(limit: number): Promise<TradeBillReport[]> {
      return Report.find({}).sort({ _id: -1 }).limit(limit).select({ findings: 0 }).lean<TradeBillReport[]>();
    },

    show(billDate: string): Promise<TradeBillReport | null> {
      beijingDay(billDate);
      return Report.findById(billDate).lean<TradeBillReport>();
    },

    /** A re-run asked by staff: a bill that fails its checks answers its stored FAILED report rather than the bare error. */
    async rerunDay(billDate: string, actor: string): Promise<TradeBillReport> {
      const started = new Date();
      return service.reconcileDay(billDate, actor).catch(async (error: unknown) => {
        const stored = await service.show(billDate);
        if (stored?.status === 'FAILED' && new Date(stored.startedAt) >= started) return stored;
        throw error;
      });
    },
  };
  return service;

  async function apply(row: TradeBillRow, actor: string): Promise<string> {
    try {
      return await payments.applyReported(billedTransaction(row), 'wechatpay', actor);
    } catch (error) {
      if (error instanceof PaymentRejectedError) return `REJECTED ${error.code}`;
      log.error({ outTradeNo: row.outTradeNo, transactionId: row.transactionId, err: error }, 'applying a billed payment failed; the next run tries again');
      return `FAILED ${error instanceof Error ? error.message : String(error)}`;
    }
  }
}

export type TradeBillReconciliation = ReturnType<typeof tradeBillReconciliation>;

/** A billed payment in the channel port's terms: the bill's hash came in a signed answer, so its rows are WeChat's word. */
function billedTransaction(row: TradeBillRow): ChannelTransaction {
  return {
    appid: row.appid,
    mchid: row.mchid,
    outTradeNo: row.outTradeNo,
    transactionId: row.transactionId,
    tradeType: row.tradeType,
    // WeChat Pay's bills are in yuan: the trade bill has no other currency.
    currency: 'CNY',
    tradeState: 'SUCCESS',
    amountFen: row.totalFen,
    payerOpenid: row.payerOpenid || null,
    successTime: row.tradeTime,
    attach: row.attach,
    raw: { source: 'tradebill', ...row, tradeTime: row.tradeTime.toISOString() },
  };
}
