import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Coupon } from '@blindbox/shared';
import { isAlive, startEngine, ping, type EngineHandle } from '../../dev/engine';
import { startTestServer, type TestServer } from '../support/test-server';
import { payAtSimulator, simulatorControl } from '../support/shop';
import { apiClient } from '../support/api-client';
import { waitUntil } from '../support/wechatpay-harness';
import { JOB_TEST_ENV, boxState, prepayIdOf } from '../support/job-test-support';
import { couponModel } from '../../src/coupons/coupon.model';
import { buyer, ordersByIds, sleep } from './fault-support';
import { SETTLE_GRACE_MS } from '../../src/jobs/expiry-sweep.job';

// An engine of our own (not the suite's shared one) that this file may kill and bring back on the same port
// and data folder. Jobs run inline with 1 s reconciliation, and the simulator's retries run at 1/100 speed
// (15 s → 150 ms), so both recovery paths get to work within the test.
let dataDir: string;
let engine: EngineHandle | null = null;
let port: number;
let server: TestServer;
const engineLog: string[] = [];

async function startOurEngine(): Promise<EngineHandle> {
  return startEngine({ dataDir, port, log: (line) => engineLog.push(line) });
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'blindbox-crash-'));
  engine = await startEngine({ dataDir, log: (line) => engineLog.push(line) });
  port = Number(new URL(engine.uri).port);
  server = await startTestServer({ env: { ...JOB_TEST_ENV, MONGODB_URI: engine.uri }, simulatorTimeScale: 0.01 });
}, 60_000);
// Stopping waits for settling still under way after the outage (its retries) and the jobs' shutdown.
afterAll(async () => {
  await server?.stop();
  await engine?.stop();
  await rm(dataDir, { recursive: true, force: true });
}, 120_000);

function enginePid(): number {
  return (JSON.parse(fs.readFileSync(path.join(dataDir, 'engine.json'), 'utf8')) as { pid: number }).pid;
}

test('the engine killed mid-burst and restarted: every paid order ends TO_BE_DELIVERED once, nothing lost or doubled', async () => {
  const buyers = await Promise.all(['dev-crash-a', 'dev-crash-b', 'dev-crash-c'].map((code) => buyer(server, code)));
  const box = await buyers[0]!.firstBox();
  const before = await boxState(server, box.id);

  // 24 orders of 1–3 units; each buyer spends its welcome coupon on its first, so coupon settlement is tested too.
  const placed: Array<{ id: string; quantity: number; prepayId: string; couponId: string | null }> = [];
  for (let i = 0; i < 24; i += 1) {
    const who = buyers[i % buyers.length]!;
    const quantity = (i % 3) + 1;
    const couponId = i < buyers.length ? ((await who.api.get<{ items: Coupon[] }>('/api/coupons')).body.items[0]?.id ?? null) : null;
    const order = await who.orderNow([{ boxId: box.id, quantity }], couponId ?? undefined);
    const params = await who.payJsapi(order.id);
    placed.push({ id: order.id, quantity, prepayId: prepayIdOf(params.package), couponId });
  }
  const sold = placed.reduce((sum, order) => sum + order.quantity, 0);

  // Payments arrive a few milliseconds apart; the engine dies a third of the way in, while callbacks for
  // the first ones are being applied and the rest are still to come.
  const pid = enginePid();
  let killedAt = 0;
  const paying = placed.map(async (order, i) => {
    await sleep(i * 15);
    if (i === 8) {
      process.kill(pid, 'SIGKILL');
      killedAt = Date.now();
    }
    await payAtSimulator(server.simulatorUrl, order.prepayId);
  });
  await Promise.all(paying);
  await waitUntil(() => (isAlive(pid) ? null : true), 5_000, 'the engine to die');
  expect(await ping(`mongodb://127.0.0.1:${port}/`, 300)).toBe(false);

  // Down long enough for callbacks to fail and be retried; the process keeps serving meanwhile.
  expect((await apiClient(server.url).get('/healthz')).status).toBe(200);
  await sleep(Math.max(0, killedAt + 2_000 - Date.now()));
  engine = await startOurEngine();
  expect(engine.reused).toBe(false);

  const settled = await waitUntil(async () => {
    const docs = await ordersByIds(server, placed.map((order) => order.id)).catch(() => []);
    return docs.length === placed.length && docs.every((doc) => doc.status === 'TO_BE_DELIVERED') ? docs : null;
  }, 45_000, 'every paid order to be fulfilled after the restart');

  // Let late retries, reconciliation and sweeps run over the settled orders a few more times.
  await sleep(2_000);
  const final = await ordersByIds(server, placed.map((order) => order.id));
  expect(final).toHaveLength(settled.length);
  for (const order of placed) {
    const doc = final.find((candidate) => candidate._id.toHexString() === order.id)!;
    expect([order.id, doc.status]).toEqual([order.id, 'TO_BE_DELIVERED']);
    expect([order.id, doc.draws.length]).toEqual([order.id, order.quantity]);
    expect([order.id, doc.audit.map((entry) => entry.to)]).toEqual([order.id, ['TO_BE_PAID', 'TO_BE_DELIVERED']]);
    expect([order.id, doc.payment.extraTransactionIds, doc.refunds]).toEqual([order.id, [], []]);
  }
  // The simulator agrees: one SUCCESS transaction per order, each delivered in the end.
  for (const order of placed) {
    const tx = (await simulatorControl(server.simulatorUrl, 'GET', `/sim/transactions/${order.id}_1`)) as { trade_state: string };
    expect([order.id, tx.trade_state]).toEqual([order.id, 'SUCCESS']);
  }

  // Every callback is acknowledged in the end: retries still pending are made due now (the schedule has
  // reached 6 s steps by this time), and each answer must be a 2xx.
  await waitUntil(async () => {
    const { pending } = (await simulatorControl(server.simulatorUrl, 'POST', '/sim/notifications/flush')) as { pending: number };
    return pending === 0 ? true : null;
  }, 20_000, 'every callback to be acknowledged');
  const notes = (await simulatorControl(server.simulatorUrl, 'GET', '/sim/notifications')) as {
    deliveries: Array<{ outTradeNo: string; status: string }>;
    attempts: Array<{ httpStatus: number | null }>;
  };
  expect(notes.deliveries.filter((delivery) => delivery.status !== 'delivered')).toEqual([]);
  // The outage was felt: some attempts failed (5xx, or no answer in time) and had to be retried.
  expect(notes.attempts.filter((attempt) => attempt.httpStatus === null || attempt.httpStatus >= 500).length).toBeGreaterThan(0);

  // Stock: exactly the units sold are gone, and no order is left holding any (a hold left behind means
  // the after-payment settlement was cut off by the crash and never finished). Settling after the answer tries
  // again for a while; what the outage outlasted is the expiry sweep's, once the order's settle mark is older
  // than SETTLE_GRACE_MS, so on a slow machine the holds may clear only then.
  const heldBy = (holds: string[]) => holds.filter((hold) => placed.some((order) => hold.startsWith(order.id)));
  await waitUntil(async () => (heldBy((await boxState(server, box.id)).holds).length === 0 ? true : null), SETTLE_GRACE_MS + 20_000, 'every paid order to settle its holds');
  const after = await boxState(server, box.id);
  expect(heldBy(after.holds)).toEqual([]);
  expect(after.stock).toBe(before.stock - sold);
  const coupons = await couponModel(server.container.db)
    .find({ _id: { $in: placed.flatMap((order) => (order.couponId ? [order.couponId] : [])) } })
    .lean();
  expect(coupons.map((coupon) => coupon.state)).toEqual(['USED', 'USED', 'USED']);

  // The server came through the outage: it still takes and fulfils new orders.
  const again = await buyers[0]!.orderNow([{ boxId: box.id, quantity: 1 }]);
  await payAtSimulator(server.simulatorUrl, prepayIdOf((await buyers[0]!.payJsapi(again.id)).package));
  await waitUntil(async () => ((await buyers[0]!.order(again.id)).status === 'TO_BE_DELIVERED' ? true : null), 15_000, 'a new order after the restart');
  expect((await apiClient(server.url).get('/readyz')).status).toBe(200);
}, 120_000 + SETTLE_GRACE_MS);
