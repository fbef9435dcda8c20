import { beijingTime, fenToYuan } from '@blindbox/shared';
import type { Types } from 'mongoose';
import { boxModel } from '../../catalog/box.model';
import { orderModel, type OrderDoc } from '../../orders/order.model';
import { UsageError, type AdminCommand } from '../admin-command';
import { boxBySlug } from './box-by-slug';
import { parseTimeOption } from './time-option';
import { refundedUnitsByLine, splitOverLines } from '../../payments/refund-amounts';

/** How far back `admin sales` looks without --since. */
const DEFAULT_SALES_DAYS = 30;

export interface SalesRow {
  /** The day the order was paid, Asia/Shanghai. */
  day: string;
  box: string;
  units: number;
  revenueFen: number;
  refundedUnits: number;
  refundsFen: number;
}

/**
 * Refunds of the order's own payment that are not failed. A refund of a second payment of an already paid order
 * gives back money that was never revenue (the order counts once), so it is no refund of a sale either.
 */
function refundedFen(order: Pick<OrderDoc, 'refunds' | 'payment'>): number {
  return order.refunds
    .filter((refund) => refund.transactionId === order.payment.transactionId && refund.status !== 'CLOSED' && refund.status !== 'ABNORMAL')
    .reduce((sum, refund) => sum + refund.amountFen, 0);
}

/** Units, revenue and refunds per day (Asia/Shanghai, of the payment) and box, for orders paid since `since`. */
export function salesRows(orders: readonly OrderDoc[], slugOf: (boxId: Types.ObjectId) => string, onlyBox: Types.ObjectId | null): SalesRow[] {
  const rows = new Map<string, SalesRow>();
  for (const order of orders) {
    if (!order.paidAt) continue;
    const day = beijingTime(order.paidAt).slice(0, 10);
    const refunded = refundedFen(order);
    const revenue = splitOverLines(order.totalFen, order);
    const refunds = splitOverLines(Math.min(refunded, order.totalFen), order);
    const unitsBack = refundedUnitsByLine(order);
    order.items.forEach((item, index) => {
      if (onlyBox && !item.boxId.equals(onlyBox)) return;
      const box = slugOf(item.boxId);
      const key = `${day} ${box}`;
      const row = rows.get(key) ?? { day, box, units: 0, revenueFen: 0, refundedUnits: 0, refundsFen: 0 };
      row.units += item.quantity;
      row.revenueFen += revenue[index] ?? 0;
      row.refundsFen += refunds[index] ?? 0;
      // A whole refund returns every unit; a partial one the units it named (an amount refund names none).
      row.refundedUnits += refunded >= order.totalFen ? item.quantity : (unitsBack[index] ?? 0);
      rows.set(key, row);
    });
  }
  return [...rows.values()].sort((a, b) => a.day.localeCompare(b.day) || a.box.localeCompare(b.box));
}

const CSV_HEADER = 'day,box,units,revenue_yuan,refunded_units,refunds_yuan,net_yuan';

/** Slugs are [a-z0-9-] by convention, but a cell with a comma or quote is quoted anyway. */
const csvCell = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

export function salesCsv(rows: readonly SalesRow[]): string {
  return [
    CSV_HEADER,
    ...rows.map((row) =>
      [row.day, csvCell(row.box), String(row.units), fenToYuan(row.revenueFen), String(row.refundedUnits), fenToYuan(row.refundsFen), fenToYuan(row.revenueFen - row.refundsFen)].join(','),
    ),
  ].join('\n');
}

function salesTable(rows: readonly SalesRow[], since: Date): string {
  if (rows.length === 0) return `no paid orders since ${since.toISOString()}`;
  const total = rows.reduce((sum, row) => ({ units: sum.units + row.units, revenueFen: sum.revenueFen + row.revenueFen, refundedUnits: sum.refundedUnits + row.refundedUnits, refundsFen: sum.refundsFen + row.refundsFen }), { units: 0, revenueFen: 0, refundedUnits: 0, refundsFen: 0 });
  const cells = [
    ['DAY (Beijing)', 'BOX', 'UNITS', 'REVENUE ¥', 'REFUNDED', 'REFUNDS ¥', 'NET ¥'],
    ...[...rows, { day: 'total', box: '', ...total }].map((row) => [row.day, row.box, String(row.units), fenToYuan(row.revenueFen), String(row.refundedUnits), fenToYuan(row.refundsFen), fenToYuan(row.revenueFen - row.refundsFen)]),
  ];
  const widths = cells.reduce<number[]>((acc, row) => row.map((cell, i) => Math.max(acc[i] ?? 0, cell.length)), []);
  return cells.map((row) => row.map((cell, i) => (i >= 2 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n');
}

export const salesCommand: AdminCommand = {
  name: 'sales',
  usage: `  sales [--since <date>] [--box <slug>] [--csv]
                                    units, revenue and refunds per day (Beijing) and box, of orders paid since
                                    --since (default: the last ${DEFAULT_SALES_DAYS} days); refunds count on the day paid`,
  options: { since: { type: 'string' }, box: { type: 'string' }, csv: { type: 'boolean', default: false } },
  async run(context) {
    if (context.positionals.length > 0) throw new UsageError('sales takes no arguments');
    const { container } = context;
    const now = container.clock.now();
    const since = typeof context.values.since === 'string' ? parseTimeOption('--since', context.values.since, now) : new Date(now.getTime() - DEFAULT_SALES_DAYS * 86_400_000);
    const onlyBox = typeof context.values.box === 'string' ? (await boxBySlug(container, context.values.box))._id : null;
    // An indexed range on paidAt: unpaid orders (paidAt null) are never read, and nor are older ones.
    const orders = await orderModel(container.db)
      .find({ paidAt: { $gte: since } })
      .select({ items: 1, subtotalFen: 1, totalFen: 1, paidAt: 1, refunds: 1, payment: 1 })
      .lean<OrderDoc[]>();
    const boxIds = [...new Map(orders.flatMap((order) => order.items.map((item) => [item.boxId.toHexString(), item.boxId] as const))).values()];
    const boxes = boxIds.length === 0 ? [] : await boxModel(container.db).find({ _id: { $in: boxIds } }).select({ slug: 1 }).lean();
    const slugs = new Map(boxes.map((box) => [box._id.toHexString(), box.slug]));
    const rows = salesRows(orders, (boxId) => slugs.get(boxId.toHexString()) ?? boxId.toHexString(), onlyBox);
    if (context.values.csv === true) return { exitCode: 0, output: salesCsv(rows) };
    return context.print(rows, () => salesTable(rows, since));
  },
};
