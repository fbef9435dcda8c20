import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import mongoose from 'mongoose';
import { startEngine } from './engine';

/**
 * Engine-only micro-benchmark for the query shapes the shop depends on, on a collection of DOCS documents:
 * findOne by _id, a guarded update by {_id, status}, a lookup by an indexed string, and a range + sort on an
 * indexed date. Usage: `tsx server/dev/engine-bench.ts [docs] [seconds-per-shape] [concurrency]`.
 * Set ENGINE_URI to measure an engine (or MongoDB) that is already running, and ENGINE_PID to also report the
 * engine's CPU time per operation (less sensitive than ops/s to whatever else the machine is doing).
 */

const docs = Number(process.argv[2] ?? 100_000);
const seconds = Number(process.argv[3] ?? 3);
const concurrency = Number(process.argv[4] ?? 10);
const { ObjectId } = mongoose.mongo;

/** CPU time (user + system) of a process so far, in microseconds; Linux only. */
function cpuMicros(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}

let enginePid: number | undefined;

async function measure(name: string, op: (i: number) => Promise<unknown>, workers = concurrency): Promise<void> {
  const cpuBefore = enginePid ? cpuMicros(enginePid) : 0;
  let done = 0;
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < deadline) await op(done++);
    }),
  );
  const rate = done / ((Date.now() - started) / 1000);
  const cpu = enginePid ? `  ${((cpuMicros(enginePid) - cpuBefore) / done).toFixed(0).padStart(6)} µs engine CPU/op` : '';
  console.log(`${name.padEnd(34)} ${rate.toFixed(1).padStart(9)} ops/s${cpu}`);
}

async function main(): Promise<void> {
  const dir = process.env.ENGINE_URI ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'engine-bench-'));
  const engine = dir ? await startEngine({ dataDir: dir, log: () => undefined }) : null;
  enginePid = dir
    ? (JSON.parse(fs.readFileSync(path.join(dir, 'engine.json'), 'utf8')) as { pid: number }).pid
    : process.env.ENGINE_PID ? Number(process.env.ENGINE_PID) : undefined;
  const client = await new mongoose.mongo.MongoClient(process.env.ENGINE_URI ?? engine!.uri, { maxPoolSize: 100 }).connect();
  try {
    const db = client.db(`bench_${Date.now()}`);
    const orders = db.collection('orders');
    await orders.createIndexes([
      { key: { outTradeNo: 1 }, unique: true },
      { key: { userId: 1, createdAt: -1 } },
      { key: { createdAt: 1 } },
      { key: { status: 1, expiresAt: 1 } },
    ]);
    const ids: InstanceType<typeof ObjectId>[] = [];
    const t0 = Date.now();
    const base = Date.UTC(2026, 0, 1);
    for (let start = 0; start < docs; start += 1000) {
      const batch = Array.from({ length: Math.min(1000, docs - start) }, (_, k) => {
        const n = start + k;
        const _id = new ObjectId();
        ids.push(_id);
        return {
          _id,
          userId: `user-${n % 5000}`,
          outTradeNo: `${_id.toHexString()}_1`,
          status: n % 10 === 0 ? 'TO_BE_PAID' : 'TO_BE_DELIVERED',
          createdAt: new Date(base + n * 1000),
          expiresAt: new Date(base + n * 1000 + 900_000),
          amountFen: 5900,
          items: [{ boxId: 'box-1', quantity: 1, priceFen: 5900 }],
          audit: [{ at: new Date(base + n * 1000), from: null, to: 'TO_BE_PAID' }],
        };
      });
      await orders.insertMany(batch, { ordered: false });
    }
    console.log(`loaded ${docs} orders in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${concurrency} concurrent, ${seconds} s per shape`);
    const pick = (i: number) => ids[(i * 7919) % ids.length]!;
    const guarded = ids.filter((_, n) => n % 10 === 0);

    await measure('findOne by _id', (i) => orders.findOne({ _id: pick(i) }));
    await measure('guarded update {_id, status}', (i) =>
      orders.updateOne({ _id: guarded[(i * 7919) % guarded.length]!, status: 'TO_BE_PAID' }, { $set: { touchedAt: new Date() } }),
    );
    await measure('findOne by indexed string', (i) => orders.findOne({ outTradeNo: `${pick(i).toHexString()}_1` }));
    await measure('range + sort on indexed date', (i) => {
      const from = new Date(base + ((i * 7919) % docs) * 1000);
      return orders
        .find({ createdAt: { $gte: from, $lt: new Date(from.getTime() + 20_000) } })
        .sort({ createdAt: 1 })
        .limit(10)
        .toArray();
    });

    // Writes to two collections of one database at 50 concurrent: what the write queue's granularity decides.
    const holds = db.collection('holds');
    await holds.insertMany(Array.from({ length: 1000 }, (_, n) => ({ _id: `hold-${n}` as never, state: 'HELD', quantity: 1 })));
    await measure(
      'guarded updates, 2 collections, c=50',
      (i) =>
        i % 2 === 0
          ? orders.updateOne({ _id: guarded[(i * 7919) % guarded.length]!, status: 'TO_BE_PAID' }, { $set: { touchedAt: new Date() } })
          : holds.updateOne({ _id: `hold-${(i * 7919) % 1000}` as never, state: 'HELD' }, { $set: { updatedAt: new Date() } }),
      50,
    );
    await db.dropDatabase();
  } finally {
    await client.close();
    await engine?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
