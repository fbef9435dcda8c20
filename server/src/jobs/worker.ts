/**
 * Job worker: the same container as the server, without HTTP, processing Agenda jobs. Run several of them
 * (and servers with JOBS=off or inline) against one database; Agenda's locks make each job run once.
 * `npm run worker`. SIGINT/SIGTERM stop polling, release unstarted locks and let running jobs finish.
 */
import { configOrExit, loadConfig, type ConfigFor } from '../config';
import { loadDotEnv } from '../env-file';
import { createLogger } from '../logger';
import { createContainer } from '../container';
import { onStopSignal } from '../stop-signals';

async function main(): Promise<void> {
  loadDotEnv();
  // This process exists to process jobs, whatever JOBS says for the servers.
  const config: ConfigFor<'worker'> = { ...configOrExit(() => loadConfig(process.env, 'worker')), JOBS: 'inline' };
  const logger = createLogger(config).child({ role: 'worker' });
  const container = await createContainer(config, logger);
  await container.jobs.start();
  logger.info({ pid: process.pid }, 'job worker running');

  onStopSignal(container.dispose, logger);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
