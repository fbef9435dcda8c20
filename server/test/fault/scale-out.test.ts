import type { Coupon } from '@blindbox/shared';
import { loadConfig } from '../../src/config';
import { createContainer, type Container } from '../../src/container';
import { createLogger } from '../../src/logger';
import { seedCatalog } from '../../src/catalog/seed';
import { startSimulator } from '../../simulator/src/simulator';
import { freePort } from '../../dev/free-port';
import { loginAt, type TestServer } from '../support/test-server';
import { testEnv, uniqueDbName } from '../support/test-env';
import { spawnEntry, type SpawnedProcess } from '../support/server-process';
import { payAtSimulator, simulatorControl } from '../support/shop';
import { waitUntil } from '../support/wechatpay-harness';
import { JOB_TEST_ENV, boxState, prepayIdOf } from '../support/job-test-support';
import { JOBS_COLLECTION } from '../../src/jobs/agenda-scheduler';
import { jobsDatabase } from '../../src/db/databases';
import { orderModel } from '../../src/orders/order.model';
import { Types } from 'mongoose';
import { couponModel } from '../../src/coupons/coupon.model';
import { buyer, ordersByIds, sleep } from './fault-support';
import { inParallel } from '../support/in-parallel';
import { wechatCallbacks, deliverLikeWeChat } from '../support/wechat-callbacks';

/**
 * The production shape, in real processes: two HTTP servers (`npm run server`; the first also runs jobs, the
 * second only schedules them) and one job worker (`npm run worker`), all on one database and one WeChat. Jobs
 * therefore race between two processes, and nothing one process keeps in memory can help another: what must
 * be shared (job locks, rate limits, the payment-query slots) has to be in the database.
 */
// 90 rather than the 200 to stay within the suite's time budget on 2 cores: the test engine has a
// single writer; 120 take ~50 s alone and ~80 s beside other files, 200 take 90–140 s. FAULT_SCALE_ORDERS=200 runs the full number.
const ORDERS = Number(process.env.FAULT_SCALE_ORDERS ?? 90);
const LOGINS_PER_MINUTE = 20;
const dbName = uniqueDbName('faultscale');
let simulator: Awaited<ReturnType<typeof startSimulator>> | undefined;
/** In this process, jobs never started: the test's reads and its "time has passed" shortcuts. */
let observer: Container | undefined;
let processes: SpawnedProcess[] = [];
let servers: TestServer[] = [];
/** Servers in processes of their own run on the system clock: nothing here can move it. */
const unmovable = () => {
  throw new Error('a server in its own process runs on the system clock');
};
const processClock: TestServer['clock'] = {
  now: () => new Date(),
  setTo: unmovable,
  freezeAt: unmovable,
  reset: () => undefined,
};

beforeAll(async () => {
  const { mongodbUri, credentialsDir } = testEnv();
  simulator = await startSimulator({ credentialsDir, port: 0, timeScale: 0.001 });
  const simulatorUrl = simulator.url;
  const ports = [await freePort(), await freePort()];
  // Agenda polls with one findAndModify per job name; five definitions × two processes every 100 ms
  // (JOB_TEST_ENV) keep the single-writer test engine busy enough to slow everything else down.
  const env = (port: number, jobs: 'inline' | 'off', logLevel = 'warn') => ({
    ...JOB_TEST_ENV,
    JOBS: jobs,
    JOBS_POLL_INTERVAL_MS: '1000',
    NODE_ENV: 'test',
    LOG_LEVEL: logLevel,
    HOST: '127.0.0.1',
    PORT: String(port),
    MONGODB_URI: mongodbUri,
    MONGODB_DB: dbName,
    SESSION_SECRET: 'scale-out-session-secret-long-enough',
    WECHATPAY_BASE_URL: simulatorUrl,
    WECHAT_LOGIN_BASE_URL: simulatorUrl,
    WECHATPAY_CREDENTIALS_DIR: credentialsDir,
    WECHATPAY_NOTIFY_URL: `http://127.0.0.1:${port}/api/payments/wechat/notify`,
    WECHATPAY_TIMEOUT_MS: '3000',
    TRUSTED_PROXY_HOPS: '1',
    RATE_LIMIT_LOGIN_PER_MINUTE: String(LOGINS_PER_MINUTE),
    RATE_LIMIT_ORDERS_PER_MINUTE: '0',
    // A few shoppers place all the orders; the per-shopper limit has tests of its own.
    PURCHASE_LIMIT_PER_BOX: '1000',
  });
  const observerConfig = loadConfig(env(0, 'off', 'silent'));
  observer = await createContainer(observerConfig, createLogger(observerConfig));
  await seedCatalog(observer.db, observer.fairness.seeds);
  processes = [
    spawnEntry('server/src/main.ts', env(ports[0]!, 'inline')),
    spawnEntry('server/src/main.ts', env(ports[1]!, 'off')),
    spawnEntry('server/src/jobs/worker.ts', env(0, 'inline', 'info')),
  ];
  const container = observer;
  servers = ports.map((port) => {
    const url = `http://127.0.0.1:${port}`;
    return { url, simulatorUrl, container, clock: processClock, login: (code: string) => loginAt(url, code), stop: async () => undefined };
  });
  for (const server of servers) {
    await waitUntil(async () => ((await fetch(`${server.url}/readyz`).catch(() => null))?.ok ? true : null), 60_000, `${server.url} to be ready`);
  }
  await waitUntil(() => (processes[2]!.output().includes('job worker running') ? true : null), 60_000, 'the worker to run');
}, 120_000);

afterAll(async () => {
  await Promise.all(processes.map((child) => child.stop()));
  await observer?.db.dropDatabase().catch(() => undefined);
  await observer?.dispose();
  await simulator?.stop();
});

type Fate = 'paid' | 'abandoned' | 'dropped';

test(`${ORDERS} orders over two server processes and a worker: paid (delivered to both at once), abandoned and callback-dropped all end right, each once`, async () => {
  const [first, second] = servers as [TestServer, TestServer];
  const sim = first.simulatorUrl;
  const buyers = await Promise.all(Array.from({ length: 10 }, (_, i) => buyer(i % 2 === 0 ? first : second, `dev-scale-fault-${i}`)));
  const boxes = (await buyers[0]!.api.get<{ items: Array<{ id: string }> }>('/api/boxes')).body.items.slice(0, 3).map((box) => box.id);
  const initial = new Map(await Promise.all(boxes.map(async (id) => [id, (await boxState(first, id)).stock] as const)));

  // Each buyer places its share in turn (buyers in parallel); its first order uses its welcome coupon.
  const plan = Array.from({ length: ORDERS }, (_, i) => ({
    who: i % buyers.length,
    fate: (['paid', 'abandoned', 'dropped'] as const)[i % 3] as Fate,
    boxId: boxes[i % boxes.length]!,
    quantity: (i % 2) + 1,
    // Half the abandoned orders never reach the pay sheet, half leave an open WeChat transaction to close.
    prepay: i % 3 !== 1 || i % 2 === 0,
    withCoupon: i < buyers.length,
  }));
  const couponOf = new Map(
    await Promise.all(buyers.map(async (b, i) => [i, (await b.api.get<{ items: Coupon[] }>('/api/coupons')).body.items[0]!.id] as const)),
  );
  const placed = await inParallel(buyers, buyers.length, async (b, who) => {
    const mine = [];
    for (const step of plan.filter((p) => p.who === who)) {
      const order = await b.orderNow([{ boxId: step.boxId, quantity: step.quantity }], step.withCoupon ? couponOf.get(who) : undefined);
      const prepayId = step.prepay ? prepayIdOf((await b.payJsapi(order.id)).package) : null;
      mine.push({ ...step, id: order.id, prepayId, couponId: step.withCoupon ? couponOf.get(who)! : null });
    }
    return mine;
  }).then((lists) => lists.flat());
  const ofFate = (fate: Fate) => placed.filter((order) => order.fate === fate);

  // Normal payments: callbacks delivered to whichever server the order was placed on. Then each one again,
  // re-signed as WeChat's retries are, to both servers at once.
  await inParallel(ofFate('paid'), 10, (order) => payAtSimulator(sim, order.prepayId!));
  const cb = await wechatCallbacks();
  const redeliveries = await Promise.all(
    ofFate('paid').map(async (order) => {
      const { sim: _sim, ...tx } = (await simulatorControl(sim, 'GET', `/sim/transactions/${order.id}_1`)) as Record<string, unknown>;
      return cb.envelope(tx);
    }),
  );
  const duplicateAnswers = await inParallel(
    redeliveries,
    6,
    async (event) => Promise.all([first, second].map((server) => deliverLikeWeChat(server.url, () => cb.signed(event)))),
  );
  // Every delivery is accepted in the end; on the way, only "busy, retry" (another order of the shopper
  // holding the draw counter longer than GUARANTEE_WAIT_MS on a loaded machine), never a refusal.
  expect(new Set(duplicateAnswers.flat().map((answers) => answers.at(-1)))).toEqual(new Set([204]));
  expect(duplicateAnswers.flat(2).filter((status) => status !== 204 && status !== 503)).toEqual([]);
  // Then every callback is lost (retries included) for the next group: only reconciliation can find them.
  await simulatorControl(sim, 'POST', '/sim/faults', { dropNext: 1_000_000 });
  await inParallel(ofFate('dropped'), 10, (order) => payAtSimulator(sim, order.prepayId!));
  // Abandoned: their expiry comes (what expireInDb does, in one write for all of them); the sweeps close them.
  const abandoned = ofFate('abandoned').map((order) => order.id);
  await orderModel(first.container.db).updateMany(
    { _id: { $in: abandoned.map((id) => new Types.ObjectId(id)) } },
    { $set: { expiresAt: new Date(Date.now() - 1000) } },
  );
  const expected = (fate: Fate) => (fate === 'abandoned' ? 'CLOSED' : 'TO_BE_DELIVERED');
  const ids = placed.map((order) => new Types.ObjectId(order.id));
  await waitUntil(async () => {
    // A light probe, and not too often: the test engine has one writer and the workers need it.
    await sleep(400);
    const docs = await orderModel(first.container.db)
      .find({ _id: { $in: ids } }, { status: 1, releasedAt: 1 })
      .lean<Array<{ _id: Types.ObjectId; status: string; releasedAt: Date | null }>>();
    const byId = new Map(docs.map((doc) => [doc._id.toHexString(), doc]));
    return placed.every((order) => {
      const doc = byId.get(order.id);
      return doc?.status === expected(order.fate) && (order.fate !== 'abandoned' || doc.releasedAt !== null);
    })
      ? true
      : null;
  }, 90_000, 'every order to reach its final state');

  // Late callbacks for the reconciled payments now get through, and every job gets a few more rounds:
  // none of it may change anything.
  await simulatorControl(sim, 'DELETE', '/sim/faults');
  await waitUntil(async () => {
    const { pending } = (await simulatorControl(sim, 'POST', '/sim/notifications/flush')) as { pending: number };
    return pending === 0 ? true : null;
  }, 20_000, 'the dropped callbacks to be delivered late');
  await sleep(1_500);

  const final = new Map((await ordersByIds(second, placed.map((order) => order.id))).map((doc) => [doc._id.toHexString(), doc]));
  const sold = new Map(boxes.map((id) => [id, 0]));
  for (const order of placed) {
    const doc = final.get(order.id)!;
    const transitions = doc.audit.map((entry) => entry.to);
    if (order.fate === 'abandoned') {
      expect([order.id, transitions, doc.draws.length]).toEqual([order.id, ['TO_BE_PAID', 'CLOSED'], 0]);
      expect(doc.audit.at(-1)?.actor).toBe('job:expiry-sweep');
    } else {
      expect([order.id, transitions, doc.draws.length]).toEqual([order.id, ['TO_BE_PAID', 'TO_BE_DELIVERED'], order.quantity]);
      expect([order.id, doc.payment.extraTransactionIds, doc.refunds]).toEqual([order.id, [], []]);
      sold.set(order.boxId, sold.get(order.boxId)! + order.quantity);
      if (order.fate === 'dropped') expect([order.id, doc.audit.at(-1)?.actor]).toEqual([order.id, 'job:reconcile']);
    }
    if (order.prepayId) {
      const tx = (await simulatorControl(sim, 'GET', `/sim/transactions/${order.id}_1`)) as { trade_state: string };
      expect([order.id, tx.trade_state]).toEqual([order.id, order.fate === 'abandoned' ? 'CLOSED' : 'SUCCESS']);
    }
  }

  // Stock: each box lost exactly what was sold; closed orders gave theirs back once, paid ones hold none.
  for (const id of boxes) {
    const state = await boxState(first, id);
    expect([id, state.stock, state.holds]).toEqual([id, initial.get(id)! - sold.get(id)!, []]);
  }
  // Coupons follow their orders: spent by a paid one, back for a closed one.
  for (const order of placed.filter((o) => o.couponId)) {
    const coupon = (await couponModel(first.container.db).findById(order.couponId).lean())!;
    expect([order.id, coupon.state]).toEqual([order.id, order.fate === 'abandoned' ? 'AVAILABLE' : 'USED']);
  }
  // One repeating job of each kind whatever the number of processes, and the closed orders' jobs are done.
  const jobs = jobsDatabase(first.container.db).collection(JOBS_COLLECTION);
  for (const name of ['expiry-sweep', 'reconcile-payments', 'daily-reconciliation-report']) expect(await jobs.countDocuments({ name })).toBe(1);
  // No job per order.
  expect(await jobs.countDocuments({ 'data.orderId': { $in: abandoned } })).toBe(0);
  // All three processes are still up and none answered a request with a 5xx.
  expect(processes.map((child) => [child.child.exitCode, child.output().includes('"msg":"request failed"')])).toEqual(processes.map(() => [null, false]));

  // The login budget of one client address is one budget, whichever process the load balancer picks.
  const attempts = [];
  for (let i = 0; i < LOGINS_PER_MINUTE + 4; i += 1) {
    const response = await fetch(`${servers[i % 2]!.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.0.0.${i}, 198.51.100.77` },
      body: JSON.stringify({ code: 'invalid' }),
    });
    attempts.push(response.status);
  }
  expect(attempts).toEqual([...Array(LOGINS_PER_MINUTE).fill(401), 429, 429, 429, 429]);

}, 180_000);
