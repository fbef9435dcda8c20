import http from 'node:http';
import { configOrExit, loadDoorConfig } from '../config';
import { loadDotEnv } from '../env-file';
import { createLogger } from '../logger';
import { orderDoor } from './order-door';

/** `node server/dist/door.js`: the order door (order-door.ts) on PORT, in front of DOOR_UPSTREAM_URLS. */
function main(): void {
  loadDotEnv();
  const config = configOrExit(() => loadDoorConfig(process.env));
  const logger = createLogger(config);
  const door = orderDoor({ upstreams: config.DOOR_UPSTREAM_URLS, rememberMs: config.DOOR_REMEMBER_MS, bodyLimitBytes: config.BODY_LIMIT_BYTES, requestTimeoutMs: config.REQUEST_TIMEOUT_MS, metricsToken: config.METRICS_TOKEN, logger });
  // As the shop's own server (main.ts): a drop's crowd connects at once, and proxies pool their connections.
  const server = http.createServer(door).listen({ port: config.PORT, host: config.HOST, backlog: 4096 });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = config.REQUEST_TIMEOUT_MS;
  server.once('listening', () => logger.info({ url: `http://${config.HOST}:${config.PORT}`, upstreams: config.DOOR_UPSTREAM_URLS }, 'order door listening'));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      server.close(() => process.exit(0));
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_GRACE_MS).unref();
    });
  }
}

main();
