import { configOrExit, loadDoorConfig } from '../config';
import { loadDotEnv } from '../env-file';
import { createLogger } from '../logger';
import { listenForShoppers, stopOnSignals } from '../http/serving';
import { UPSTREAM_CONNECTIONS, orderDoor } from './order-door';

/** `node server/dist/door.js`: the order door (order-door.ts) on PORT, in front of DOOR_UPSTREAM_URLS. */
function main(): void {
  loadDotEnv();
  const config = configOrExit(() => loadDoorConfig(process.env));
  const logger = createLogger(config);
  const door = orderDoor({ upstreams: config.DOOR_UPSTREAM_URLS, rememberMs: config.DOOR_REMEMBER_MS, bodyLimitBytes: config.BODY_LIMIT_BYTES, requestTimeoutMs: config.REQUEST_TIMEOUT_MS, metricsToken: config.METRICS_TOKEN, warmConnections: UPSTREAM_CONNECTIONS, logger });
  const server = listenForShoppers(door, config);
  server.once('listening', () => logger.info({ url: `http://${config.HOST}:${config.PORT}`, upstreams: config.DOOR_UPSTREAM_URLS }, 'order door listening'));
  // Nothing to dispose of: the door holds no database and no job.
  stopOnSignals(server, async () => undefined, config.SHUTDOWN_GRACE_MS, logger);
}

main();
