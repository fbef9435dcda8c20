import http, { type RequestListener, type Server } from 'node:http';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { onStopSignal } from '../stop-signals';

/** An HTTP server for the shop's traffic, as every process facing it listens (the server, the order door). */
export function listenForShoppers(handler: RequestListener, config: Pick<Config, 'HOST' | 'PORT' | 'REQUEST_TIMEOUT_MS'>): Server {
  // A drop opens thousands of connections at once: a deep accept queue turns them into waiting, not resets.
  const server = http.createServer(handler).listen({ port: config.PORT, host: config.HOST, backlog: 4096 });
  // Longer than the idle time of the proxy's (or a client's) pooled connections: with Node's 5 s default the
  // server closes a connection just as the other side reuses it, and that request ends in a reset (a 502 at nginx).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = config.REQUEST_TIMEOUT_MS;
  return server;
}

/** Stop accepting, let in-flight requests finish (bounded), then dispose of the rest. */
async function shutdown(server: Server, dispose: () => Promise<void>, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(timer);
  await dispose();
}

/** SIGINT or SIGTERM: the server stops as shutdown() says, once. */
export function stopOnSignals(server: Server, dispose: () => Promise<void>, graceMs: number, logger: Logger): void {
  onStopSignal(() => shutdown(server, dispose, graceMs), logger);
}
