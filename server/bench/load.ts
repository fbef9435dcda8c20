import path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

/**
 * HTTP load with autocannon, run in a worker thread: the server under test lives in the main thread, so
 * a load generator sharing its event loop would measure itself. Scenarios are plain data because
 * functions cannot cross the thread boundary.
 */

export type Scenario =
  | { kind: 'callbacks'; deliveries: Array<{ raw: string; headers: Record<string, string> }> }
  | { kind: 'orders'; shoppers: Array<{ token: string; addressId: string }>; boxIds: string[]; pay: boolean };

export interface LoadJob {
  url: string;
  connections: number;
  /** Exactly this many requests (each callback fulfils a distinct order; autocannon needs amount ≥ connections); otherwise run for durationSeconds. */
  amount?: number;
  durationSeconds?: number;
  scenario: Scenario;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
}

function instance(job: LoadJob): autocannon.Options {
  const base = { url: job.url, connections: job.connections, timeout: 30, ...(job.amount ? { amount: job.amount } : { duration: job.durationSeconds ?? 5 }) };
  const scenario = job.scenario;
  if (scenario.kind === 'callbacks') {
    let next = 0;
    return {
      ...base,
      requests: [
        {
          method: 'POST',
          path: '/api/payments/wechat/notify',
          setupRequest: (request) => {
            const delivery = scenario.deliveries[next++ % scenario.deliveries.length]!;
            return { ...request, body: delivery.raw, headers: delivery.headers };
          },
        },
      ],
    };
  }
  let next = 0;
  const requests: autocannon.Request[] = [
    {
      method: 'POST',
      path: '/api/orders',
      setupRequest: (request, ctx) => {
        const context = ctx as Record<string, unknown>;
        const n = next++;
        const shopper = scenario.shoppers[n % scenario.shoppers.length]!;
        const boxId = scenario.boxIds[n % scenario.boxIds.length]!;
        context.token = shopper.token;
        context.orderId = undefined;
        return {
          ...request,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${shopper.token}` },
          body: JSON.stringify({ items: [{ boxId, quantity: 1 }], addressId: shopper.addressId }),
        };
      },
      onResponse: (status, body, ctx) => {
        if (status === 201) (ctx as Record<string, unknown>).orderId = (JSON.parse(body) as { id: string }).id;
      },
    },
  ];
  if (scenario.pay) {
    requests.push({
      method: 'POST',
      setupRequest: (request, ctx) => {
        const context = ctx as Record<string, unknown>;
        return {
          ...request,
          path: `/api/orders/${String(context.orderId ?? 'none')}/pay/jsapi`,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${String(context.token)}` },
          body: '{}',
        };
      },
    });
  }
  return { ...base, requests };
}

async function runHere(job: LoadJob): Promise<LoadResult> {
  const started = Date.now();
  const options = instance(job);
  // Inside a worker thread autocannon hands back raw histograms (it expects its own manager to merge them).
  const raw: unknown = await autocannon(options);
  const result = (autocannon as unknown as { aggregateResult(results: unknown[], opts: autocannon.Options): autocannon.Result }).aggregateResult([raw], options);
  const seconds = (Date.now() - started) / 1000;
  const statuses: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = (stat as { count: number }).count;
  const requests = Object.values(statuses).reduce((sum, count) => sum + count, 0);
  return {
    requests,
    seconds: result.duration || seconds,
    rps: requests / (result.duration || seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

export function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    // Node 20 does not carry tsx's ESM hooks into workers, so the worker registers tsx's CommonJS hook itself.
    const entry = `require('tsx/cjs'); require(${JSON.stringify(path.join(__dirname, 'load.ts'))});`;
    const worker = new Worker(entry, { eval: true, workerData: job });
    worker.once('message', (result: LoadResult) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => code === 0 || reject(new Error(`load worker exited with ${code}`)));
  });
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  runHere(workerData as LoadJob).then(
    (result) => port.postMessage(result),
    (error: unknown) => {
      throw error;
    },
  );
}
