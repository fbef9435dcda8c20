import { configOrExit, loadConfig, type Config } from './config';
import { loadDotEnv } from './env-file';
import { createLogger } from './logger';
import { createContainer } from './container';
import { applyMsgJumpPath } from './shipping/msg-jump-path';
import { createApp } from './app';
import { listenForShoppers, stopOnSignals } from './http/serving';

async function main(): Promise<void> {
  loadDotEnv();
  const config = configOrExit(() => loadConfig(process.env));
  const logger = createLogger(config);
  // The first line says the mode: a production start is never silent, a development one never mistaken for it.
  logger.info({ mode: config.NODE_ENV }, config.NODE_ENV === 'production' ? 'starting in production mode' : `starting in ${config.NODE_ENV} mode (NODE_ENV=production for real money)`);
  if (config.NODE_ENV === 'production' && config.MONGODB_ALLOW_STANDALONE) {
    logger.warn('MONGODB_ALLOW_STANDALONE=true: the database is not required to be a replica set; staging only, never with real money');
  }
  const container = await createContainer(config, logger).catch((error: unknown) => {
    throw new StartupError(error, config);
  });
  if (config.JOBS === 'inline') await container.jobs.start();
  // Not awaited: WeChat being slow must not delay the start; a failure is retried at the next start (doctor says so).
  applyMsgJumpPath({ db: container.db, platform: container.platform, path: config.MINIPROGRAM_MSG_JUMP_PATH, logger }).catch((error: unknown) =>
    logger.warn({ err: error }, 'set_msg_jump_path failed; WeChat shipping messages may open the wrong page until the next start'),
  );
  const server = listenForShoppers(createApp(container).callback(), config);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  logger.info({ url: `http://${config.HOST}:${config.PORT}`, jobs: config.JOBS, mode: config.NODE_ENV }, 'server listening');

  stopOnSignals(server, container.dispose, config.SHUTDOWN_GRACE_MS, logger);
}

/** In production the operator gets pointed at the checklist instead of the developer's advice. */
class StartupError extends Error {
  constructor(cause: unknown, config: Pick<Config, 'NODE_ENV'>) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      config.NODE_ENV === 'production'
        ? `cannot start: ${reason}\nRun \`node server/dist/admin.js doctor\` with the same environment for a checklist with the fix for each problem.`
        : reason,
      { cause },
    );
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
