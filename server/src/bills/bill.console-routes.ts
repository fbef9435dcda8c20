import type { Container } from '../container';
import { NotFound } from '../domain-error';
import type { ConsoleRoutes } from '../console/console-router';
import type { TradeBillReport } from './trade-bill-report.model';

/** How many days of reports the console lists (the CLI's `bill list` default is the same month). */
const LISTED_DAYS = 60;

const summaryOf = (report: TradeBillReport) => ({
  day: report._id,
  status: report.status,
  error: report.error,
  rows: report.rows ?? 0,
  payments: report.payments ?? 0,
  refunds: report.refunds ?? 0,
  matched: report.matched ?? 0,
  findings: Object.values(report.counts ?? {}).reduce((sum, count) => sum + (count ?? 0), 0),
  counts: report.counts ?? {},
  // Reports stored by older versions (or cut short) may lack the end: the start stands in.
  finishedAt: new Date(report.finishedAt ?? report.startedAt ?? 0).toISOString(),
  actor: report.actor,
});

const detailOf = (report: TradeBillReport) => ({ ...summaryOf(report), findingsList: report.findings ?? [], findingsTruncated: report.findingsTruncated ?? false });

export function billConsoleRoutes({ tradeBills, clock }: Container, routes: ConsoleRoutes): void {
  routes.get('/bills', 'bills.view', async (ctx) => {
    ctx.body = { items: (await tradeBills.listSince(new Date(clock.now().getTime() - LISTED_DAYS * 86_400_000))).map(summaryOf) };
  });

  routes.get('/bills/:day', 'bills.view', async (ctx) => {
    const report = await tradeBills.show(String(ctx.params.day));
    if (!report) throw new NotFound(`trade-bill report ${ctx.params.day}`);
    ctx.body = detailOf(report);
  });

  routes.post('/bills/:day/run', 'bills.run', async (ctx, { actor, change }) => {
    const day = String(ctx.params.day);
    const report = await change(
      { command: 'bill run', target: `bill:${day}`, before: null, after: (done: TradeBillReport) => ({ status: done.status }) },
      () => tradeBills.rerunDay(day, actor),
    );
    ctx.body = detailOf(report!);
  });
}
