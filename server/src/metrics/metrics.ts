import type { Middleware } from 'koa';
import type { Connection } from 'mongoose';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ALIPAY_NOTIFY_PATH, WECHATPAY_NOTIFY_PATH } from '../payments/callback-paths';
import type { JobsHealth } from '../jobs/agenda-scheduler';
import { boxModel } from '../catalog/box.model';
import { stockModel } from '../catalog/stock.model';
import { stockDatabase } from '../db/databases';
import { scraperToken } from './scraper-token';

/**
 * Prometheus metrics for one server process (a registry of its own, so several apps in one test process do
 * not collide). Counted where they happen: requests and channel callbacks in the HTTP middleware; read at
 * scrape time: job queues and the stock left on every box on sale (one indexed read each).
 */

const CALLBACK_CHANNELS: Record<string, string> = { [WECHATPAY_NOTIFY_PATH]: 'wechatpay', [ALIPAY_NOTIFY_PATH]: 'alipay' };

/** What a callback's answer means for the channel: accepted, refused as forged, or to be retried. */
function callbackOutcome(status: number): string {
  if (status < 300) return 'accepted';
  if (status === 401 || status === 403) return 'verification_failed';
  if (status === 503) return 'deferred';
  return status >= 500 ? 'error' : 'rejected';
}

export interface MetricsDeps {
  db: Connection;
  jobsHealth: () => Promise<JobsHealth>;
}

export function createMetrics({ db, jobsHealth }: MetricsDeps) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const callbacks = new Counter({ name: 'payment_callbacks_total', help: 'Payment-channel callbacks by channel and outcome', labelNames: ['channel', 'outcome'], registers: [registry] });
  const dbErrors = new Counter({ name: 'database_errors_total', help: 'Database connection errors and disconnections', labelNames: ['event'], registers: [registry] });
  db.on('error', () => dbErrors.inc({ event: 'error' }));
  db.on('disconnected', () => dbErrors.inc({ event: 'disconnected' }));

  new Gauge({
    name: 'jobs_queued',
    help: 'Background jobs by name and state (scheduled, due, running, failed)',
    labelNames: ['job', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of (await jobsHealth()).queues) {
        for (const state of ['scheduled', 'due', 'running', 'failed'] as const) this.set({ job: queue.name, state }, queue[state]);
      }
    },
  });
  new Gauge({
    name: 'stock_available_units',
    help: 'Units for sale per box on sale',
    labelNames: ['box'],
    registers: [registry],
    async collect() {
      this.reset();
      const boxes = await boxModel(db).find({ active: true }, { slug: 1 }).lean();
      const stocks = await stockModel(stockDatabase(db)).find({ _id: { $in: boxes.map((box) => box._id) } }, { available: 1 }).lean();
      const slugs = new Map(boxes.map((box) => [box._id.toHexString(), box.slug]));
      for (const stock of stocks) this.set({ box: slugs.get(stock._id.toHexString()) ?? stock._id.toHexString() }, stock.available);
    },
  });

  const middleware: Middleware = async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      // The route pattern, never the raw path: ids in paths would make one series per order.
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      requests.inc({ method: ctx.method, route, status: String(ctx.status) });
      latency.observe({ method: ctx.method, route }, Number(process.hrtime.bigint() - started) / 1e9);
      const channel = CALLBACK_CHANNELS[ctx.path];
      if (channel && ctx.method === 'POST') callbacks.inc({ channel, outcome: callbackOutcome(ctx.status) });
    }
  };
  return { registry, middleware };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * GET /metrics, for the scraper only: answered only with `Authorization: Bearer <METRICS_TOKEN>`; without a
 * token configured it does not exist (404), so nothing about the shop's traffic is public by default.
 */
export function metricsEndpoint(metrics: Metrics, token: string | undefined): Middleware {
  const isScraper = scraperToken(token);
  return async (ctx, next) => {
    if (ctx.path !== '/metrics' || ctx.method !== 'GET' || !token) return next();
    if (!isScraper(ctx.get('authorization'))) {
      ctx.status = 401;
      ctx.body = { code: 'UNAUTHORIZED', message: 'metrics need the scraper token' };
      return;
    }
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  };
}
