import mongoose from 'mongoose';
import { signedCallbacks } from '../dev/signed-callbacks';
import { loadConfig } from '../src/config';
import { createContainer, type Container } from '../src/container';
import { createLogger } from '../src/logger';
import { runExpirySweep } from '../src/jobs/expiry-sweep.job';
import { outTradeNoFor } from '../src/orders/out-trade-no';
import { bulkShoppers, call, median, ms, placeAndPrepay, verdict, waitFor, type BenchContext } from './context';
import type { Stack } from './stack';

const SECTION = 'Growth';
const SIZES = [1_000, 10_000, 100_000];
const LOAD_TARGET_MS = 120_000;
/** The shopper whose lookups and list are timed owns this many of the stored orders, at every size. */
const OWN_ORDERS = 30;
/** Everyone else's orders belong to this many other shoppers. */
const OTHER_SHOPPERS = 20_000;
const SAMPLES = { lookup: 40, list: 20, callback: 10, sweep: 5 } as const;
/** Each measure stops sampling after this long (one sample at least), so a slow build still finishes. */
const SAMPLE_BUDGET_MS = 5_000;
/** A size where a median took longer than this is the last one measured: the next would take minutes. */
const GIVE_UP_MS = 1_000;

type Measure = keyof typeof SAMPLES;
const LABELS: Record<Measure, string> = {
  lookup: 'one order lookup (GET /api/orders/:id)',
  list: "a shopper's order list (GET /api/orders, 20 a page)",
  callback: 'one fulfilling callback',
  sweep: 'one expiry sweep (nothing due)',
};

async function timed(samples: number, once: (i: number) => Promise<void>): Promise<number> {
  const times: number[] = [];
  const deadline = performance.now() + SAMPLE_BUDGET_MS;
  for (let i = 0; i < samples && (i === 0 || performance.now() < deadline); i++) {
    const t0 = performance.now();
    await once(i);
    times.push(performance.now() - t0);
  }
  return median(times);
}

/**
 * Per-request cost as stored orders grow from 1k to 100k: orders bulk-loaded straight into the database
 * (made from one real paid order), the requests over HTTP, the sweep run in-process as the job runs it.
 */
export async function growthSection(ctx: BenchContext): Promise<void> {
  const stack = await ctx.stack('growth', { JOBS: 'off', RATE_LIMIT_ORDERS_PER_MINUTE: '0', PURCHASE_LIMIT_PER_BOX: '10000' });
  const config = loadConfig({ ...stack.env, LOG_LEVEL: 'silent' });
  let container: Container | null = null;
  try {
    container = await createContainer(config, createLogger(config));
    const jobs = container.jobs;
    const [lister, payer] = await bulkShoppers(ctx, stack, 2, 'growth');
    const [boxId] = await stack.db.boxIds();
    await stack.db.setStock(boxId!, 10_000_000);
    const template = await paidOrder(stack, lister!, boxId!);
    const others = Array.from({ length: OTHER_SHOPPERS }, (_, i) => ({ userId: new mongoose.Types.ObjectId().toHexString(), openid: `o-bench-growth-other-${i}` }));
    const ownerOf = (i: number) => (i < OWN_ORDERS ? lister! : others[i % others.length]!);
    const callbacks = await signedCallbacks(ctx.credentialsDir);

    // A short run (BENCH_SCALE < 1) still spans a factor of ten: 1k, 3k, 10k at 0.1.
    const sizes = SIZES.map((size, i) => Math.max(1_000 * 3 ** i, Math.round(size * ctx.scale)));
    const timings: Record<Measure, number[]> = { lookup: [], list: [], callback: [], sweep: [] };
    const measured: number[] = [];
    let loaded = 1; // the template
    let loadMs = 0;
    let gaveUp = false;
    for (const size of sizes) {
      const t0 = performance.now();
      const from = loaded;
      loaded += await stack.db.bulkLoadOrders(template, size - from, (i) => ownerOf(from - 1 + i), t0 + LOAD_TARGET_MS - loadMs);
      loadMs += performance.now() - t0;
      ctx.log(`growth: ${loaded} orders stored (bulk load so far ${(loadMs / 1000).toFixed(1)} s)`);
      if (loaded < size) break;
      // Past a size where a request took too long, only the loading is still timed.
      if (gaveUp) continue;

      const own = (await call<{ items: Array<{ id: string }> }>(stack.url, 'GET', '/api/orders?pageSize=50', undefined, lister!.token, 200)).body.items.map((order) => order.id);
      const lookup = (i: number) => call(stack.url, 'GET', `/api/orders/${own[i % own.length]}`, undefined, lister!.token, 200).then(() => undefined);
      // Untimed first: right after a bulk load the engine is still checkpointing and the server's code paths are cold.
      await timed(SAMPLES.lookup, lookup);
      timings.lookup.push(await timed(SAMPLES.lookup, lookup));
      timings.list.push(await timed(SAMPLES.list, () => call(stack.url, 'GET', '/api/orders?page=1&pageSize=20', undefined, lister!.token, 200).then(() => undefined)));
      const pending = [];
      for (let i = 0; i < SAMPLES.callback; i++) pending.push(await placeAndPrepay(stack.url, payer!, boxId!));
      const deliveries = pending.map((order) => callbacks.signed(callbacks.envelope(callbacks.transaction(outTradeNoFor(new mongoose.Types.ObjectId(order.orderId), 1), order.totalFen, { payer: { openid: payer!.openid } }))));
      timings.callback.push(
        await timed(SAMPLES.callback, async (i) => {
          const response = await fetch(`${stack.url}/api/payments/wechat/notify`, { method: 'POST', headers: deliveries[i]!.headers, body: deliveries[i]!.raw });
          if (response.status !== 204) throw new Error(`growth callback answered ${response.status} ${await response.text()}`);
        }),
      );
      timings.sweep.push(await timed(SAMPLES.sweep, () => runExpirySweep(jobs.context).then(() => undefined)));
      ctx.log(`growth ${size}: ${Object.entries(timings).map(([name, values]) => `${name} ${ms(values.at(-1)!)}`).join(', ')}`);
      measured.push(size);
      if (Object.values(timings).some((values) => values.at(-1)! > GIVE_UP_MS)) {
        ctx.log(`growth: measuring stops at ${size} orders, a request took over ${ms(GIVE_UP_MS)}`);
        gaveUp = true;
      }
    }

    const sizeLabel = measured.map((size) => `${size / 1000}k`).join(' → ');
    const complete = measured.length === sizes.length;
    const skipped = complete ? '' : ` (${sizes.slice(measured.length).map((size) => `${size / 1000}k`).join(', ')} not measured: too slow)`;
    const target = sizes.at(-1)!;
    ctx.row({
      section: SECTION,
      figure: `bulk load ${target / 1000}k orders (insertMany, 1,000 a batch, with their stock holds)`,
      value: `${loaded < target ? `only ${loaded} in ` : ''}${(loadMs / 1000).toFixed(1)} s (${Math.round(loaded / (loadMs / 1000))} orders/s)`,
      target: '< 2 min',
      verdict: verdict(loaded >= target && loadMs < LOAD_TARGET_MS),
    });
    for (const measure of Object.keys(SAMPLES) as Measure[]) {
      const values = timings[measure];
      const growth = values.at(-1)! / values[0]!;
      const flat = growth <= 1.5;
      const lookupOk = measure !== 'lookup' || values.every((value) => value < 5);
      ctx.row({
        section: SECTION,
        figure: `${LABELS[measure]}, median, ${sizeLabel} stored`,
        value: `${values.map(ms).join(' → ')} (${growth.toFixed(2)}×)${skipped}`,
        target: measure === 'lookup' ? '≤ 1.5×, < 5 ms' : '≤ 1.5×',
        verdict: verdict(complete && flat && lookupOk),
      });
    }
    ctx.record('growth', { sizes, measured, loadMs, timings });
  } finally {
    await container?.dispose();
    await stack.stop();
  }
}

/** A real order, placed, prepaid and paid through the simulator; the model for every bulk-loaded one. */
async function paidOrder(stack: Stack, shopper: { token: string; addressId: string }, boxId: string): Promise<string> {
  const order = await placeAndPrepay(stack.url, shopper, boxId);
  await call(stack.simulatorUrl, 'POST', '/sim/pay', { prepayId: order.prepayId, result: 'SUCCESS' }, undefined, 200);
  if (!(await waitFor(async () => (await stack.db.fulfilledCount([order.orderId])) === 1, 30_000))) throw new Error('the template order was not fulfilled');
  return order.orderId;
}
