import { startTestServer, type TestServer } from '../../test/support/test-server';
import { uniqueDbName } from '../../test/support/test-env';
import { shopper } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { jobsDatabase } from '../db/databases';
import { JOB_TEST_ENV, boxState, expireInDb, orderDoc, simTransaction } from '../../test/support/job-test-support';

// Two processes' worth of containers (each with Agenda processing inline) on one database and one WeChat.
let first: TestServer;
let second: TestServer;
const dbName = uniqueDbName('scale');
beforeAll(async () => {
  first = await startTestServer({ dbName, env: { ...JOB_TEST_ENV } });
  second = await startTestServer({ dbName, simulatorUrl: first.simulatorUrl, seed: false, env: { ...JOB_TEST_ENV } });
});
afterAll(async () => {
  await second?.stop();
  await first?.container.db.dropDatabase().catch(() => undefined);
  await first?.stop();
});

test('two workers close each expired order once and release its stock once', async () => {
  const shoppers = await Promise.all([shopper(first, 'dev-scale-a'), shopper(second, 'dev-scale-b')]);
  const box = await shoppers[0]!.firstBox();
  const before = await boxState(first, box.id);
  const orders = [];
  for (let i = 0; i < 6; i += 1) {
    const who = shoppers[i % 2]!;
    const order = await who.placeOrder([{ boxId: box.id, quantity: 1 }]);
    await who.payJsapi(order.id);
    orders.push(order);
  }
  expect((await boxState(first, box.id)).stock).toBe(before.stock - orders.length);

  // Both processes sweep for expired orders.
  for (const order of orders) await expireInDb(first, order.id);
  for (const order of orders) {
    await waitUntil(async () => {
      const current = await orderDoc(first, order.id);
      return current.status === 'CLOSED' && current.releasedAt ? current : null;
    }, 20_000, `order ${order.id} to close`);
  }
  // Give both processes' sweeps a few more rounds to (not) do anything twice.
  await new Promise((resolve) => setTimeout(resolve, 2_500));

  for (const order of orders) {
    const doc = await orderDoc(second, order.id);
    expect(doc.audit.filter((entry) => entry.to === 'CLOSED')).toHaveLength(1);
    expect((await simTransaction(first.simulatorUrl, doc.audit.length > 0 ? `${order.id}_1` : '')).trade_state).toBe('CLOSED');
  }
  const after = await boxState(first, box.id);
  expect(after.stock).toBe(before.stock);
  expect(after.holds).toEqual([]);

  // One repeating job of each kind, whatever the number of processes.
  const jobs = jobsDatabase(first.container.db).collection('agendaJobs');
  for (const name of ['expiry-sweep', 'reconcile-payments', 'daily-reconciliation-report']) {
    expect(await jobs.countDocuments({ name })).toBe(1);
  }
  const health = await second.container.jobs.health();
  expect(health.processing).toBe(true);
  expect(health.queues.find((queue) => queue.name === 'refund-order')?.running).toBe(0);
});
