import { DEFAULT_AUDIT_DAYS } from '../admin-audit';
import { UsageError, type AdminCommand } from '../admin-command';
import { limitOption } from './limit-option';

export const auditCommand: AdminCommand = {
  name: 'audit',
  usage: `  audit [--since <date|time>] [--limit N]
                                    every admin change, newest first: who, when, what before and after
                                    (default: the last ${DEFAULT_AUDIT_DAYS} days)`,
  options: { since: { type: 'string' }, limit: { type: 'string' } },
  async run(context) {
    if (context.positionals.length > 0) throw new UsageError('audit takes no arguments');
    const since = typeof context.values.since === 'string' ? new Date(context.values.since) : new Date(Date.now() - DEFAULT_AUDIT_DAYS * 86_400_000);
    if (Number.isNaN(since.getTime())) throw new UsageError('--since must be a date or time, e.g. 2026-12-01 or 2026-12-01T10:00:00+08:00');
    const entries = await context.audit.since(since, limitOption(context.values, 100));
    return context.print(entries, () =>
      entries.length === 0
        ? `no admin changes since ${since.toISOString()}`
        : entries
            .map((entry) => `${entry.at.toISOString()}  ${entry.actor}  ${entry.command} ${entry.target}: ${JSON.stringify(entry.before)} → ${JSON.stringify(entry.after)}`)
            .join('\n'),
    );
  },
};
