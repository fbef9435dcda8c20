import { fenToYuan } from '@blindbox/shared';
import { salesReport } from '../../orders/sales-report';
import { UsageError, type AdminCommand } from '../admin-command';
import { boxBySlug } from './box-by-slug';
import { parseTimeOption } from './time-option';

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
    const { lines, boxes } = await salesReport(container.db, { from: since, to: null, boxId: onlyBox });
    const rows: SalesRow[] = lines
      .map(({ boxId, ...line }) => ({ ...line, box: boxes.get(boxId.toHexString())?.slug ?? boxId.toHexString() }))
      .sort((a, b) => a.day.localeCompare(b.day) || a.box.localeCompare(b.box));
    if (context.values.csv === true) return { exitCode: 0, output: salesCsv(rows) };
    return context.print(rows, () => salesTable(rows, since));
  },
};
