import { UsageError, type AdminCommand } from '../admin-command';
import { formatHealth } from '../format';

export const jobsCommand: AdminCommand = {
  name: 'jobs',
  usage: '  jobs                              job queue health',
  async run(context) {
    if (context.positionals.length > 0) throw new UsageError('jobs takes no arguments');
    const health = await context.container.jobs.health();
    return context.print(health, () => formatHealth(health));
  },
};
