import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { SHORT_OF_UNITS_CODES, createOrderRequestSchema } from '@blindbox/shared';
import { PLACE_ORDER_PATHS } from '../orders/order-paths';
import type { Logger } from '../logger';
import { scraperToken } from '../metrics/scraper-token';

/** A sold-out answer of the shop's, repeated for the same order lines until `until`. */
interface Remembered {
  body: Buffer;
  until: number;
  /** The number of the request this answers (the door numbers what it passes on): only a later request's answer replaces it. */
  sent: number;
  /** The one request asking the shop again once `until` has passed (its number); everyone else hears the remembered answer. */
  asking: number | null;
}

export interface OrderDoorOptions {
  /** The shop's server processes, taken in turn. */
  upstreams: readonly string[];
  /** How long a sold-out answer is repeated before the shop is asked again. */
  rememberMs: number;
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  /** `GET /metrics` with this bearer token is the door's own (Prometheus); without one it is passed on like the rest. */
  metricsToken?: string;
  /**
   * Connections to each shop process kept open between drops (0: none): each carries a `/healthz` every
   * WARM_EVERY_MS unless already busy, so a drop's opening finds them open instead of opening hundreds at once.
   */
  warmConnections?: number;
  /** How often the warm connections each carry a request (WARM_EVERY_MS unless a test says otherwise). */
  warmEveryMs?: number;
  logger: Logger;
  now?: () => number;
}

/** Connections to each shop process at most: the requests a drop's opening has in flight at once, and the pool kept warm. */
export const UPSTREAM_CONNECTIONS = 256;

/**
 * How often the warm connections each carry a request: well inside the servers' keep-alive of 65 s
 * (http/serving.ts), after which a server closes a connection left idle.
 */
const WARM_EVERY_MS = 30_000;

/**
 * Requests in flight to a shop process from which a round of keeping warm passes it by: a burst is under way (a
 * drop's opening reaches this within tens of milliseconds), its connections are open anyway, and a round of
 * hundreds of `/healthz` would land on the shop just then.
 */
const BUSY_SKIPS_WARMING = 16;

/** Sold-out answers remembered at most (one per distinct set of order lines). */
const MAX_REMEMBERED = 10_000;

/** Headers about one connection, which a proxy never passes on (RFC 9110 §7.6.1). */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate'];
const endToEnd = (headers: IncomingHttpHeaders): IncomingHttpHeaders => {
  const kept = { ...headers };
  for (const name of HOP_BY_HOP) delete kept[name];
  return kept;
};

/**
 * The order lines as a key: the same boxes and quantities are refused alike whoever asks. Null for what the shop
 * alone can answer (a body it would refuse, whole-set picks: their refusal depends on the positions asked).
 */
function linesKey(body: Buffer): string | null {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  const request = createOrderRequestSchema.safeParse(json);
  if (!request.success || request.data.items.some((item) => item.setPick)) return null;
  return request.data.items
    .map((item) => `${item.boxId}×${item.quantity}`)
    .sort()
    .join(',');
}

/**
 * The order door: a process of its own in front of the shop's order placing (docs/deploy.md routes `/api/orders`
 * to it). It passes every request on to the shop's processes untouched, and remembers the shop's sold-out answers
 * (SOLD_OUT, OUT_OF_STOCK: the same for every shopper, orders/sold-out-door.ts) for the same order lines for
 * `rememberMs`, repeating them itself meanwhile; after that one request asks the shop again while the others still
 * hear the answer remembered. Answers are news in the order their requests were passed on: any later request's
 * answer other than sold out (a unit came back, no answer at all) forgets the memory, an earlier one's changes
 * nothing. The shop's stock gate stays the only judge: the door never refuses anything the shop has not refused
 * within `rememberMs`, and the stock gate's own memory of the box is as old.
 *
 * Why a process: in a drop the shop's thread is busy with the winners (orders, prepays: database round trips,
 * signatures), and a sold-out answer, however cheap, waits its turn behind them. Measured on the 2-core bench
 * machine (docs/capacity.md): 4,400 sold-out answers waited up to 650 ms to be read by the shop, and 26 ms by
 * a door doing nothing else, which the kernel schedules as soon as a request arrives.
 */
export function orderDoor(options: OrderDoorOptions): http.RequestListener {
  const { upstreams, rememberMs, bodyLimitBytes, requestTimeoutMs, logger } = options;
  const now = options.now ?? Date.now;
  const targets = upstreams.map((url) => new URL(url));
  const agent = new http.Agent({ keepAlive: true, maxSockets: UPSTREAM_CONNECTIONS, maxFreeSockets: UPSTREAM_CONNECTIONS });
  const remembered = new Map<string, Remembered>();
  let turn = 0;
  /** Orders passed on so far: each one's number orders the answers by when their questions were asked. */
  let passed = 0;
  // The orders the door answered itself are counted nowhere else: the servers' /metrics never see them.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const orders = new Counter({
    name: 'door_orders_total',
    help: 'Orders at the order door: answered sold out from memory (remembered) or passed on to the servers (passed)',
    labelNames: ['answer'],
    registers: [registry],
  });
  const isScraper = scraperToken(options.metricsToken);

  /** Lines are the key, and a body may combine boxes at will: expired answers go before memory grows past its bound. */
  function forgetExpired(): void {
    const at = now();
    for (const [key, memory] of remembered) if (memory.until <= at && memory.asking === null) remembered.delete(key);
    if (remembered.size >= MAX_REMEMBERED) remembered.clear();
  }

  const answer = (res: ServerResponse, status: number, body: Buffer | string, headers: IncomingHttpHeaders = {}) => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { ...headers, 'content-length': bytes.length });
    res.end(bytes);
  };
  /** An answer of the door's own, in the API's shape, with a request id of its own as the servers give theirs. */
  const ownJson = (res: ServerResponse, status: number, body: Buffer | string) => answer(res, status, body, { 'content-type': 'application/json; charset=utf-8', 'x-request-id': randomUUID() });
  const problem = (res: ServerResponse, status: number, code: string, message: string) => ownJson(res, status, JSON.stringify({ code, message }));

  /** The request to the next shop process; its answer goes to `res` unless `keep` wants the body first. */
  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer | null, keep?: (status: number, body: Buffer) => void): void {
    const target = targets[turn++ % targets.length]!;
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: endToEnd(req.headers), agent, timeout: requestTimeoutMs },
      (reply) => {
        const status = reply.statusCode ?? 502;
        const headers = endToEnd(reply.headers);
        // The shop's connection cut mid-answer: the shopper's is cut too (a half answer is no answer), and an error
        // left without a listener would stop the door.
        reply.on('error', () => {
          keep?.(502, Buffer.alloc(0));
          res.destroy();
        });
        if (!keep) {
          res.writeHead(status, headers);
          reply.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        reply.on('data', (chunk: Buffer) => chunks.push(chunk));
        reply.on('end', () => {
          const bytes = Buffer.concat(chunks);
          keep(status, bytes);
          answer(res, status, bytes, headers);
        });
      },
    );
    upstream.on('timeout', () => upstream.destroy(new Error('the shop did not answer in time')));
    let abandoned = false;
    upstream.on('error', (error) => {
      // No answer is no refusal: whatever was remembered for these lines is forgotten, not kept by a failed ask.
      keep?.(502, Buffer.alloc(0));
      if (abandoned) return;
      logger.warn({ err: error, upstream: target.origin, path: req.url }, 'order door: the shop did not answer');
      if (!res.headersSent) problem(res, 502, 'SHOP_UNREACHABLE', 'the shop did not answer; try again shortly');
      else res.destroy();
    });
    if (body) upstream.end(body);
    else req.pipe(upstream);
    // The shopper gone before the shop answered: nobody waits for it any more.
    res.on('close', () => {
      if (res.writableFinished) return;
      abandoned = true;
      upstream.destroy();
    });
  }

  /**
   * Opened cold at a drop's opening, the hundreds of connections its first half second has in flight cost the door
   * and the shop CPU exactly then (docs/capacity.md): kept open between drops, each used every WARM_EVERY_MS. Only
   * the connections not busy are topped up, and none while a burst is under way (BUSY_SKIPS_WARMING).
   */
  function keepWarm(count: number): void {
    const warm = () => {
      for (const target of targets) {
        const busy = agent.sockets[agent.getName({ host: target.hostname, port: target.port })]?.length ?? 0;
        if (busy >= BUSY_SKIPS_WARMING) continue;
        for (let index = busy; index < count; index++) {
          const request = http.request({ host: target.hostname, port: target.port, method: 'GET', path: '/healthz', agent, timeout: requestTimeoutMs }, (reply) => reply.resume());
          request.on('timeout', () => request.destroy());
          // A shop away or restarting: the next round opens them again.
          request.on('error', () => undefined);
          request.end();
        }
      }
    };
    warm();
    setInterval(warm, options.warmEveryMs ?? WARM_EVERY_MS).unref();
  }
  if (options.warmConnections) keepWarm(Math.min(options.warmConnections, UPSTREAM_CONNECTIONS));

  /** An order: answered from memory when the shop refused the same lines as sold out within `rememberMs`. */
  function placeOrder(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const key = linesKey(body);
    const memory = key === null ? undefined : remembered.get(key);
    if (memory && (memory.until > now() || memory.asking !== null)) {
      orders.inc({ answer: 'remembered' });
      ownJson(res, 409, memory.body);
      return;
    }
    orders.inc({ answer: 'passed' });
    if (key === null) return forward(req, res, body);
    const number = ++passed;
    if (memory) memory.asking = number;
    forward(req, res, body, (status, reply) => {
      const current = remembered.get(key);
      if (current?.asking === number) current.asking = null;
      // Older news than what is remembered: in a drop the winners, let in before the last unit went, are answered
      // 201 for seconds after the shop said sold out; forgetting on those let every arrival between through again.
      if (current && current.sent > number) return;
      const code = status === 409 ? codeOf(reply) : null;
      if (code === null || !SHORT_OF_UNITS_CODES.has(code)) {
        remembered.delete(key);
        return;
      }
      if (remembered.size >= MAX_REMEMBERED) forgetExpired();
      remembered.set(key, { body: reply, until: now() + rememberMs, sent: number, asking: null });
    });
  }

  async function metrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isScraper(req.headers.authorization)) return problem(res, 401, 'UNAUTHORIZED', 'metrics need the scraper token');
    answer(res, 200, await registry.metrics(), { 'content-type': registry.contentType });
  }

  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    // The door's own liveness (a process manager's or a load balancer's check): answered here, not by the shop.
    if (req.method === 'GET' && path === '/healthz') return ownJson(res, 200, JSON.stringify({ status: 'ok', door: true }));
    if (options.metricsToken && req.method === 'GET' && path === '/metrics') {
      metrics(req, res).catch(() => problem(res, 500, 'INTERNAL', 'metrics could not be collected'));
      return;
    }
    if (req.method !== 'POST' || !PLACE_ORDER_PATHS.has(path)) return forward(req, res, null);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= bodyLimitBytes) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > bodyLimitBytes) return problem(res, 413, 'PAYLOAD_TOO_LARGE', 'request body too large');
      placeOrder(req, res, Buffer.concat(chunks));
    });
    req.on('error', () => res.destroy());
  };
}

function codeOf(body: Buffer): string | null {
  try {
    const { code } = JSON.parse(body.toString('utf8')) as { code?: unknown };
    return typeof code === 'string' ? code : null;
  } catch {
    return null;
  }
}
