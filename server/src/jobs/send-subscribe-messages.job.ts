import type { Agenda } from 'agenda';
import { JOB_NAMES, type JobContext } from './job-context';

/**
 * send-subscribe-messages: every NOTIFY_SWEEP_INTERVAL_SECONDS, queues the reminders of drops that have opened
 * and sends the due subscribe messages at NOTIFY_SENDS_PER_SECOND. One repeating job, run by one process at a
 * time (Agenda's lock, concurrency 1), so the pace holds across servers and workers. It never touches orders:
 * a drop's own requests do not wait on it.
 */
export function defineSendSubscribeMessages(agenda: Agenda, ctx: JobContext): void {
  const log = ctx.logger.child({ job: JOB_NAMES.sendSubscribeMessages });
  agenda.define(
    JOB_NAMES.sendSubscribeMessages,
    async () => {
      const summary = await ctx.notifications.sweep();
      if (summary.dropReminders + summary.sent + summary.refused + summary.failed + summary.retrying > 0) log.info(summary, 'subscribe messages swept');
    },
    { concurrency: 1, lockLimit: 1 },
  );
}
