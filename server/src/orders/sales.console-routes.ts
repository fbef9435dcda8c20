import { beijingTime, fenToYuan, SALES_MAX_DAYS, salesQuerySchema, type SalesQuery, type SalesResponse, type SalesRow } from '@blindbox/shared';
import { Types } from 'mongoose';
import type { Container } from '../container';
import type { ConsoleRoutes } from '../console/console-router';
import { csvDocument } from '../console/csv';
import { ruleError } from '../domain-error';
import { beijingDayStart } from './order-search';
import { salesReport } from './sales-report';

export const InvalidSalesRange = ruleError('INVALID', 'INVALID_SALES_RANGE');
const DAY_MS = 86_400_000;

type Totals = SalesResponse['total'];
const zero = (): Totals => ({ units: 0, revenueFen: 0, refundedUnits: 0, refundsFen: 0 });
const add = (sum: Totals, row: Totals) => {
  sum.units += row.units;
  sum.revenueFen += row.revenueFen;
  sum.refundedUnits += row.refundedUnits;
  sum.refundsFen += row.refundsFen;
};

/** Sales per Beijing day and box for a range of days: the rows, each day's and box's totals, and the CSV. */
export function salesConsoleRoutes(container: Container, routes: ConsoleRoutes): void {
  async function report(query: SalesQuery): Promise<SalesResponse> {
    const from = beijingDayStart(query.from);
    const to = beijingDayStart(query.to, true);
    if (to.getTime() <= from.getTime()) throw new InvalidSalesRange(`${query.from} is after ${query.to}`);
    if (to.getTime() - from.getTime() > SALES_MAX_DAYS * DAY_MS) throw new InvalidSalesRange(`at most ${SALES_MAX_DAYS} days at once`);
    const { lines, boxes } = await salesReport(container.db, { from, to, boxId: query.boxId ? new Types.ObjectId(query.boxId) : null });
    const rows: SalesRow[] = lines.map(({ boxId, ...line }) => ({ ...line, boxId: boxId.toHexString(), ...boxes.get(boxId.toHexString())! }));
    const days = new Map<string, Totals & { day: string }>();
    for (let at = from.getTime(); at < to.getTime(); at += DAY_MS) {
      const day = beijingTime(new Date(at)).slice(0, 10);
      days.set(day, { day, ...zero() });
    }
    const byBox = new Map<string, SalesResponse['boxes'][number]>();
    const total = zero();
    for (const row of rows) {
      add(days.get(row.day)!, row);
      const box = byBox.get(row.boxId) ?? { boxId: row.boxId, slug: row.slug, name: row.name, ...zero() };
      add(box, row);
      byBox.set(row.boxId, box);
      add(total, row);
    }
    return {
      from: query.from,
      to: query.to,
      rows,
      days: [...days.values()],
      boxes: [...byBox.values()].sort((a, b) => b.revenueFen - a.revenueFen),
      total,
      generatedAt: container.clock.now().toISOString(),
    };
  }

  routes.get('/sales', 'sales.view', async (ctx) => {
    ctx.body = await report(salesQuerySchema.parse(ctx.query));
  });

  routes.get('/sales/export.csv', 'sales.view', async (ctx) => {
    const query = salesQuerySchema.parse(ctx.query);
    const { rows } = await report(query);
    ctx.set('Content-Disposition', `attachment; filename="sales-${query.from}-${query.to}.csv"`);
    ctx.type = 'text/csv; charset=utf-8';
    ctx.body = csvDocument(
      ['日期(北京)', '系列', '系列标识', '件数', '收入(元)', '退款件数', '退款(元)', '净收入(元)'],
      rows.map((row) => [row.day, row.name, row.slug, row.units, fenToYuan(row.revenueFen), row.refundedUnits, fenToYuan(row.refundsFen), fenToYuan(row.revenueFen - row.refundsFen)]),
    );
  });
}
