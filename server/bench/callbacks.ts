import { signedCallbacks } from '../dev/signed-callbacks';
import { bulkShoppers, ms, placeAndPrepay, summarize, verdict, type BenchContext, type Summary } from './context';
import type { PendingOrder } from './db';
import { countsOf, latenciesOf, runLoad, type Delivery } from './load';
import type { Stack } from './stack';

const SECTION = 'Callback';
const LEVELS = [
  { connections: 1, seconds: 3 },
  { connections: 10, seconds: 4 },
  { connections: 50, seconds: 5 },
] as const;
const OPEN_RATE = 300;
const OPEN_SECONDS = 10;
/**
 * Orders prepared per level: the rate the last level reached (at first FIRST_GUESS), scaled by GROWTH for the
 * higher concurrency, times the run length, with HEADROOM to spare. Preparing too few only ends a level early
 * (the table says so); preparing far too many would grow the collections being measured.
 */
const FIRST_GUESS = 50;
const GROWTH: Record<number, number> = { 1: 3, 10: 1.5 };
const HEADROOM = 1.5;

interface LevelFigures {
  rate: number;
  latency: Summary;
  ranOut: boolean;
}

/** The raw engine doing one callback's writes, closed loop, each client on its own order. */
async function rawLevel(stack: Stack, pending: PendingOrder[], connections: number, seconds: number): Promise<LevelFigures> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end && next < pending.length) {
        const order = pending[next++]!;
        const t0 = performance.now();
        await stack.db.rawCallbackWrites(order);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { rate: latencies.length / elapsed, latency: summarize(latencies), ranOut: next >= pending.length };
}

/**
 * Fulfilling callbacks: signed and encrypted as WeChat sends them, each for its own pending order (clones of
 * one order placed and prepaid through the API), against the raw engine doing the same writes at the same
 * concurrency, level by level so both see the same database; then a steady open-loop rate.
 */
export async function callbackSection(ctx: BenchContext): Promise<void> {
  // No jobs: reconciliation would ask the simulator about the cloned orders, which it never saw.
  const stack = await ctx.stack('callbacks', { JOBS: 'off', RATE_LIMIT_ORDERS_PER_MINUTE: '0', PURCHASE_LIMIT_PER_BOX: '10000' });
  try {
    const [shopper] = await bulkShoppers(ctx, stack, 1, 'callbacks');
    const [boxId] = await stack.db.boxIds();
    await stack.db.setStock(boxId!, 10_000_000);
    const template = await placeAndPrepay(stack.url, shopper!, boxId!);
    const callbacks = await signedCallbacks(ctx.credentialsDir);
    let transactions = 0;
    const deliveryFor = (order: PendingOrder): Delivery =>
      callbacks.signed(
        callbacks.envelope(callbacks.transaction(order.outTradeNo, order.totalFen, { payer: { openid: order.openid }, transaction_id: `4200${String(Date.now()).slice(-10)}${String(transactions++).padStart(14, '0')}` })),
      );
    const prepare = async (count: number) => {
      const t0 = performance.now();
      const pending = await stack.db.clonePendingOrders(template.orderId, count);
      ctx.log(`callbacks: ${count} pending orders cloned in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      return pending;
    };
    const ours = async (pending: PendingOrder[], pace: Parameters<typeof runLoad>[0]['pace']) => {
      // Signed before the clock starts: RSA signing is WeChat's cost, not the server's.
      const deliveries = pending.map(deliveryFor);
      const result = await runLoad({ url: stack.url, scenario: { kind: 'callbacks', deliveries }, pace });
      const step = result.steps.callback;
      const acknowledged = result.acknowledged.length;
      const fulfilled = acknowledged ? await stack.db.fulfilledCount(result.acknowledged.map((index) => pending[index]!.orderId)) : 0;
      return { result, step, acknowledged, fulfilled };
    };

    const figures: Record<string, unknown> = {};
    let expected = FIRST_GUESS;
    for (const { connections, seconds: baseSeconds } of LEVELS) {
      const seconds = Math.max(1, baseSeconds * ctx.scale);
      const raw = await rawLevel(stack, await prepare(Math.ceil(expected * seconds * HEADROOM) + connections), connections, seconds);
      expected = Math.max(expected, raw.rate);
      const { result, step, acknowledged, fulfilled } = await ours(await prepare(Math.ceil(expected * seconds * HEADROOM) + connections), { kind: 'closed', connections, seconds });
      // Only acknowledged callbacks count; one that timed out was work the server did not finish in time.
      const mine: LevelFigures = { rate: acknowledged / result.seconds, latency: summarize(latenciesOf(step)), ranOut: result.exhausted };
      const ratio = mine.rate / raw.rate;
      figures[`c${connections}`] = { raw, ours: { ...mine, answers: countsOf(step), acknowledged, fulfilled, sent: result.flows }, ratio };
      ctx.log(`callbacks c=${connections}: raw ${raw.rate.toFixed(0)}/s, ours ${mine.rate.toFixed(0)}/s ${JSON.stringify(countsOf(step))}, ${fulfilled}/${acknowledged} acknowledged fulfilled`);
      const short = (f: LevelFigures) => `${f.rate.toFixed(0)}/s (p50 ${ms(f.latency.p50)}, p99 ${ms(f.latency.p99)})${f.ranOut ? ' ran out of orders' : ''}`;
      const top = connections === 50;
      ctx.row({ section: SECTION, figure: `raw engine, the callback's writes, c=${connections}`, value: short(raw) });
      ctx.row({
        section: SECTION,
        figure: `ours over HTTP, c=${connections} (${acknowledged}/${result.flows} answered 204, ${fulfilled} of them fulfilled)`,
        value: short(mine),
        ...(top ? { target: '≥ 500/s', verdict: verdict(mine.rate >= 500 && acknowledged === result.flows && fulfilled === acknowledged) } : {}),
      });
      ctx.row({ section: SECTION, figure: `ours / raw, c=${connections}`, value: `${ratio.toFixed(2)}×`, ...(top ? { target: '≥ 0.7×', verdict: verdict(ratio >= 0.7) } : {}) });
      expected = Math.max(raw.rate, mine.rate) * (GROWTH[connections] ?? 1);
    }

    const count = Math.round(OPEN_RATE * Math.max(1, OPEN_SECONDS * ctx.scale));
    const { result, step, acknowledged, fulfilled } = await ours(await prepare(count), { kind: 'open', rate: OPEN_RATE, count });
    const latency = summarize(latenciesOf(step));
    figures.open = { rate: OPEN_RATE, count, latency, answers: countsOf(step), acknowledged, fulfilled, maxSendLagMs: result.maxSendLagMs };
    ctx.log(`callbacks open ${OPEN_RATE}/s: ${JSON.stringify(countsOf(step))}, ${fulfilled}/${acknowledged} acknowledged fulfilled, send lag ≤ ${result.maxSendLagMs.toFixed(1)} ms`);
    ctx.row({
      section: SECTION,
      figure: `ours at ${OPEN_RATE}/s offered, open loop, ${count} callbacks (${acknowledged} answered 204, ${fulfilled} of them fulfilled)`,
      value: `p50 ${ms(latency.p50)}, p99 ${ms(latency.p99)}, max ${ms(latency.max)}`,
      target: 'p99 < 100 ms',
      verdict: verdict(latency.p99 < 100 && acknowledged === count && fulfilled === acknowledged),
    });
    ctx.record('callbacks', figures);
  } finally {
    await stack.stop();
  }
}
