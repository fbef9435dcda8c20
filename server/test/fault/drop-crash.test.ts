import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Types } from 'mongoose';
import type { Order } from '@blindbox/shared';
import { isAlive, startEngine, type EngineHandle } from '../../dev/engine';
import { startTestServer, type TestServer } from '../support/test-server';
import { payAtSimulator, prepayIdOf } from '../support/shop';
import { setStock } from '../support/stock';
import { waitUntil } from '../support/wechatpay-harness';
import { JOB_TEST_ENV } from '../support/job-test-support';
import { boxModel } from '../../src/catalog/box.model';
import { holdModel } from '../../src/catalog/stock.model';
import { stockDatabase } from '../../src/db/databases';
import { orderModel, type OrderDoc } from '../../src/orders/order.model';
import { isPaid } from '../../src/orders/order-state';
import { buyer, sleep } from './fault-support';

// An engine of this file's own, killed with SIGKILL while 40 shoppers race for 12 units and the first winners
// pay, then brought back on the same port and data folder. Jobs run inline, so the sweeps heal what the crash
// cut short.
const UNITS = 12;
let dataDir: string;
let engine: EngineHandle | null = null;
let port: number;
let server: TestServer;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'blindbox-drop-crash-'));
  engine = await startEngine({ dataDir, log: () => undefined });
  port = Number(new URL(engine.uri).port);
  server = await startTestServer({ env: { ...JOB_TEST_ENV, MONGODB_URI: engine.uri, PURCHASE_LIMIT_PER_BOX: '1' }, simulatorTimeScale: 0.01 });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await engine?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const enginePid = () => (JSON.parse(fs.readFileSync(path.join(dataDir, 'engine.json'), 'utf8')) as { pid: number }).pid;

test('the engine killed during a drop and restarted: stock, holds and orders add up, and no acknowledged payment is lost', async () => {
  const [created] = await boxModel(server.container.db).create([
    { slug: 'crash-drop', name: '限定', coverUrl: '/c.png', priceFen: 5000, paymentWindowMinutes: 5, products: [{ productId: 'x', name: 'X', rarity: 'SECRET', imageUrl: '/x.png', weight: 1 }] },
  ]);
  const boxId = created!._id.toHexString();
  await setStock(server, boxId, UNITS);
  const shoppers = await Promise.all(Array.from({ length: 40 }, (_, i) => buyer(server, `dev-drop-crash-${i}`)));

  // Everyone orders at once; winners prepay and pay as soon as they can; the engine dies in the middle.
  const pid = enginePid();
  const paid: string[] = [];
  const race = shoppers.map(async (shopper, i) => {
    await sleep(i * 5);
    const placed = await shopper.api.post<Order>('/api/orders', { items: [{ boxId, quantity: 1 }], addressId: shopper.addressId }).catch(() => null);
    if (placed?.status !== 201) return;
    const pay = await shopper.api.post<{ package: string }>(`/api/orders/${placed.body.id}/pay/jsapi`).catch(() => null);
    if (pay?.status !== 200) return;
    await payAtSimulator(server.simulatorUrl, prepayIdOf(pay.body.package));
    paid.push(placed.body.id);
  });
  await sleep(120);
  process.kill(pid, 'SIGKILL');
  await Promise.all(race);
  await waitUntil(() => (isAlive(pid) ? null : true), 5_000, 'the engine to die');
  await sleep(1_000);
  engine = await startEngine({ dataDir, port, log: () => undefined });

  // Every payment the simulator took ends fulfilled here: callbacks retry, reconciliation asks.
  const orders = await waitUntil(async () => {
    const docs = await orderModel(server.container.db).find({ 'items.boxId': new Types.ObjectId(boxId) }).lean<OrderDoc[]>().catch(() => null);
    if (!docs) return null;
    const byId = new Map(docs.map((doc) => [doc._id.toHexString(), doc]));
    return paid.every((id) => byId.get(id) && isPaid(byId.get(id)!.status)) ? docs : null;
  }, 45_000, 'every payment taken to fulfil its order after the restart');

  // The ledger adds up: for sale + held + sold + taken by reservations the crash cut short (the sweep returns
  // those) make the starting stock; sold units are exactly the fulfilled orders', held units belong to unpaid
  // orders, and nothing was sold twice.
  const Hold = holdModel(stockDatabase(server.container.db));
  const id = new Types.ObjectId(boxId);
  const account = await waitUntil(async () => {
    const units = await server.container.stock.account(id).catch(() => null);
    return units && units.available + units.held + units.sold + units.inFlight === UNITS ? units : null;
  }, 30_000, 'the ledger to add up');
  const holds = await Hold.find({ boxId: id }).lean();
  const ledger = { sold: holds.filter((hold) => hold.state === 'SOLD'), open: holds.filter((hold) => hold.state === 'HELD') };
  const fulfilled = orders.filter((order) => isPaid(order.status)).map((order) => order._id.toHexString()).sort();
  expect(ledger.sold.map((hold) => hold.orderId.toHexString()).sort()).toEqual(fulfilled);
  expect(fulfilled.length).toBeLessThanOrEqual(UNITS);
  expect(account.sold).toBe(fulfilled.length);
  // A held unit belongs to an unpaid order, or to an order whose creation the crash cut short after its hold was
  // stored (the leftover sweep returns those once their payment window is over).
  for (const hold of ledger.open) {
    const order = orders.find((candidate) => candidate._id.equals(hold.orderId));
    expect([hold._id, order?.status ?? 'never stored']).toEqual([hold._id, order ? 'TO_BE_PAID' : 'never stored']);
    if (!order) expect(hold.expiresAt.getTime()).toBeGreaterThan(Date.now());
  }
  for (const order of orders) expect([order._id.toHexString(), order.audit.filter((entry) => entry.to === 'TO_BE_DELIVERED').length]).toEqual([order._id.toHexString(), isPaid(order.status) ? 1 : 0]);
}, 120_000);
