import type { Agenda } from 'agenda';
import { previousBeijingDay } from '../bills/bill-reconciliation';
import { JOB_NAMES, type JobContext } from './job-context';

/**
 * trade-bill-reconciliation: daily (TRADE_BILL_CRON, Asia/Shanghai; WeChat has the bill ready after 10:00)
 * for the day before. A bill that cannot be trusted fails the run and is stored as a FAILED report; the
 * admin CLI's `bill run <date>` repeats it by hand, and a re-run replaces that day's report.
 */
export function defineTradeBillReconciliation(agenda: Agenda, ctx: JobContext): void {
  agenda.define(
    JOB_NAMES.tradeBill,
    async () => {
      await ctx.tradeBills.reconcileDay(previousBeijingDay(new Date()), 'job:trade-bill');
    },
    { concurrency: 1, lockLimit: 1 },
  );
}
