import type { Logger } from './logger';

/** SIGINT or SIGTERM: `stop` once, then exit 0, or say why it was unclean and exit 1. Every entry point that runs. */
export function onStopSignal(stop: () => Promise<void>, logger: Logger): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      stop()
        .then(() => process.exit(0))
        .catch((error: unknown) => {
          logger.error({ err: error }, 'unclean shutdown');
          process.exit(1);
        });
    });
  }
}
