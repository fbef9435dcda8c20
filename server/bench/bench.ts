import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Types } from 'mongoose';
import { ensureDevCredentials } from '../dev/credentials';
import { startEngine, type EngineHandle } from '../dev/engine';
import { dataDir, repoRoot } from '../dev/paths';
import { signedCallbacks } from '../dev/signed-callbacks';
import { call, makeShopper, startBenchStack, type BenchStack, type Shopper } from './stack';
import { runLoad, type LoadResult } from './load';
import { measureGrowth, type GrowthRow } from './growth';
import { miniappMainPackageKb } from './miniapp-size';

const benchDir = path.join(dataDir, 'bench');
const credentialsDir = path.join(benchDir, 'wechatpay-dev');
const LEVELS = [1, 10, 50] as const;
/**
 * Callbacks per concurrency level, sized so each level runs ≈5 s on 2 cores with the embedded engine (which
 * serialises writes: a few dozen fulfilments per second). BENCH_SCALE multiplies them for faster databases.
 */
const SCALE = Math.max(0.1, Number(process.env.BENCH_SCALE ?? 1) || 1);
const CALLBACKS_PER_LEVEL: Record<(typeof LEVELS)[number], number> = { 1: Math.round(20 * SCALE), 10: Math.max(10, Math.round(30 * SCALE)), 50: Math.max(50, Math.round(50 * SCALE)) };

type Row = { section: string; metric: string; value: string; target?: string; verdict?: 'PASS' | 'FAIL' };
const rows: Row[] = [];
const results: Record<string, unknown> = {};
const t0 = Date.now();
const log = (line: string) => process.stderr.write(`[bench +${((Date.now() - t0) / 1000).toFixed(1)}s] ${line}\n`);
const ms = (value: number) => `${value.toFixed(1)} ms`;
const verdict = (ok: boolean): 'PASS' | 'FAIL' => (ok ? 'PASS' : 'FAIL');

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function shoppers(stack: BenchStack, prefix: string, count: number): Promise<Shopper[]> {
  const list: Shopper[] = [];
  await pool(Array.from({ length: count }, (_, i) => i), 10, async (i) => {
    list.push(await makeShopper(stack.url, `dev-bench-${prefix}${i}`));
  });
  return list;
}

async function boxIds(stack: BenchStack): Promise<string[]> {
  const { body } = await call<{ items: Array<{ id: string }> }>(stack.url, 'GET', '/api/boxes?pageSize=50', undefined, undefined, 200);
  return body.items.map((box) => box.id);
}

/** Stock is not what is being measured, so it must never run out mid-phase. */
async function plentyOfStock(stack: BenchStack): Promise<void> {
  await stack.container.db.collection('boxes').updateMany({}, { $set: { stock: 10_000_000 } });
}

async function orderPhase(stack: BenchStack, buyers: Shopper[], boxes: string[]): Promise<void> {
  for (const connections of [10, 50]) {
    const result = await runLoad({ url: stack.url, connections, durationSeconds: 5, scenario: { kind: 'orders', shoppers: buyers, boxIds: boxes, pay: true } });
    results[`orders@${connections}`] = result;
    const ok = (result.statuses['201'] ?? 0) + (result.statuses['200'] ?? 0);
    log(`orders@${connections}: ${JSON.stringify(result.statuses)}`);
    rows.push({ section: 'Order create + JSAPI prepay', metric: `c=${connections} req/s (create+prepay requests, ${ok}/${result.requests} ok)`, value: result.rps.toFixed(0) });
    rows.push({
      section: 'Order create + JSAPI prepay',
      metric: `c=${connections} p50 / p99`,
      value: `${ms(result.p50)} / ${ms(result.p99)}`,
      ...(connections === 50 ? { target: 'p99 < 100 ms', verdict: verdict(result.p99 < 100) } : {}),
    });
  }
}

interface PendingOrder {
  _id: Types.ObjectId;
  totalFen: number;
  outTradeNo: string;
  openid: string;
}

async function pendingOrders(stack: BenchStack): Promise<PendingOrder[]> {
  const docs = await stack.container.db
    .collection('orders')
    .find({ status: 'TO_BE_PAID', 'payment.current.prepayId': { $ne: null } }, { projection: { totalFen: 1, openid: 1, 'payment.current.outTradeNo': 1 } })
    .toArray();
  return docs.map((doc) => ({
    _id: doc._id as unknown as Types.ObjectId,
    totalFen: doc.totalFen as number,
    outTradeNo: (doc.payment as { current: { outTradeNo: string } }).current.outTradeNo,
    openid: doc.openid as string,
  }));
}

async function topUpPendingOrders(stack: BenchStack, buyers: Shopper[], boxes: string[], needed: number): Promise<void> {
  let have = (await pendingOrders(stack)).length;
  if (have >= needed) return;
  // Orders the load phase created but never got to prepay for are the cheapest to complete.
  const unpaid = await stack.container.db.collection('orders').find({ status: 'TO_BE_PAID', 'payment.current': null }, { projection: { userId: 1 } }).limit(needed - have).toArray();
  const tokenOf = new Map<string, string>();
  for (const buyer of buyers) tokenOf.set(String(JSON.parse(Buffer.from(buyer.token.split('.')[1] ?? '', 'base64url').toString('utf8') || '{}').sub), buyer.token);
  log(`prepaying ${unpaid.length} orders left unpaid by the load phase`);
  await pool(unpaid, 10, async (order) => {
    const token = tokenOf.get(String(order.userId));
    if (token) await call(stack.url, 'POST', `/api/orders/${String(order._id)}/pay/jsapi`, {}, token);
  });
  have = (await pendingOrders(stack)).length;
  if (have >= needed) return;
  log(`creating ${needed - have} more paid-for-later orders through the API`);
  await pool(Array.from({ length: needed - have }, (_, i) => i), 10, async (i) => {
    const buyer = buyers[i % buyers.length]!;
    const order = await call<{ id: string }>(stack.url, 'POST', '/api/orders', { items: [{ boxId: boxes[i % boxes.length], quantity: 1 }], addressId: buyer.addressId }, buyer.token, 201);
    await call(stack.url, 'POST', `/api/orders/${order.body.id}/pay/jsapi`, {}, buyer.token, 200);
  });
  have = (await pendingOrders(stack)).length;
  if (have < needed) throw new Error(`only ${have} pending orders, needed ${needed}`);
}

async function callbackPhase(stack: BenchStack, pending: PendingOrder[]): Promise<Record<number, LoadResult>> {
  const callbacks = await signedCallbacks(credentialsDir);
  // Signed ahead of time: RSA signing is the sender's cost, not the server's.
  const delivery = (order: PendingOrder, n: number) =>
    callbacks.signed(
      callbacks.envelope(
        callbacks.transaction(order.outTradeNo, order.totalFen, {
          transaction_id: `4200${Date.now()}${String(n).padStart(8, '0')}`.slice(0, 28),
          payer: { openid: order.openid },
        }),
      ),
    );

  const out: Record<number, LoadResult> = {};
  let offset = 0;
  for (const connections of LEVELS) {
    const slice = pending.slice(offset, offset + CALLBACKS_PER_LEVEL[connections]);
    offset += slice.length;
    const deliveries = slice.map((order, i) => delivery(order, offset + i));
    const result = await runLoad({ url: stack.url, connections, amount: deliveries.length, scenario: { kind: 'callbacks', deliveries } });
    const fulfilled = await stack.container.db.collection('orders').countDocuments({ _id: { $in: slice.map((order) => order._id) }, status: 'TO_BE_DELIVERED' });
    log(`callbacks@${connections}: ${JSON.stringify(result.statuses)}, ${fulfilled}/${slice.length} orders fulfilled`);
    results[`callbacks@${connections}`] = { ...result, fulfilled, sent: slice.length };
    out[connections] = result;
  }
  return out;
}

/**
 * The database work a fulfilling callback cannot avoid, done straight through the driver on look-alike
 * orders: read the order, guarded status flip with $set/$push, release the box hold.
 */
async function rawPhase(stack: BenchStack, template: Record<string, unknown>): Promise<Record<number, { rps: number; p50: number; p99: number }>> {
  const db = stack.container.db;
  const orders = db.collection('orders');
  const boxes = db.collection('boxes');
  const boxId = (template.items as Array<{ boxId: Types.ObjectId }>)[0]!.boxId;
  const out: Record<number, { rps: number; p50: number; p99: number }> = {};
  for (const connections of LEVELS) {
    const count = CALLBACKS_PER_LEVEL[connections];
    const ids = Array.from({ length: count }, () => new Types.ObjectId());
    for (let i = 0; i < ids.length; i += 500) {
      await orders.insertMany(ids.slice(i, i + 500).map((_id) => ({ ...template, _id, status: 'TO_BE_PAID' })));
      await boxes.updateOne({ _id: boxId }, { $push: { holds: { $each: ids.slice(i, i + 500).map((id) => `${id.toHexString()}:1`) } } } as never);
    }
    const latencies: number[] = [];
    const started = performance.now();
    await pool(ids, connections, async (id) => {
      const t0 = performance.now();
      const order = await orders.findOne({ _id: id });
      if (!order) throw new Error('raw order missing');
      const now = new Date();
      await orders.findOneAndUpdate(
        { _id: id, status: 'TO_BE_PAID' },
        {
          $set: { status: 'TO_BE_DELIVERED', paidAt: now, 'payment.transactionId': `raw-${id.toHexString()}`, 'payment.current': null, updatedAt: now },
          $push: { audit: { from: 'TO_BE_PAID', to: 'TO_BE_DELIVERED', reason: 'raw', actor: 'bench', at: now } },
        } as never,
        { returnDocument: 'after' },
      );
      const hold = `${id.toHexString()}:1`;
      await boxes.updateOne({ _id: boxId, holds: hold }, { $pull: { holds: hold } } as never);
      latencies.push(performance.now() - t0);
    });
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    out[connections] = { rps: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
    log(`raw@${connections}: ${out[connections]!.rps.toFixed(0)} ops/s`);
  }
  results.raw = out;
  return out;
}

async function oversellPhase(stack: BenchStack, buyers: Shopper[], boxId: string): Promise<void> {
  const box = new Types.ObjectId(boxId);
  await stack.container.db.collection('boxes').updateOne({ _id: box }, { $set: { stock: 10, holds: [] } });
  const result = await runLoad({ url: stack.url, connections: 500, amount: 500, scenario: { kind: 'orders', shoppers: buyers, boxIds: [boxId], pay: false } });
  const created = result.statuses['201'] ?? 0;
  const after = await stack.container.db.collection('boxes').findOne({ _id: box });
  log(`oversell: ${JSON.stringify(result.statuses)}, stock left ${String(after?.stock)}`);
  results.oversell = { ...result, created, stockLeft: after?.stock };
  rows.push({ section: 'Oversell', metric: '500 concurrent orders for 10 units → succeeded', value: `${created} (stock left ${String(after?.stock)})`, target: 'exactly 10', verdict: verdict(created === 10 && after?.stock === 0) });
}

/** Polls until `done` says yes; returns the milliseconds since `started`. */
async function msUntil(started: number, done: () => Promise<boolean>, what: string): Promise<number> {
  const deadline = started + 30_000;
  while (performance.now() < deadline) {
    if (await done()) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} not reached after 30 s`);
}

async function convergencePhase(mongodbUri: string): Promise<void> {
  const stack = await startBenchStack({
    mongodbUri,
    credentialsDir,
    dbName: `bench_conv_${Date.now()}`,
    env: { JOBS: 'inline', RECONCILE_INTERVAL_SECONDS: '1', RECONCILE_GRACE_SECONDS: '1', EXPIRY_SWEEP_INTERVAL_SECONDS: '1', JOBS_POLL_INTERVAL_MS: '200' },
  });
  try {
    const buyer = await makeShopper(stack.url, 'dev-bench-conv');
    const [boxId] = await boxIds(stack);
    const statusOf = async (orderId: string) => (await call<{ status: string }>(stack.url, 'GET', `/api/orders/${orderId}`, undefined, buyer.token, 200)).body.status;
    const placeAndPrepay = async () => {
      const order = await call<{ id: string }>(stack.url, 'POST', '/api/orders', { items: [{ boxId, quantity: 1 }], addressId: buyer.addressId }, buyer.token, 201);
      const pay = await call<{ package: string }>(stack.url, 'POST', `/api/orders/${order.body.id}/pay/jsapi`, {}, buyer.token, 200);
      return { orderId: order.body.id, prepayId: pay.body.package.replace('prepay_id=', '') };
    };

    await call(stack.simulatorUrl, 'POST', '/sim/faults', { dropNext: 1000 }, undefined, 200);
    const paidTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { orderId, prepayId } = await placeAndPrepay();
      const started = performance.now();
      await call(stack.simulatorUrl, 'POST', '/sim/pay', { prepayId, result: 'SUCCESS' }, undefined);
      paidTimes.push(await msUntil(started, async () => (await statusOf(orderId)) === 'TO_BE_DELIVERED', `order ${orderId} paid`));
    }
    await call(stack.simulatorUrl, 'DELETE', '/sim/faults', undefined, undefined, 200);

    // Expiry is forced by moving expiresAt to now; the expiry sweep (every second here) must close both ends.
    const closedTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { orderId } = await placeAndPrepay();
      const started = performance.now();
      await stack.container.db.collection('orders').updateOne({ _id: new Types.ObjectId(orderId) }, { $set: { expiresAt: new Date() } });
      closedTimes.push(
        await msUntil(
          started,
          async () =>
            (await statusOf(orderId)) === 'CLOSED' &&
            (await call<{ trade_state: string }>(stack.simulatorUrl, 'GET', `/sim/transactions/${orderId}_1`, undefined, undefined, 200)).body.trade_state === 'CLOSED',
          `order ${orderId} closed`,
        ),
      );
    }

    paidTimes.sort((a, b) => a - b);
    closedTimes.sort((a, b) => a - b);
    results.convergence = { paidToDeliveredMs: paidTimes, expiredToClosedMs: closedTimes };
    rows.push({
      section: 'Convergence',
      metric: 'callbacks dropped: /sim/pay → TO_BE_DELIVERED by reconciliation (3 orders, grace 1 s, interval 1 s)',
      value: `median ${ms(percentile(paidTimes, 50))}, max ${ms(paidTimes[paidTimes.length - 1] ?? 0)}`,
    });
    rows.push({
      section: 'Convergence',
      metric: 'no payment: expiry → CLOSED here and at WeChat (3 orders, sweep every 1 s)',
      value: `median ${ms(percentile(closedTimes, 50))}, max ${ms(closedTimes[closedTimes.length - 1] ?? 0)}`,
    });
  } finally {
    await stack.stop();
  }
}

function printTable(): string {
  const header = ['Section', 'Metric', 'Value', 'Target', ''];
  const body = rows.map((row) => [row.section, row.metric, row.value, row.target ?? '', row.verdict ?? '']);
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...body.map((line) => line[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

let engine: EngineHandle | null = null;

async function main(): Promise<void> {
  const startedAt = new Date();
  fs.mkdirSync(benchDir, { recursive: true });
  await ensureDevCredentials(credentialsDir);
  let mongodbUri = process.env.MONGODB_URI;
  if (!mongodbUri) {
    engine = await startEngine({ dataDir: path.join(benchDir, 'engine'), log });
    mongodbUri = engine.uri;
  }
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    memoryGb: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    database: engine ? 'embedded FerretDB (SQLite)' : 'MONGODB_URI',
  };
  results.machine = machine;
  let stack: BenchStack | null = null;
  try {
    stack = await startBenchStack({ mongodbUri, credentialsDir, dbName: `bench_${Date.now()}` });
    const buyers = await shoppers(stack, '', 50);
    const boxes = await boxIds(stack);
    await plentyOfStock(stack);

    log('order create + JSAPI prepay');
    await orderPhase(stack, buyers, boxes);

    log('callbacks');
    const needed = LEVELS.reduce((sum, level) => sum + CALLBACKS_PER_LEVEL[level], 0);
    await topUpPendingOrders(stack, buyers, boxes, needed);
    const pending = (await pendingOrders(stack)).slice(0, needed);
    const template = await stack.container.db.collection('orders').findOne({ _id: pending[0]!._id });
    if (!template) throw new Error('no template order');
    const ours = await callbackPhase(stack, pending);
    log('raw driver operations');
    const raw = await rawPhase(stack, template);
    for (const level of LEVELS) {
      const mine = ours[level]!;
      const theirs = raw[level]!;
      const ratio = mine.rps / theirs.rps;
      const fulfilled = (results[`callbacks@${level}`] as { fulfilled: number; sent: number });
      rows.push({
        section: 'Callback path',
        metric: `c=${level} notifications/s (${mine.statuses['204'] ?? 0}×204, ${fulfilled.fulfilled}/${fulfilled.sent} fulfilled)`,
        value: mine.rps.toFixed(0),
      });
      rows.push({
        section: 'Callback path',
        metric: `c=${level} p50 / p99`,
        value: `${ms(mine.p50)} / ${ms(mine.p99)}`,
        ...(level === 50 ? { target: 'p99 < 50 ms', verdict: verdict(mine.p99 < 50) } : {}),
      });
      rows.push({ section: 'Callback path', metric: `c=${level} raw driver ops/s (p50 / p99)`, value: `${theirs.rps.toFixed(0)} (${ms(theirs.p50)} / ${ms(theirs.p99)})` });
      rows.push({ section: 'Callback path', metric: `c=${level} ratio ours/raw`, value: ratio.toFixed(2), target: '≥ 0.5', verdict: verdict(ratio >= 0.5) });
    }

    log('oversell');
    await oversellPhase(stack, buyers, boxes[0]!);
  } finally {
    await stack?.stop().catch((error: unknown) => log(`stop failed: ${String(error)}`));
  }

  try {
    log('convergence');
    await convergencePhase(mongodbUri);
  } catch (error) {
    log(`convergence skipped: ${String(error)}`);
    rows.push({ section: 'Convergence', metric: 'callbacks dropped → TO_BE_DELIVERED', value: `skipped: ${String(error).slice(0, 80)}` });
  }

  try {
    log('growth');
    const growth: GrowthRow[] = await measureGrowth(mongodbUri, log);
    results.growth = growth;
    for (const row of growth) {
      rows.push({ section: 'Growth', metric: `reconciliation query, ${row.historical} historical + ${row.pending} pending`, value: `median ${ms(row.medianMs)} (${row.plan})` });
    }
  } catch (error) {
    log(`growth skipped: ${String(error)}`);
    rows.push({ section: 'Growth', metric: 'reconciliation query', value: `skipped: ${String(error).slice(0, 80)}` });
  }

  const size = miniappMainPackageKb(path.join(repoRoot, 'miniapp', 'dist', 'weapp'));
  results.miniapp = size;
  rows.push({ section: 'Mini-program', metric: 'weapp main package', value: size === null ? 'not built' : `${size.toFixed(1)} KB`, target: '≤ 512 KB', verdict: size === null ? undefined : verdict(size <= 512) });

  await engine?.stop();
  rows.push({ section: 'Machine', metric: `${machine.cpus} × ${machine.cpu}`, value: `${machine.memoryGb} GB, node ${machine.node}, ${machine.database}` });
  const table = printTable();
  process.stdout.write(`\n${table}\n`);
  const file = path.join(benchDir, `results-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify({ startedAt, finishedAt: new Date(), rows, results }, null, 2));
  log(`written ${path.relative(repoRoot, file)}`);
}

// An interrupted run must not leave the engine process behind.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    void (engine?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

// The worker threads and pools are all awaited; exit explicitly so a lingering socket cannot keep the run alive.
main().then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error(error);
    await engine?.stop().catch(() => undefined);
    process.exit(1);
  },
);
