import http from 'node:http';
import path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

/**
 * The load generator, run in a worker thread of the benchmark process (the server is another process).
 * Two paces:
 * - closed: N clients, each sending its next flow when the last one is answered (throughput);
 * - open: flows start on a fixed schedule whatever the answers, and every first request's latency is measured
 *   from its scheduled time, so a stalled server is charged for the requests it made wait (no coordinated
 *   omission). Requests after the first in a flow go out as soon as the one before is answered.
 * Scenarios are plain data because functions cannot cross the thread boundary.
 */

export interface Delivery {
  raw: string;
  headers: Record<string, string>;
}

export interface ApiShopper {
  token: string;
  addressId: string;
}

export type Scenario =
  /** One signed callback per flow, each for its own order; the flows end when the deliveries do. */
  | { kind: 'callbacks'; deliveries: Delivery[] }
  /** Order create, then JSAPI prepay of the new order. */
  | { kind: 'orders'; shoppers: ApiShopper[]; boxIds: string[] }
  /** Shopper i orders one unit of the box; a winner prepays and pays at the simulator, except every `unpaidEvery`-th. */
  | { kind: 'drop'; shoppers: ApiShopper[]; boxId: string; simulatorUrl: string; unpaidEvery: number }
  /**
   * A drop as the mini-program's confirm page asks it: shopper i's tap opens the page, which loads the box and,
   * unless it says sold out, the shopper's addresses, coupons and profile and a quote; then 确认支付 orders (at
   * once: the fastest finger), and a winner prepays and pays at the simulator.
   */
  | { kind: 'confirm-page'; shoppers: ApiShopper[]; boxId: string; simulatorUrl: string }
  /**
   * A drop as the mini-program's box page asks it (立即抢购, pages/box): shopper i's tap opens the box page and,
   * unless it says sold out, the next tap orders one unit without choosing an address (the shopper's first); a
   * winner prepays and pays at the simulator.
   */
  | { kind: 'box-page'; shoppers: ApiShopper[]; boxId: string; simulatorUrl: string }
  /**
   * Whole sets: shopper i reads the box's current set, picks a free position at random (every `wholeSetEvery`-th
   * takes the whole set if it is all free) and orders it, picking again `repickAfterMs` after a 409, up to `attempts` times; a
   * winner pays, except every `cancelEvery`-th, who cancels (its positions go back on sale at once).
   */
  | { kind: 'sets'; shoppers: ApiShopper[]; boxId: string; simulatorUrl: string; attempts: number; repickAfterMs: number; wholeSetEvery: number; cancelEvery: number };

export type Pace = { kind: 'closed'; connections: number; seconds: number } | { kind: 'open'; rate: number; count: number };

export interface LoadJob {
  url: string;
  /** Where orders are placed (POST /api/orders): the order door when the stack has one (Stack.orderUrl). */
  orderUrl?: string;
  scenario: Scenario;
  pace: Pace;
}

/** Latencies in ms by answer: "201", "409 OUT_OF_STOCK", "ERR ECONNRESET", … */
export type StepResult = Record<string, number[]>;

export interface DropOutcome {
  shopper: number;
  /** When the order was answered 201, in ms after the first scheduled arrival. */
  wonAtMs: number | null;
  orderId: string | null;
  /** The won order's expiresAt (epoch ms): when its hold comes back unless it is paid. */
  expiresAtMs: number | null;
  paid: boolean;
  /** Confirm-page scenario: loaded the shopper's own addresses, coupons and profile (the box was not sold out yet). */
  loadedOwnData?: boolean;
}

export interface LoadResult {
  /** First request to last answer. */
  seconds: number;
  flows: number;
  steps: Record<string, StepResult>;
  /** Scheduled start (open) or first send (closed) to the flow's last answer. */
  flowLatencies: number[];
  /** Callbacks only: the indices of the deliveries answered 204, each a promise that the payment is applied. */
  acknowledged: number[];
  /** Closed pace only: the scenario ran out of work before the time was up. */
  exhausted: boolean;
  /** Open pace only: the largest delay between a flow's scheduled time and when it was actually sent. */
  maxSendLagMs: number;
  /** Drop and sets scenarios: what became of each shopper. */
  drop: DropOutcome[];
  /** The time `wonAtMs` counts from (the first arrival's schedule, or the first send), in epoch milliseconds. */
  originEpochMs: number;
}

interface Answer {
  status: number;
  body: string;
}

export const latenciesOf = (step: StepResult | undefined) => Object.values(step ?? {}).flat();
export const countsOf = (step: StepResult | undefined) => Object.fromEntries(Object.entries(step ?? {}).map(([answer, latencies]) => [answer, latencies.length]));
/** "create 201×10 409 OUT_OF_STOCK×3; prepay 200×10" */
export const answersOf = (result: LoadResult) =>
  Object.entries(result.steps)
    .map(([name, step]) => `${name} ${Object.entries(countsOf(step)).map(([answer, count]) => `${answer}×${count}`).join(' ')}`)
    .join('; ');
/** Answers other than 2xx. */
export const failuresOf = (result: LoadResult) =>
  Object.values(result.steps).reduce((sum, step) => sum + Object.entries(step).filter(([answer]) => !/^2\d\d$/.test(answer)).reduce((n, [, latencies]) => n + latencies.length, 0), 0);

/** The priority of the simulator, which stands in for WeChat (stack.ts). */
export const OUTSIDE_WORLD_NICENESS = 10;

/**
 * A request unanswered for this long counts as failed ("ERR timeout"), so a server that cannot keep up
 * ends its run a bounded time after the schedule does instead of after its whole backlog.
 */
const REQUEST_TIMEOUT_MS = 30_000;

function runHere(job: LoadJob): Promise<LoadResult> {
  // Enough sockets that the client never queues requests itself: open-loop arrivals need one per request in flight.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4096 });
  const steps: Record<string, StepResult> = {};
  const flowLatencies: number[] = [];
  const drop: DropOutcome[] = [];
  const acknowledged: number[] = [];
  let firstSend = Number.POSITIVE_INFINITY;
  let lastAnswer = 0;
  let exhausted = false;
  let next = 0;
  let originEpochMs = Number.NaN;
  let winners = 0;

  function send(base: string, method: string, pathname: string, body: string | undefined, headers: Record<string, string>): Promise<Answer> {
    const target = new URL(pathname, base);
    return new Promise((resolve) => {
      const request = http.request(
        { host: target.hostname, port: target.port, path: target.pathname + target.search, method, agent, headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', () => resolve({ status: -1, body: 'ERR response' }));
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) => resolve({ status: -1, body: `ERR ${error.code ?? error.message}` }));
      request.setTimeout(REQUEST_TIMEOUT_MS, () => request.destroy(new Error('timeout')));
      request.end(body);
    });
  }

  /** One request, its latency counted from `since` (the scheduled time for a flow's first request). */
  async function step(name: string, since: number, base: string, method: string, pathname: string, body: string | undefined, headers: Record<string, string>, refine?: (answer: Answer) => string): Promise<Answer> {
    firstSend = Math.min(firstSend, performance.now());
    const answer = await send(base, method, pathname, body, headers);
    const now = performance.now();
    lastAnswer = Math.max(lastAnswer, now);
    let key = answer.status === -1 ? answer.body : String(answer.status);
    if (answer.status >= 300) {
      try {
        key += ` ${(JSON.parse(answer.body) as { code?: string }).code ?? ''}`.trimEnd();
      } catch {
        // not JSON: the status alone
      }
    }
    if (refine && answer.status === 200) key += refine(answer);
    ((steps[name] ??= {})[key] ??= []).push(now - since);
    return answer;
  }

  const ordersBase = job.orderUrl ?? job.url;
  const json = (token: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });
  const { scenario } = job;

  /** A winner's JSAPI prepay and, when `pays`, its payment at the simulator (whose callback fulfils the order). */
  async function prepayAndPay(outcome: DropOutcome, token: string, simulatorUrl: string, pays = true): Promise<void> {
    const prepay = await step('prepay', performance.now(), job.url, 'POST', `/api/orders/${outcome.orderId}/pay/jsapi`, '{}', json(token));
    if (!pays || prepay.status !== 200) return;
    const prepayId = (JSON.parse(prepay.body) as { package: string }).package.replace('prepay_id=', '');
    const paid = await step('pay', performance.now(), simulatorUrl, 'POST', '/sim/pay', JSON.stringify({ prepayId, result: 'SUCCESS' }), { 'content-type': 'application/json' });
    outcome.paid = paid.status === 200;
  }

  /** Runs flow number `index`; false when the scenario has no more work. */
  async function flow(index: number, scheduled: number, origin: number): Promise<boolean> {
    if (scenario.kind === 'callbacks') {
      const delivery = scenario.deliveries[index];
      if (!delivery) return false;
      const answer = await step('callback', scheduled, job.url, 'POST', '/api/payments/wechat/notify', delivery.raw, delivery.headers);
      if (answer.status === 204) acknowledged.push(index);
    } else if (scenario.kind === 'orders') {
      const shopper = scenario.shoppers[index % scenario.shoppers.length]!;
      const boxId = scenario.boxIds[index % scenario.boxIds.length]!;
      const created = await step('create', scheduled, ordersBase, 'POST', '/api/orders', JSON.stringify({ items: [{ boxId, quantity: 1 }], addressId: shopper.addressId }), json(shopper.token));
      if (created.status === 201) {
        const { id } = JSON.parse(created.body) as { id: string };
        await step('prepay', performance.now(), job.url, 'POST', `/api/orders/${id}/pay/jsapi`, '{}', json(shopper.token));
      }
    } else if (scenario.kind === 'sets') {
      const shopper = scenario.shoppers[index];
      if (!shopper) return false;
      const outcome: DropOutcome = { shopper: index, wonAtMs: null, orderId: null, expiresAtMs: null, paid: false };
      drop.push(outcome);
      for (let attempt = 0; attempt < scenario.attempts; attempt++) {
        const current = await step('grid', attempt === 0 ? scheduled : performance.now(), job.url, 'GET', `/api/boxes/${scenario.boxId}/sets/current`, undefined, {});
        if (current.status !== 200) break;
        const set = JSON.parse(current.body) as { id: string; positions: number; grid: string[] };
        const free = set.grid.flatMap((state, position) => (state === 'FREE' ? [position] : []));
        if (free.length === 0) break;
        const whole = scenario.wholeSetEvery > 0 && index % scenario.wholeSetEvery === 0 && free.length === set.positions;
        const setPick = whole ? { setId: set.id, wholeSet: true } : { setId: set.id, positions: [free[Math.floor(Math.random() * free.length)]!] };
        const body = JSON.stringify({ items: [{ boxId: scenario.boxId, quantity: whole ? set.positions : 1, setPick }], addressId: shopper.addressId });
        const created = await step(whole ? 'create whole set' : 'create', performance.now(), ordersBase, 'POST', '/api/orders', body, json(shopper.token));
        if (created.status === 409) {
          // A person sees the refreshed grid and taps again: not in the same millisecond.
          await new Promise((resolve) => setTimeout(resolve, scenario.repickAfterMs));
          continue;
        }
        if (created.status !== 201) break;
        outcome.wonAtMs = performance.now() - origin;
        outcome.orderId = (JSON.parse(created.body) as { id: string }).id;
        winners += 1;
        if (scenario.cancelEvery > 0 && winners % scenario.cancelEvery === 0) {
          await step('cancel', performance.now(), job.url, 'POST', `/api/orders/${outcome.orderId}/cancel`, '{}', json(shopper.token));
          break;
        }
        await prepayAndPay(outcome, shopper.token, scenario.simulatorUrl);
        break;
      }
    } else if (scenario.kind === 'confirm-page' || scenario.kind === 'box-page') {
      const shopper = scenario.shoppers[index];
      if (!shopper) return false;
      const outcome: DropOutcome = { shopper: index, wonAtMs: null, orderId: null, expiresAtMs: null, paid: false, loadedOwnData: false };
      drop.push(outcome);
      const soldOut = (answer: Answer) => (JSON.parse(answer.body) as { stock: number }).stock === 0;
      const box = await step('box', scheduled, job.url, 'GET', `/api/boxes/${scenario.boxId}`, undefined, json(shopper.token), (answer) => (soldOut(answer) ? ' sold out' : ''));
      if (box.status !== 200 || soldOut(box)) {
        flowLatencies.push(performance.now() - scheduled);
        return true;
      }
      const items = [{ boxId: scenario.boxId, quantity: 1 }];
      // The confirm page loads the shopper's own data and a quote first, and orders to the chosen address; the box
      // page's 立即抢购 orders at once, to the shopper's first address.
      if (scenario.kind === 'confirm-page') {
        outcome.loadedOwnData = true;
        const loadedAt = performance.now();
        await Promise.all([
          step('addresses', loadedAt, job.url, 'GET', '/api/addresses', undefined, json(shopper.token)),
          step('coupons', loadedAt, job.url, 'GET', '/api/coupons', undefined, json(shopper.token)),
          step('profile', loadedAt, job.url, 'GET', '/api/me', undefined, json(shopper.token)),
        ]);
        await step('quote', performance.now(), job.url, 'POST', '/api/orders/quote', JSON.stringify({ items }), json(shopper.token));
      }
      const body = scenario.kind === 'confirm-page' ? { items, addressId: shopper.addressId } : { items };
      const created = await step('create', performance.now(), ordersBase, 'POST', '/api/orders', JSON.stringify(body), json(shopper.token));
      if (created.status === 201) {
        outcome.wonAtMs = performance.now() - origin;
        outcome.orderId = (JSON.parse(created.body) as { id: string }).id;
        await prepayAndPay(outcome, shopper.token, scenario.simulatorUrl);
      }
    } else {
      const shopper = scenario.shoppers[index];
      if (!shopper) return false;
      const outcome: DropOutcome = { shopper: index, wonAtMs: null, orderId: null, expiresAtMs: null, paid: false };
      drop.push(outcome);
      const created = await step('create', scheduled, ordersBase, 'POST', '/api/orders', JSON.stringify({ items: [{ boxId: scenario.boxId, quantity: 1 }], addressId: shopper.addressId }), json(shopper.token));
      if (created.status === 201) {
        outcome.wonAtMs = performance.now() - origin;
        const order = JSON.parse(created.body) as { id: string; expiresAt: string };
        outcome.orderId = order.id;
        outcome.expiresAtMs = Date.parse(order.expiresAt);
        winners += 1;
        await prepayAndPay(outcome, shopper.token, scenario.simulatorUrl, scenario.unpaidEvery === 0 || winners % scenario.unpaidEvery !== 0);
      }
    }
    flowLatencies.push(performance.now() - scheduled);
    return true;
  }

  async function closed(connections: number, seconds: number): Promise<void> {
    const end = performance.now() + seconds * 1000;
    const origin = performance.now();
    originEpochMs = performance.timeOrigin + origin;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (!exhausted && performance.now() < end) {
          if (!(await flow(next++, performance.now(), origin))) exhausted = true;
        }
      }),
    );
  }

  async function open(rate: number, count: number): Promise<number> {
    const interval = 1000 / rate;
    const origin = performance.now() + 20;
    originEpochMs = performance.timeOrigin + origin;
    const inFlight: Array<Promise<boolean>> = [];
    let maxLag = 0;
    while (next < count) {
      const now = performance.now();
      while (next < count && origin + next * interval <= now) {
        const scheduled = origin + next * interval;
        maxLag = Math.max(maxLag, now - scheduled);
        inFlight.push(flow(next++, scheduled, origin));
      }
      const wait = origin + next * interval - performance.now();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
    }
    await Promise.all(inFlight);
    return maxLag;
  }

  const run = async (): Promise<LoadResult> => {
    const pace = job.pace;
    let maxSendLagMs = 0;
    if (pace.kind === 'closed') await closed(pace.connections, pace.seconds);
    else maxSendLagMs = await open(pace.rate, pace.count);
    agent.destroy();
    return { seconds: (lastAnswer - firstSend) / 1000, flows: flowLatencies.length, steps, flowLatencies, acknowledged, exhausted, maxSendLagMs, drop, originEpochMs };
  };
  return run();
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
  // At the servers' priority, not below it: every latency is read from this thread's clock, and a starved load
  // generator charges its own lateness to the server. At nice 10, in the drop's busiest seconds, it sent requests
  // 385–634 ms late and read answers 190–260 ms late (p50; docs/capacity.md), more than the server took to answer.
  runHere(workerData as LoadJob).then(
    (result) => port.postMessage(result),
    (error: unknown) => {
      throw error;
    },
  );
}
