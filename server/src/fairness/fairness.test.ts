import { Types } from 'mongoose';
import type { BoxFairness, BoxPage, DrawProof, MyGuarantee, Order } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { payAtSimulator } from '../../test/support/shop';
import { postCallback, wechatCallbacks } from '../../test/support/wechat-callbacks';
import { orderDoc, prepayIdOf, setStock } from '../../test/support/job-test-support';
import { buyer, outTradeNoOf } from '../../test/fault/fault-support';
import { runAdminCommand } from '../admin/run-admin-command';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { boxModel } from '../catalog/box.model';
import { countsDatabase } from '../db/databases';
import { describeVerified, verifyProofs } from '../../tools/verify-draw';
import { guaranteeCounterModel, serverSeedModel, type GuaranteeCounterDoc } from './fairness.model';
import { drawProofOf } from './draw-proof';
import { orderDraws } from './order-draws';
import { itemStock } from '../catalog/item-stock';
import { revealTimeOf } from './server-seeds';
import { SEED_REVEAL_STEP_MS } from './fairness';
import { guaranteeCounters } from './guarantee-counters';
import { drawCountersMoveToTheShoppersCounters } from '../migrations/0009-draw-counters-move-to-the-shoppers-counters';

// JOBS off: only the deliveries under test move orders to paid.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

async function boxBySlugName(name: string) {
  const { body } = await (await buyer(server, 'dev-fair-browse')).api.get<BoxPage>('/api/boxes?pageSize=50');
  const box = body.items.find((candidate) => candidate.name === name);
  if (!box) throw new Error(`no box ${name}`);
  return box;
}

const counterOf = (userId: Types.ObjectId, boxId: string) =>
  guaranteeCounterModel(countsDatabase(server.container.db)).findById(`${userId.toHexString()}:${boxId}`).lean<GuaranteeCounterDoc>();

async function payByCallbacks(order: Order, copies: number, outTradeNo?: string): Promise<number[]> {
  outTradeNo ??= await outTradeNoOf(server, order.id);
  const cb = await wechatCallbacks();
  // A JSAPI callback names the order's own shopper as the payer.
  const { openid } = await orderDoc(server, order.id);
  const event = cb.envelope(cb.transaction(outTradeNo, order.totalFen, { payer: { openid } }));
  return Promise.all(Array.from({ length: copies }, () => postCallback(server.url, cb.signed(event))));
}

test('the seed hash is public before the first draw, and neither the fairness page nor a proof returns the seed before it is retired and unpayable', async () => {
  const box = await boxBySlugName('机甲少年');
  const alice = await buyer(server, 'dev-fair-seed');
  const page = await alice.api.get<BoxFairness>(`/api/boxes/${box.id}/fairness`);
  expect(page.status).toBe(200);
  const published = page.body.seeds.find((seed) => seed.id === page.body.currentSeedId);
  // The next seed is listed before it, committed a period ahead.
  expect(page.body.seeds[0]?.generation).toBe(published!.generation + 1);
  expect(published?.hash).toMatch(/^[0-9a-f]{64}$/);
  expect(published?.seed).toBeNull();

  const order = await alice.orderNow([{ boxId: box.id, quantity: 2 }]);
  await alice.payJsapi(order.id);
  await payByCallbacks(order, 1);
  const paid = await alice.order(order.id);
  expect(paid.draws.map((draw) => draw.proof?.serverSeedHash)).toEqual([published?.hash, published?.hash]);
  expect(new Date(published!.committedAt).getTime()).toBeLessThanOrEqual(new Date(paid.createdAt).getTime());

  const before = await alice.api.get<DrawProof>(`/api/proofs/${order.id}/0`);
  expect(before.status).toBe(200);
  expect(before.body.serverSeed).toBeNull();
  // The shopper is told when to come back: not before the seed's scheduled rotation.
  expect(Date.parse(before.body.revealAfter ?? '')).toBeGreaterThanOrEqual(Date.parse(published!.rotateAt));
  expect(Date.parse(before.body.seedCommittedAt)).toBeLessThanOrEqual(Date.parse(before.body.orderPlacedAt));
  expect(JSON.stringify(before.body)).not.toContain(await secretOf(published!.id));

  // Rotated: new orders take the next seed at once, but this seed stays hidden while an order that took it
  // could still be paid (its payment window has not ended).
  const rotated = await runAdminCommand(server.container, ['rotate-seed', box.id, '--json']);
  expect(rotated.exitCode).toBe(0);
  const after = await alice.api.get<BoxFairness>(`/api/boxes/${box.id}/fairness`);
  expect(after.body.currentSeedId).toBe(page.body.seeds[0]?.id);
  expect(after.body.seeds.find((seed) => seed.id === published?.id)).toMatchObject({ seed: null, revealedAt: null });
  const pending = (await alice.api.get<DrawProof>(`/api/proofs/${order.id}/0`)).body;
  expect(pending.serverSeed).toBeNull();
  // Retired, it is shown when the last order that took it can no longer be paid (at most one reveal step later).
  const revealAfter = Date.parse(pending.revealAfter ?? '');
  expect(revealAfter).toBeGreaterThanOrEqual(Date.parse(order.expiresAt));
  expect(revealAfter).toBeLessThanOrEqual(Date.parse(order.expiresAt) + SEED_REVEAL_STEP_MS);

  // Once that window is over the seed is published, and it is the one whose hash was committed.
  const seedDoc = await serverSeedModel(server.container.db).findById(published!.id).lean();
  const later = revealAfter + 1;
  const proof = drawProofOf((await orderDoc(server, order.id)) as OrderDoc, 0, seedDoc!, new Date(later));
  expect(proof?.serverSeed).toBe(await secretOf(published!.id));
  expect(proof?.revealAfter).toBeNull();
  expect(verifyProofs(proof).every((entry) => entry.result.ok)).toBe(true);
});

async function secretOf(seedId: string): Promise<string> {
  const doc = await serverSeedModel(server.container.db).findById(seedId).lean();
  if (!doc) throw new Error(`no seed ${seedId}`);
  return doc.seed;
}

test('duplicate and concurrent callbacks and reconciliation replays leave the guarantee counter and the draws unchanged', async () => {
  const box = await boxBySlugName('森林伙伴');
  const bob = await buyer(server, 'dev-fair-dup');
  const userId = new Types.ObjectId(await userIdOf(bob.token));
  const order = await bob.orderNow([{ boxId: box.id, quantity: 4 }]);
  await bob.payJsapi(order.id);
  const outTradeNo = await outTradeNoOf(server, order.id);
  const statuses = await payByCallbacks(order, 30, outTradeNo);
  expect(statuses.filter((status) => status !== 204 && status !== 200)).toEqual([]);

  const paid = await orderDoc(server, order.id);
  expect(paid.draws).toHaveLength(4);
  const counter = await counterOf(userId, box.id);
  expect(counter).toMatchObject({ draws: 4, counted: [order.id], pending: null });
  const last = paid.draws.at(-1)!;
  expect(counter?.misses).toBe(['EPIC', 'SECRET'].includes(last.rarity) ? 0 : last.proof!.missesBefore + 1);

  const settledOrder = JSON.stringify(paid.draws);
  const settledCounter = JSON.stringify(counter);
  await payByCallbacks(order, 5, outTradeNo);
  const reconciled = await runAdminCommand(server.container, ['reconcile', order.id]);
  expect(reconciled.exitCode).toBe(0);
  // Reconciliation's replay: WeChat's record of the transaction applied again, as the job does.
  const tx = await server.container.channels.get('wechatpay').query(paid.payment.outTradeNo!);
  for (let i = 0; i < 3; i++) await server.container.payments.applyTransaction(tx!, 'wechatpay', 'job:reconcile-payments');
  expect(JSON.stringify((await orderDoc(server, order.id)).draws)).toBe(settledOrder);
  expect(JSON.stringify(await counterOf(userId, box.id))).toBe(settledCounter);
});

async function userIdOf(token: string): Promise<string> {
  const claims = server.container.sessions.verify(token);
  if (!claims) throw new Error('bad token');
  return claims.userId;
}

/** Finds an order of claims consistent with the stored draws: each order starts where the previous one left off. */
function chainExists(orders: OrderDoc[], minRarity: string[], misses = 0): boolean {
  if (orders.length === 0) return true;
  return orders.some((order, index) => {
    const draws = order.draws;
    if (draws[0]?.proof?.missesBefore !== misses) return false;
    let state = misses;
    for (const draw of draws) {
      if (draw.proof?.missesBefore !== state) return false;
      state = minRarity.includes(draw.rarity) ? 0 : state + 1;
    }
    return chainExists([...orders.slice(0, index), ...orders.slice(index + 1)], minRarity, state);
  });
}

test('orders of one shopper and box paid in the same instant are drawn one after another: the counter neither skips nor double-counts', async () => {
  const box = await boxBySlugName('森林伙伴');
  const carol = await buyer(server, 'dev-fair-same-second');
  const userId = new Types.ObjectId(await userIdOf(carol.token));
  const orders = await Promise.all(Array.from({ length: 6 }, () => carol.orderNow([{ boxId: box.id, quantity: 3 }])));
  for (const order of orders) await carol.payJsapi(order.id);
  const statuses = (await Promise.all(orders.map((order) => payByCallbacks(order, 3)))).flat();
  expect(statuses.filter((status) => status !== 204)).toEqual([]);

  const paid = await orderModel(server.container.db).find({ _id: { $in: orders.map((order) => order.id) } }).lean<OrderDoc[]>();
  expect(paid.every((order) => order.status === 'TO_BE_DELIVERED' && order.draws.length === 3)).toBe(true);
  const counter = await counterOf(userId, box.id);
  expect(counter?.draws).toBe(18);
  expect([...(counter?.counted ?? [])].sort()).toEqual(orders.map((order) => order.id).sort());
  expect(counter?.pending).toBeNull();
  expect(chainExists(paid, ['EPIC', 'SECRET'])).toBe(true);
  const mine = await carol.api.get<MyGuarantee>(`/api/me/guarantee/${box.id}`);
  expect(mine.body).toMatchObject({ misses: counter?.misses, remaining: 10 - (counter?.misses ?? 0) });
});

test('the standalone verifier reproduces 1,000 recorded draws from their proofs alone and reports the one altered', async () => {
  const box = await boxBySlugName('星空猫咪');
  const dave = await buyer(server, 'dev-fair-verify');
  await setStock(server, box.id, 1000);
  const orders: Order[] = [];
  for (let i = 0; i < 50; i++) orders.push(await dave.orderNow([{ boxId: box.id, quantity: 20 }]));
  for (const order of orders) {
    const params = await dave.payJsapi(order.id);
    await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));
  }
  const docs = await waitForPaid(orders.map((order) => order.id));
  await runAdminCommand(server.container, ['rotate-seed', box.id]);
  // The seed is published once the last order that took it is past its payment window.
  // Each seed at its own reveal time: after the last deadline of the orders that took it (and its step, fairness.ts).
  const proofs: DrawProof[] = [];
  for (const doc of docs) {
    for (let unit = 0; unit < doc.draws.length; unit++) {
      const seed = await serverSeedModel(server.container.db).findById(doc.draws[unit]!.proof!.seedId).lean();
      proofs.push(drawProofOf(doc, unit, seed!, revealTimeOf(seed!)!)!);
    }
  }
  expect(proofs).toHaveLength(1000);
  const verified = verifyProofs(JSON.parse(JSON.stringify(proofs)));
  expect(verified.filter((entry) => !entry.result.ok).map(describeVerified)).toEqual([]);

  const altered = structuredClone(proofs);
  const target = altered[437]!;
  const other = target.products.find((product) => product.productId !== target.productId)!;
  target.productId = other.productId;
  const report = verifyProofs(altered).filter((entry) => !entry.result.ok);
  expect(report).toHaveLength(1);
  expect(describeVerified(report[0]!)).toMatch(/^MISMATCH .* unit 17: recorded /);
});

async function waitForPaid(ids: string[]): Promise<OrderDoc[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const docs = await orderModel(server.container.db).find({ _id: { $in: ids } }).sort({ _id: 1 }).lean<OrderDoc[]>();
    if (docs.every((doc) => doc.status === 'TO_BE_DELIVERED')) return docs;
    if (Date.now() > deadline) throw new Error('orders not paid in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('with a tight guarantee on, a shopper never goes `within` draws without the item, and each forced draw says so and verifies', async () => {
  const box = await boxBySlugName('甜品精灵');
  // SECRET has 5/100 odds: within 3, most third draws after two misses must be forced.
  await boxModel(server.container.db).updateOne({ _id: box.id }, { $set: { guarantee: { minRarity: 'SECRET', within: 3 } } });
  const erin = await buyer(server, 'dev-fair-forced');
  const orders: Order[] = [];
  for (let i = 0; i < 8; i++) {
    const order = await erin.orderNow([{ boxId: box.id, quantity: 2 }]);
    await erin.payJsapi(order.id);
    await payByCallbacks(order, 2);
    orders.push(order);
  }
  const docs = await Promise.all(orders.map((order) => orderDoc(server, order.id)));
  const history = docs.flatMap((doc) => doc.draws);
  let dry = 0;
  for (const draw of history) {
    expect(draw.proof?.missesBefore).toBe(dry);
    expect(draw.proof?.forced).toBe(dry === 2);
    if (draw.proof?.forced) expect(draw.rarity).toBe('SECRET');
    dry = draw.rarity === 'SECRET' ? 0 : dry + 1;
    expect(dry).toBeLessThan(3);
  }
  expect(history.some((draw) => draw.proof?.forced)).toBe(true);

  const seed = await serverSeedModel(server.container.db).findById(history[0]!.proof!.seedId).lean();
  const afterReveal = new Date(Date.now() + 24 * 3600_000);
  await runAdminCommand(server.container, ['rotate-seed', box.id]);
  const retired = await serverSeedModel(server.container.db).findById(seed!._id).lean();
  const proofs = docs.flatMap((doc) => doc.draws.map((_, unit) => drawProofOf(doc, unit, retired!, afterReveal)));
  const verified = verifyProofs(proofs);
  expect(verified.every((entry) => entry.result.ok)).toBe(true);
  expect(verified.filter((entry) => entry.proof.forced).map(describeVerified).every((line) => line.includes('forced by the guarantee'))).toBe(true);
});

test('a claim left by an applier that died blocks only until its order is settled: 503-style busy first, healed once the order is closed', async () => {
  const box = await boxBySlugName('森林伙伴');
  const frank = await buyer(server, 'dev-fair-stuck');
  const userId = new Types.ObjectId(await userIdOf(frank.token));
  const draws = orderDraws({ db: server.container.db, seeds: server.container.fairness.seeds, items: itemStock(server.container.db), sets: server.container.sets, log: server.container.fairness.log, waitForCounterMs: 200 });
  const a = await frank.orderNow([{ boxId: box.id, quantity: 1 }]);
  const b = await frank.orderNow([{ boxId: box.id, quantity: 2 }]);

  // An applier of A claimed the counter and died before its paid-and-drawn write.
  expect(await draws.prepare(await orderDoc(server, a.id))).toHaveLength(1);
  await expect(draws.prepare(await orderDoc(server, b.id))).rejects.toMatchObject({ code: 'GUARANTEE_COUNTER_BUSY', kind: 'UNAVAILABLE' });

  // A is cancelled (it was never paid); the next applier of B finds the stale claim, gives it up for A and draws.
  expect((await frank.api.post(`/api/orders/${a.id}/cancel`)).status).toBe(200);
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  await frank.payJsapi(b.id);
  expect(await payByCallbacks(b, 1)).toEqual([204]);
  const counter = await counterOf(userId, box.id);
  expect(counter).toMatchObject({ draws: 2, counted: [b.id], pending: null });
  expect((await orderDoc(server, b.id)).draws.map((draw) => draw.proof?.missesBefore)[0]).toBe(0);
});

test('migration 0009 moves the draw counters beside the shoppers\' other counters, a pending claim with them, finishing what a crash left half-moved', async () => {
  const countersIn = (database: 'stock' | 'counts') =>
    server.container.db.useDb(`${server.container.db.name}_${database}`, { useCache: true }).db!.collection<{ _id: string } & Record<string, unknown>>('guaranteecounters');
  const [stock, counts] = [countersIn('stock'), countersIn('counts')];
  const userId = new Types.ObjectId();
  const [boxId, otherBoxId, pendingOrder, countedOrder] = [new Types.ObjectId(), new Types.ObjectId(), new Types.ObjectId(), new Types.ObjectId()];
  const idOf = (box: Types.ObjectId) => `${userId.toHexString()}:${box.toHexString()}`;
  const held = { _id: idOf(boxId), misses: 3, draws: 5, counted: [countedOrder.toHexString()], pending: { orderId: pendingOrder.toHexString(), at: new Date() }, nonces: 6, tag: 'a1b2c3d4e5f60718' };
  const idle = { _id: idOf(otherBoxId), misses: 1, draws: 1, counted: [countedOrder.toHexString()], pending: null, nonces: 1, tag: '0f1e2d3c4b5a6978' };
  await stock.insertMany([held, idle]);
  // A run that crashed after copying one counter and before deleting it: the copy is what stays.
  await counts.insertOne(idle);
  for (let run = 0; run < 2; run += 1) await drawCountersMoveToTheShoppersCounters.up({ db: server.container.db, logger: server.container.logger, now: new Date() });
  expect(await stock.countDocuments({ _id: { $in: [held._id, idle._id] } })).toBe(0);
  expect(await counts.find({ _id: held._id }).toArray()).toEqual([held]);
  expect(await counts.find({ _id: idle._id }).toArray()).toEqual([idle]);
  // Today's counters find the pending claim where it now lives: the next order waits for it, its order finishes it.
  const counters = guaranteeCounters(server.container.db);
  expect(await counters.claim({ userId, boxId }, new Types.ObjectId())).toMatchObject({ kind: 'BUSY', orderId: pendingOrder.toHexString() });
  await counters.finish({ userId, boxId }, pendingOrder, 2, 0);
  expect(await counters.claim({ userId, boxId }, new Types.ObjectId())).toMatchObject({ kind: 'CLAIMED', missesBefore: 0, nonce: 7, tag: held.tag });
});
