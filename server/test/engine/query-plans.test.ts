import fs from 'node:fs';
import mongoose from 'mongoose';
import { startTestServer, type TestServer } from '../support/test-server';
import { uniqueDbName } from '../support/test-env';
import { payAtSimulator, prepayIdOf, shopper, simulatorControl } from '../support/shop';
import { phoneSignIn } from '../support/phone';
import { postCallback, wechatCallbacks } from '../support/wechat-callbacks';
import { outTradeNoOf } from '../fault/fault-support';
import { waitUntil } from '../support/wechatpay-harness';
import { JOB_TEST_ENV, expireInDb, orderDoc } from '../support/job-test-support';
import { runAdminCommand } from '../../src/admin/run-admin-command';
import { boxFile, catalogDir, setBoxFile } from '../support/catalog-files';
import { boxModel } from '../../src/catalog/box.model';
import { apiClient } from '../support/api-client';
import { GUARDIAN_DECLARATION_VERSION, type GuardianConsentView } from '@blindbox/shared';
import { createStaff, loginAs } from '../support/console';
import { photograph } from '../support/pictures';
import { devNotifyEnv } from '../../dev/subscribe-templates';

/**
 * The query-plan audit: the application's real flows run against a database pre-loaded with a few hundred
 * documents per collection, while the engine (started by the global setup with -scan-audit) records every
 * query shape whose SQL plan scans a whole collection table. A shape that scans a collection holding more than
 * a handful of documents fails the test, so a new query without an index fails it too.
 *
 * KNOWN_SCANS lists the shapes that scanned when this test was written; they are what is left to index (or
 * to query differently). The test also fails when a listed shape no longer scans, so the list only shrinks.
 */
const KNOWN_SCANS: readonly string[] = [
  // admin `orders` without --status: newest first by _id; the engine does not push sorts down
  '<db>.orders {}',
  // admin `coupon list`: every coupon template (a shop keeps a handful; the audit's copies make it 300)
  '<db>.coupontemplates {}',
];

/** Collections at most this big may be scanned (the catalog of a few boxes, a counter document or two). */
const HANDFUL = 20;
const { BSON } = mongoose.mongo;
const PRELOAD = 300;

interface ScanEntry {
  db: string;
  collection: string;
  filter: string;
  sql: string;
  plan: string[];
}

const auditFile = process.env.BLINDBOX_TEST_SCAN_AUDIT;
const maybe = auditFile ? test : test.skip;

let server: TestServer;
afterAll(async () => {
  await server?.stop();
});

/** A server's databases: the shop's and any `<name>_…` companion (stock, jobs). */
async function databasesOf(name: string): Promise<string[]> {
  const { databases } = await server.container.db.getClient().db().admin().listDatabases({ nameOnly: true });
  return databases.map((db) => db.name).filter((db) => db === name || db.startsWith(`${name}_`));
}

/**
 * Fills the `target` databases with PRELOAD documents per collection copied from the `source` ones: new _id,
 * unique-indexed values made unique, and every date moved to the year 2100 so no sweep, job poll or
 * reconciliation picks a copy up. The engine then sees each query shape first on full collections.
 */
async function preload(source: string, target: string): Promise<void> {
  const client = server.container.db.getClient();
  for (const dbName of await databasesOf(source)) {
    const from = client.db(dbName);
    const to = client.db(target + dbName.slice(source.length));
    for (const { name } of await from.listCollections({}, { nameOnly: true }).toArray()) {
      const originals = await from.collection(name).find({}).toArray();
      const indexes = await from.collection(name).indexes();
      const uniqueFields = indexes.filter((index) => index.unique && index.name !== '_id_').map((index) => Object.keys(index.key)[0]!);
      const copies = Array.from({ length: Math.max(PRELOAD, originals.length) }, (_, n) => {
        if (n < originals.length) return originals[n]!;
        const copy = farFuture(BSON.deserialize(BSON.serialize(originals[n % originals.length]!)), n) as Record<string, unknown>;
        copy._id = copy._id instanceof mongoose.Types.ObjectId ? new mongoose.Types.ObjectId() : `${String(copy._id)}~copy${n}`;
        for (const field of uniqueFields) setPath(copy, field, (value) => `${String(value)}~copy${n}`);
        // A box has one seed per generation (its `_id` is `<boxId>:<generation>`): a copy belongs to no real box.
        if (name === 'serverseeds') copy.boxId = new mongoose.Types.ObjectId();
        return copy;
      });
      const secondary = indexes.filter((index) => index.name !== '_id_');
      if (secondary.length > 0) {
        await to.collection(name).createIndexes(secondary.map(({ key, name: indexName, unique }) => ({ key, name: indexName, unique: unique === true })));
      }
      if (copies.length > 0) await to.collection(name).insertMany(copies, { ordered: false });
    }
  }
}

function farFuture(value: unknown, n: number): unknown {
  if (value instanceof Date) return new Date(Date.UTC(2100, 0, 1) + n * 1000);
  if (Array.isArray(value)) return value.map((item) => farFuture(item, n));
  if (value && typeof value === 'object' && value.constructor === Object) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = farFuture(record[key], n);
  }
  return value;
}

function setPath(doc: Record<string, unknown>, path: string, change: (value: unknown) => unknown): void {
  const [head, ...rest] = path.split('.');
  const value = doc[head!];
  if (rest.length === 0) {
    if (value !== undefined && value !== null) doc[head!] = change(value);
  } else if (value && typeof value === 'object') {
    setPath(value as Record<string, unknown>, rest.join('.'), change);
  }
}

const admin = (...argv: string[]) => runAdminCommand(server.container, argv);

async function waitForStatus(orderId: string, status: string): Promise<void> {
  await waitUntil(async () => ((await orderDoc(server, orderId)).status === status ? true : null), 20_000, `order ${orderId} to be ${status}`);
}

/** Every flow the shop has, once, so each of its query shapes reaches the engine. */
async function runFlows(round: number): Promise<void> {
  const alice = await shopper(server, `plan-alice-${round}`);
  // Subscribe messages: the shipping and refund notices granted at ordering (spent when alice's orders ship and refund).
  const templates = (await alice.api.get<{ templates: { dropOpening: string; orderShipped: string; refundSucceeded: string } }>('/api/notifications')).body.templates;
  await alice.api.post('/api/notifications/grants', { answers: { [templates.orderShipped]: 'accept', [templates.refundSucceeded]: 'accept' } });
  const boxes = await alice.api.get<{ items: Array<{ id: string; stock: number }> }>('/api/boxes');
  await alice.api.get(`/api/boxes/${boxes.body.items[0]!.id}`);
  await alice.api.get('/api/coupons');

  const address = await alice.address();
  await alice.api.get('/api/addresses');
  await alice.api.put(`/api/addresses/${address.id}`, { name: '李四', phone: '13800138001', region: '上海市 黄浦区', detail: '南京东路 2 号' });
  const spare = await alice.address();
  await alice.api.delete(`/api/addresses/${spare.id}`);
  const items = [{ boxId: boxes.body.items[0]!.id, quantity: 1 }];
  await alice.api.post('/api/orders/quote', { items, addressId: address.id });

  // JSAPI: prepay, the shopper pays in the simulator, its signed callback fulfils the order; status polls
  const paid = await alice.placeOrder(items);
  const params = await alice.payJsapi(paid.id);
  await alice.api.get(`/api/orders/${paid.id}/payment-status`);
  await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));
  await waitForStatus(paid.id, 'TO_BE_DELIVERED');
  await alice.api.get(`/api/orders/${paid.id}/payment-status`);

  // Phone sign-in on the web (code, limits, binding, account), then the number bound in the mini-program: once to
  // a shopper with orders (a plain binding), once by a new shopper without (folded into the web account).
  const webPhone = `1370000${String(round).padStart(4, '0')}`;
  const web = await phoneSignIn(server.url, server.simulatorUrl, webPhone);
  await apiClient(server.url, web.token).get('/api/me');
  const bindCode = async (phone: string) => ((await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/phone-code', { phone })) as { code: string }).code;
  await alice.api.post('/api/me/phone', { code: await bindCode(`1360000${String(round).padStart(4, '0')}`) });
  const newcomer = await shopper(server, `plan-newcomer-${round}`);
  await newcomer.api.post('/api/me/phone', { code: await bindCode(webPhone) });

  // Native: prepay, then a signed callback of our own (twice: the duplicate is recognised)
  const bob = await shopper(server, `plan-bob-${round}`);
  const native = await bob.placeOrder(items);
  expect((await bob.api.post(`/api/orders/${native.id}/pay/native`)).status).toBe(200);
  const callbacks = await wechatCallbacks();
  const transaction = callbacks.transaction(await outTradeNoOf(server, native.id), native.totalFen, { trade_type: 'NATIVE' });
  const delivery = callbacks.signed(callbacks.envelope(transaction));
  expect(await postCallback(server.url, delivery)).toBe(204);
  expect(await postCallback(server.url, delivery)).toBe(204);
  await waitForStatus(native.id, 'TO_BE_DELIVERED');

  // lists, one order, cancel
  await alice.api.get('/api/orders');
  await alice.api.get('/api/orders?status=TO_BE_DELIVERED');
  await alice.order(paid.id);
  const cancelled = await alice.placeOrder(items);
  expect((await alice.api.post(`/api/orders/${cancelled.id}/cancel`)).status).toBe(200);

  // expiry: a prepaid order whose time has run out is closed by the sweep
  const expiring = await bob.placeOrder(items);
  await bob.payJsapi(expiring.id);
  await expireInDb(server, expiring.id);
  await waitForStatus(expiring.id, 'CLOSED');

  // reconciliation of a payment whose callback never came, by the job and by the admin command
  const lost = await bob.placeOrder(items);
  const lostParams = await bob.payJsapi(lost.id);
  await fetch(`${server.simulatorUrl}/sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dropNext: 1 }) });
  await payAtSimulator(server.simulatorUrl, prepayIdOf(lostParams.package));
  await waitForStatus(lost.id, 'TO_BE_DELIVERED');
  expect((await admin('reconcile', lost.id)).exitCode).toBe(0);

  // cart: add, change, remove, show, checkout of two boxes
  const [cartBox, otherBox, removedBox] = boxes.body.items.filter((box) => box.stock > 2).map((box) => box.id) as [string, string, string];
  for (const boxId of [cartBox, otherBox]) await alice.api.post('/api/cart/lines', { boxId, quantity: 1 });
  await alice.api.put(`/api/cart/lines/${cartBox}`, { quantity: 2 });
  await alice.api.post('/api/cart/lines', { boxId: removedBox, quantity: 1 });
  await alice.api.delete(`/api/cart/lines/${removedBox}`);
  await alice.api.get('/api/cart');
  const fromCart = await alice.api.post<{ id: string }>('/api/cart/checkout', { addressId: address.id });
  expect(fromCart.status).toBe(201);

  // combined payment: the cart's order and another paid together; its status poll, then a member refunded
  const another = await alice.placeOrder(items);
  const combined = await alice.api.post<{ id: string; params: { package: string } }>('/api/payments/combined/jsapi', { orderIds: [fromCart.body.id, another.id] });
  expect(combined.status).toBe(200);
  await alice.api.get(`/api/orders/${another.id}/payment-status`);
  await alice.api.get(`/api/payments/combined/${combined.body.id}`);
  await payAtSimulator(server.simulatorUrl, prepayIdOf(combined.body.params.package));
  await waitForStatus(another.id, 'TO_BE_DELIVERED');
  await alice.api.get(`/api/payments/combined/${combined.body.id}`);
  expect((await admin('refund', another.id, '--reason', 'query-plan audit', '--yes')).exitCode).toBe(0);
  await waitForStatus(another.id, 'REFUNDED');

  // the catalog: import (created, then a new version of a box on sale), an order drawn from per-item stock,
  // export, stock changes and the per-item answer, retire
  const weight = round + 1;
  const plans = await catalogDir([boxFile('plans-box', { 'plans-a': { rarity: 'COMMON', weight, stock: 50 }, 'plans-b': { rarity: 'SECRET', weight: 1, stock: 1 } })]);
  expect((await admin('box', 'import', plans)).exitCode).toBe(0);
  const planned = (await boxModel(server.container.db).findOne({ slug: 'plans-box' }).lean())!;
  const drawn = await alice.placeOrder([{ boxId: planned._id.toHexString(), quantity: 2 }]);
  await payAtSimulator(server.simulatorUrl, prepayIdOf((await alice.payJsapi(drawn.id)).package));
  await waitForStatus(drawn.id, 'TO_BE_DELIVERED');
  expect((await admin('box', 'export', 'plans-box')).exitCode).toBe(0);
  expect((await admin('stock', 'plans-box', '--item', 'plans-a', '--add', '5')).exitCode).toBe(0);
  expect((await admin('stock', 'plans-box', '--set', '40', '--yes')).exitCode).toBe(0);
  await admin('box', 'import', await catalogDir([boxFile(`plans-retired-${round}`, { 'plans-r': { rarity: 'COMMON', weight: 1, stock: 1 } })]));
  expect((await admin('box', 'retire', `plans-retired-${round}`, '--yes')).exitCode).toBe(0);

  // admin queries, shipping, receipt, a refund the refund job finishes
  expect((await admin('orders', '--status', 'TO_BE_DELIVERED', '--limit', '5')).exitCode).toBe(0);
  expect((await admin('orders')).exitCode).toBe(0);
  expect((await admin('show', paid.id)).exitCode).toBe(0);
  expect((await admin('jobs')).exitCode).toBe(0);
  expect((await admin('audit')).exitCode).toBe(0);
  expect((await admin('ship', paid.id, '--note', 'SF123')).exitCode).toBe(0);
  await alice.api.post(`/api/orders/${paid.id}/confirm-receipt`);
  expect((await admin('refund', lost.id, '--reason', 'query-plan audit', '--yes')).exitCode).toBe(0);
  await waitForStatus(lost.id, 'REFUNDED');

  // whole sets: the grid, a pick paid, a pick left to expire (its positions go back), the admin's list
  const setBox = { id: (await boxModel(server.container.db).findOne({ slug: 'moon-rabbit-set' }).lean())!._id.toHexString() };
  await alice.api.get(`/api/boxes/${setBox.id}`);
  const current = (await alice.api.get<{ id: string; grid: string[] }>(`/api/boxes/${setBox.id}/sets/current`)).body;
  await alice.api.get(`/api/boxes/${setBox.id}/sets`);
  const free = current.grid.flatMap((state, position) => (state === 'FREE' ? [position] : []));
  const picked = await alice.placeOrder([{ boxId: setBox.id, quantity: 1, setPick: { setId: current.id, positions: [free[0]!] } }]);
  await payAtSimulator(server.simulatorUrl, prepayIdOf((await alice.payJsapi(picked.id)).package));
  await waitForStatus(picked.id, 'TO_BE_DELIVERED');
  await alice.api.get(`/api/sets/${current.id}`);
  const unpaidPick = await bob.placeOrder([{ boxId: setBox.id, quantity: 1, setPick: { setId: current.id, positions: [free[1]!] } }]);
  await expireInDb(server, unpaidPick.id);
  await waitForStatus(unpaidPick.id, 'CLOSED');
  expect((await admin('sets', 'list', 'moon-rabbit-set')).exitCode).toBe(0);
  expect((await admin('box', 'export', 'moon-rabbit-set')).exitCode).toBe(0);
  const setFile = await catalogDir([setBoxFile(`plans-sets-${round}`, { 'plans-s-a': 'COMMON', 'plans-s-b': 'COMMON' })]);
  expect((await admin('box', 'import', setFile)).exitCode).toBe(0);
  expect((await admin('box', 'import', setFile)).output).toContain('unchanged');

  // running the shop: sales and packing views, coupon templates and grants, a drop scheduled and one cancelled
  expect((await admin('sales')).exitCode).toBe(0);
  expect((await admin('sales', '--box', 'starry-cat', '--csv')).exitCode).toBe(0);
  expect((await admin('orders', '--to-ship')).exitCode).toBe(0);
  expect((await admin('coupon', 'create', `PLAN${round}`, '--percent-off', '1000', '--quantity', '3')).exitCode).toBe(0);
  expect((await admin('coupon', 'grant', `PLAN${round}`, '--to', server.container.sessions.verify(alice.token)!.userId)).exitCode).toBe(0);
  expect((await admin('coupon', 'welcome', `PLAN${round}`)).exitCode).toBe(0);
  expect((await admin('coupon', 'list')).exitCode).toBe(0);
  await shopper(server, `plan-newcomer-${round}`);
  // A shopper aged 8–17: the guardian's consent, an order under it, and its revocation (which cancels that order).
  const teen = apiClient(server.url, await server.login(`plan-teen-${round}`, 'MINOR_8_17'));
  const form = (await teen.get<GuardianConsentView>('/api/me/guardian-consent')).body;
  const guardian = { guardianName: '李妈妈', relationship: 'PARENT', guardianPhone: '13912345678', declarationVersion: GUARDIAN_DECLARATION_VERSION, limits: form.limits, declared: true };
  expect((await teen.post('/api/me/guardian-consent', guardian)).status).toBe(201);
  const teenAddress = (await teen.post<{ id: string }>('/api/addresses', { name: '李小明', phone: '13800138002', region: '上海市', detail: '1 号' })).body;
  expect((await teen.post('/api/orders', { items: [{ boxId: boxes.body.items[0]!.id, quantity: 1 }], addressId: teenAddress.id })).status).toBe(201);
  expect((await teen.delete('/api/me/guardian-consent')).status).toBe(200);
  expect((await admin('coupon', 'welcome', 'WELCOME5')).exitCode).toBe(0);
  expect((await admin('drop', 'forest-friends', '--at', '+1h')).exitCode).toBe(0);
  const dropped = await boxModel(server.container.db).findOne({ slug: 'forest-friends' }).lean();
  const early = await alice.api.post<{ code: string }>('/api/orders', { items: [{ boxId: dropped!._id.toHexString(), quantity: 1 }], addressId: address.id });
  expect(early.body.code).toBe('NOT_ON_SALE_YET');
  await alice.api.post('/api/notifications/grants', { answers: { [templates.dropOpening]: 'accept' }, boxId: dropped!._id.toHexString() });
  await alice.api.get(`/api/notifications?boxId=${dropped!._id.toHexString()}`);
  expect((await admin('drop', 'forest-friends', '--cancel', '--yes')).exitCode).toBe(0);
  await server.container.notifications.sweep();

  // the staff console: login, every kind of order search, export, one order, a partial refund, shipping, audit, staff
  const owner = await loginAs(server, await createStaff(server, `plan-owner-${round}`, 'owner'));
  const paidDoc = await orderDoc(server, drawn.id);
  for (const q of [drawn.id, paidDoc.payment.outTradeNo!, paidDoc.payment.transactionId!, paidDoc.openid, paidDoc.address.phone, `C${combined.body.id}`]) {
    expect((await owner.get(`/orders?q=${encodeURIComponent(q)}`)).status).toBe(200);
  }
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  for (const query of ['', 'status=TO_BE_DELIVERED', `from=${today}&to=${today}`, `sort=paidAt&from=${today}`, `boxId=${planned._id.toHexString()}`]) {
    expect((await owner.get(`/orders?${query}`)).status).toBe(200);
  }
  expect((await owner.get(`/orders/export.csv?from=${today}`)).status).toBe(200);
  expect((await owner.get(`/orders/${drawn.id}`)).status).toBe(200);
  expect((await owner.post(`/orders/${drawn.id}/refunds`, { mode: 'units', units: [{ itemIndex: 0, quantity: 1 }], reason: 'plan' })).status).toBe(200);
  // WeChat Pay complaints: registered, raised at WeChat and notified, read whole, listed, opened, answered, synced
  expect((await admin('complaints', 'register-url', '--as', 'plan')).exitCode).toBe(0);
  const raised = await fetch(`${server.simulatorUrl}/sim/complaints`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outTradeNo: paidDoc.payment.outTradeNo, images: 1 }) });
  const { complaintId } = (await raised.json()) as { complaintId: string };
  await waitUntil(async () => ((await owner.get(`/complaints/${complaintId}`)).status === 200 ? true : null), 20_000, 'complaint taken in');
  for (const query of ['', 'state=PENDING']) expect((await owner.get(`/complaints?${query}`)).status).toBe(200);
  expect((await owner.post(`/complaints/${complaintId}/reply`, { content: 'plan' })).status).toBe(200);
  expect((await owner.post('/complaints/sync')).status).toBe(200);
  expect((await owner.get('/dashboard')).status).toBe(200);
  expect((await owner.get('/shipping/queue')).status).toBe(200);
  expect((await owner.get('/shipping/uploads')).status).toBe(200);
  expect((await owner.post('/shipping/import', { csv: `order_id,tracking_no\n${picked.id},SF12345678`, dryRun: true })).status).toBe(200);
  expect((await owner.get('/bills')).status).toBe(200);
  for (const query of ['', `actor=staff:plan-owner-${round}`, `target=order:${drawn.id}`, `from=${today}&to=${today}`]) expect((await owner.get(`/audit?${query}`)).status).toBe(200);
  expect((await owner.get('/staff')).status).toBe(200);
  expect((await owner.get('/staff/sessions')).status).toBe(200);

  // the console running the shop: drops (list, schedule, live, cancel), whole sets, coupons and grants, sales
  expect((await owner.get('/catalog/export')).status).toBe(200);
  const droppedId = dropped!._id.toHexString();
  expect((await owner.get('/drops')).status).toBe(200);
  expect((await owner.post(`/drops/${droppedId}`, { onSaleAt: new Date(Date.now() + 3_600_000).toISOString(), paymentWindowMinutes: 5, purchaseLimit: 2 })).status).toBe(200);
  expect((await owner.get(`/drops/${droppedId}/live`)).status).toBe(200);
  expect((await owner.get(`/drops/${planned._id.toHexString()}/live`)).status).toBe(200);
  expect((await owner.post(`/drops/${droppedId}/cancel`)).status).toBe(200);
  expect((await owner.get(`/sets?boxId=${setBox.id}`)).status).toBe(200);
  const madeSets = await owner.post<{ items: Array<{ id: string; number: number }> }>('/sets', { boxId: setBox.id, count: 3 });
  expect(madeSets.status).toBe(201);
  // A set holding its block's unsold secret is never retired (409 SET_SECRET_UNSOLD). Two new sets may both hold one
  // (the last set of a block without its secret yet always does, and the next block's first may); three in a row
  // span at most two blocks of the box's secretEvery (6), so at least one of them can be retired.
  const retired: Array<[number, string | undefined]> = [];
  for (const set of madeSets.body.items.slice(-3)) {
    const answer = await owner.post<{ code?: string }>(`/sets/${set.id}/retire`);
    retired.push([answer.status, answer.body.code]);
    if (answer.status === 200) break;
  }
  expect(retired.at(-1)![0]).toBe(200);
  expect(retired.slice(0, -1).every(([status, code]) => status === 409 && code === 'SET_SECRET_UNSOLD')).toBe(true);
  expect((await owner.get('/coupons')).status).toBe(200);
  expect((await owner.post('/coupons', { code: `CPLAN${round}`, amountOffFen: 100, quantity: 5 })).status).toBe(201);
  for (const q of [paidDoc.address.phone, paidDoc.openid, paidDoc.userId.toHexString()]) expect((await owner.get(`/shoppers?q=${q}`)).status).toBe(200);
  expect((await owner.post(`/coupons/CPLAN${round}/grants`, { userId: paidDoc.userId.toHexString() })).status).toBe(201);
  expect((await owner.get(`/sales?from=${today}&to=${today}`)).status).toBe(200);
  expect((await owner.get(`/sales/export.csv?from=${today}&to=${today}&boxId=${planned._id.toHexString()}`)).status).toBe(200);

  // after-sales: a request on the shipped order, its thread both ways, the queue, a refund and a refusal
  const photo = await fetch(`${server.url}/api/aftersales/photos`, { method: 'POST', headers: { authorization: `Bearer ${alice.token}` }, body: await photograph('jpeg', { width: 400, height: 300, hue: round * 40 }) });
  const { url: photoUrl } = (await photo.json()) as { url: string };
  const asked = await alice.api.post<{ id: string }>('/api/aftersales', { orderId: paid.id, itemIndex: 0, kind: 'DAMAGED', description: '盒子压坏了，手办断了', photos: [photoUrl] });
  expect(asked.status).toBe(201);
  expect((await alice.api.post('/api/aftersales', { orderId: paid.id, itemIndex: 0, kind: 'DAMAGED', description: '再申请一次试试', photos: [] })).status).toBe(409);
  await alice.api.get(`/api/aftersales?orderId=${paid.id}`);
  expect((await owner.post(`/aftersales/${asked.body.id}/messages`, { text: '请问是哪一款？' })).status).toBe(200);
  expect((await alice.api.post(`/api/aftersales/${asked.body.id}/messages`, { text: '隐藏款' })).status).toBe(200);
  for (const state of ['open', 'resolved']) expect((await owner.get(`/aftersales?state=${state}`)).status).toBe(200);
  expect((await owner.get(`/aftersales/${asked.body.id}`)).status).toBe(200);
  expect((await owner.post(`/aftersales/${asked.body.id}/resolve`, { kind: 'REFUND', amountFen: 1 })).status).toBe(200);
  const again = await alice.api.post<{ id: string }>('/api/aftersales', { orderId: paid.id, itemIndex: 0, kind: 'NOT_RECEIVED', description: '补发的还没收到', photos: [] });
  expect((await owner.post(`/aftersales/${again.body.id}/resolve`, { kind: 'REFUSE', reason: '物流显示已签收' })).status).toBe(200);
  await alice.api.get(`/api/aftersales/${again.body.id}`);
}

/** Document count from collection statistics: a count or find would itself be a query the audit records. */
async function collectionSize(dbName: string, collection: string): Promise<number> {
  const stats = await server.container.db.getClient().db(dbName).command({ collStats: collection });
  return Number(stats.count);
}

maybe('no query of the application scans a collection of more than a handful of documents', async () => {
  server = await startTestServer({ env: { ...JOB_TEST_ENV, ...devNotifyEnv() } });
  await runFlows(0);
  const source = server.container.db.name;
  const audited = uniqueDbName('plans');
  await preload(source, audited);
  for (const db of await databasesOf(source)) await server.container.db.getClient().db(db).dropDatabase();
  await server.stop();
  server = await startTestServer({ env: { ...JOB_TEST_ENV, ...devNotifyEnv() }, dbName: audited, seed: false });
  await runFlows(1);
  // Agenda's pollers and the sweeps have run throughout; give them one more round on the full collections.
  await new Promise((resolve) => setTimeout(resolve, 1_500));

  const databases = new Set(await databasesOf(audited));
  const entries = fs
    .readFileSync(auditFile!, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ScanEntry)
    .filter((entry) => databases.has(entry.db));
  const scans = new Map<string, ScanEntry>();
  for (const entry of entries) {
    if ((await collectionSize(entry.db, entry.collection)) <= HANDFUL) continue;
    scans.set(`${entry.db.replace(audited, '<db>')}.${entry.collection} ${entry.filter}`, entry);
  }
  const found = [...scans.keys()].sort();
  const unexpected = found.filter((shape) => !KNOWN_SCANS.includes(shape));
  const fixed = KNOWN_SCANS.filter((shape) => !scans.has(shape));
  expect({ unexpected, fixed }).toEqual({ unexpected: [], fixed: [] });
  for (const db of databases) await server.container.db.getClient().db(db).dropDatabase();
}, 300_000);
