import { NotFound } from '../../domain-error';
import { UsageError, type AdminCommand } from '../admin-command';
import { formatBillList, formatBillReport } from '../bill-format';
import { limitOption } from './limit-option';

export const billCommand: AdminCommand = {
  name: 'bill',
  usage: `  bill list [--limit N]             trade-bill reconciliation reports, newest day first
  bill show <YYYY-MM-DD>            one day's report with every finding
  bill run <YYYY-MM-DD>             reconcile that day's trade bill now (replaces its report)`,
  options: { limit: { type: 'string' } },
  async run(context) {
    const { tradeBills } = context.container;
    const [sub, date, ...extra] = context.positionals;
    if (sub === 'list' && date === undefined) {
      const reports = await tradeBills.list(limitOption(context.values, 30));
      return context.print(reports, () => formatBillList(reports));
    }
    if ((sub !== 'show' && sub !== 'run') || date === undefined || extra.length > 0) throw new UsageError('bill takes list, show <YYYY-MM-DD> or run <YYYY-MM-DD>');
    const reconcile = () => tradeBills.rerunDay(date, `admin:${context.actor}`);
    const report =
      sub === 'run'
        ? await context.apply({ command: 'bill run', target: `bill:${date}`, before: null, after: (done: Awaited<ReturnType<typeof reconcile>>) => ({ status: done.status }) }, reconcile)
        : await tradeBills.show(date);
    if (sub === 'run' && context.dryRun) return context.print(null, () => '');
    if (!report) throw new NotFound(`trade-bill report ${date}`);
    return { ...context.print(report, () => formatBillReport(report)), exitCode: report.status === 'FAILED' ? 1 : 0 };
  },
};
