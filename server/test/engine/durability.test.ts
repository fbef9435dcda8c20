import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { isAlive, startEngine, type EngineHandle } from '../../dev/engine';
import { waitUntil } from '../support/wechatpay-harness';

/**
 * WAL + synchronous=NORMAL: a commit is in the WAL file before the engine acknowledges it, and the WAL
 * survives the process. So killing the engine (SIGKILL: no shutdown code runs) mid-burst loses no
 * acknowledged write. An OS crash or power loss is another matter (README, "Database engine").
 */

const { MongoClient } = mongoose.mongo;
const WORKERS = 20;

let dataDir: string;
let engine: EngineHandle | null = null;
beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-durability-'));
});
afterAll(async () => {
  await engine?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const enginePid = () => (JSON.parse(fs.readFileSync(path.join(dataDir, 'engine.json'), 'utf8')) as { pid: number }).pid;

test('SIGKILL mid-burst: after a restart on the same data folder every acknowledged write is there', async () => {
  if (process.env.MONGODB_URI) return;
  engine = await startEngine({ dataDir, log: () => undefined });
  const client = await new MongoClient(engine.uri, { maxPoolSize: WORKERS, retryWrites: false, serverSelectionTimeoutMS: 1_000 }).connect();
  const db = client.db('durability');
  await db.collection('counters').insertOne({ _id: 'hot' as never, n: 0 });

  const inserted: string[] = [];
  let increments = 0;
  let attemptedIncrements = 0;
  let killed = false;
  const pid = enginePid();
  const workers = Array.from({ length: WORKERS }, async (_, w) => {
    for (let i = 0; !killed; i++) {
      try {
        if (i % 2 === 0) {
          const id = `w${w}-${i}`;
          await db.collection('writes').insertOne({ _id: id as never, w, i, at: new Date() });
          inserted.push(id);
        } else {
          attemptedIncrements++;
          await db.collection('counters').updateOne({ _id: 'hot' as never }, { $inc: { n: 1 } });
          increments++;
        }
      } catch {
        return;
      }
      if (!killed && inserted.length + increments >= 600) {
        killed = true;
        process.kill(pid, 'SIGKILL');
      }
    }
  });
  await Promise.all(workers);
  await client.close(true);
  await waitUntil(() => (isAlive(pid) ? null : true), 5_000, 'the engine to die');
  expect(inserted.length).toBeGreaterThan(250);

  engine = await startEngine({ dataDir, log: () => undefined });
  const again = await new MongoClient(engine.uri).connect();
  try {
    const stored = await again.db('durability').collection('writes').find({}, { projection: { _id: 1 } }).toArray();
    const storedIds = new Set(stored.map((doc) => String(doc._id)));
    expect(inserted.filter((id) => !storedIds.has(id))).toEqual([]);
    const counter = await again.db('durability').collection('counters').findOne({ _id: 'hot' as never });
    expect(counter?.n).toBeGreaterThanOrEqual(increments);
    expect(counter?.n).toBeLessThanOrEqual(attemptedIncrements);
  } finally {
    await again.close();
  }
}, 60_000);
