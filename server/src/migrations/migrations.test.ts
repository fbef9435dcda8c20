import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import mongoose from 'mongoose';
import type { Order } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { testEnv, uniqueDbName } from '../../test/support/test-env';
import { apiClient } from '../../test/support/api-client';
import { payAtSimulator, prepayIdOf } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { runAdminCommand } from '../admin/run-admin-command';
import { connectDatabase } from '../db/connect';
import { assertSchemaCurrent, schemaStatus } from './schema-version';
import { MIGRATIONS } from './migrations';

/**
 * The upgrade from 0.1.0 with real data: `test/fixtures/v0.1.0-database.json` is what the 0.1.0 commit's own
 * server (a79076e, run with its own test support) left in its database after a paid order of three units, an
 * unpaid order with an open WeChat attempt, an unpaid order never prepaid and a cancelled one.
 */
const { EJSON } = mongoose.mongo.BSON;
type Doc = Record<string, unknown> & { _id: unknown };
const fixture = EJSON.parse(fs.readFileSync(path.join(__dirname, '../../test/fixtures/v0.1.0-database.json'), 'utf8'), { relaxed: true }) as Record<string, Doc[]>;
const repoRoot = path.resolve(__dirname, '../../..');

interface OldBox extends Doc {
  _id: mongoose.Types.ObjectId;
  slug: string;
  stock: number;
  holds?: string[];
}
interface OldOrder extends Doc {
  _id: mongoose.Types.ObjectId;
  openid: string;
  status: string;
  totalFen: number;
  items: { boxId: mongoose.Types.ObjectId; quantity: number }[];
}
const oldBoxes = () => fixture.boxes as OldBox[];
const oldOrdersOf = () => fixture.orders as OldOrder[];
let oldOrders = oldOrdersOf();

/** What 0.1.0 itself said about a box: units for sale, held for unpaid orders, and taken by paid ones. */
function ledgerOf0_1_0(box: OldBox) {
  const held = (box.holds ?? []).reduce((sum, entry) => sum + Number(entry.split(':')[1]), 0);
  const sold = oldOrders
    .filter((order) => order.status === 'TO_BE_DELIVERED')
    .flatMap((order) => order.items)
    .filter((item) => item.boxId.equals(box._id))
    .reduce((sum, item) => sum + item.quantity, 0);
  return { available: box.stock, held, sold };
}

/**
 * The simulator derives openids from the app id of the credentials it runs with, which differ from those the
 * fixture was made with: the fixture's shoppers (created in this order) are given the openids their login
 * codes get today, so logging in as them finds their orders.
 */
const FIXTURE_SHOPPERS = ['dev-alice', 'dev-bob', 'dev-carol'];
async function reownFixture(): Promise<void> {
  const scratch = await startTestServer({ seed: false });
  try {
    const users = fixture.users as Array<Doc & { openid: string }>;
    for (const [index, code] of FIXTURE_SHOPPERS.entries()) {
      const openid = openidOfToken(await scratch.login(code));
      const old = users[index]!.openid;
      users[index]!.openid = openid;
      for (const order of oldOrders) if (order.openid === old) order.openid = openid;
    }
  } finally {
    await scratch.stop();
  }
}

/** Moves every date of the fixture by the same amount, so its last write was a moment ago (as for an upgrade's short stop). */
function shiftDates(value: unknown, byMs: number): unknown {
  if (value instanceof Date) return new Date(value.getTime() + byMs);
  if (Array.isArray(value)) return value.map((entry) => shiftDates(entry, byMs));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, shiftDates(entry, byMs)]));
  }
  return value;
}

async function loadFixture(dbName: string): Promise<void> {
  await reownFixture();
  const lastWrite = Math.max(...oldOrders.map((order) => (order.updatedAt as Date).getTime()));
  const byMs = Date.now() - lastWrite;
  for (const [name, docs] of Object.entries(fixture)) fixture[name] = docs.map((doc) => shiftDates(doc, byMs) as Doc);
  oldOrders = oldOrdersOf();
  const client = new mongoose.mongo.MongoClient(testEnv().mongodbUri);
  try {
    for (const [name, docs] of Object.entries(fixture)) {
      if (docs.length > 0) await client.db(dbName).collection(name).insertMany(docs as mongoose.mongo.OptionalId<mongoose.mongo.Document>[]);
    }
  } finally {
    await client.close();
  }
}

function runMigrateCli(dbName: string, ...args: string[]) {
  return spawnSync(process.execPath, [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), 'server/src/migrations/migrate-cli.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'silent', MONGODB_URI: testEnv().mongodbUri, MONGODB_DB: dbName },
    timeout: 60_000,
  });
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('a 0.1.0 database is refused until migrated, and then keeps every unit and every order', async () => {
  const dbName = uniqueDbName('upgrade');
  await loadFixture(dbName);

  await expect(startTestServer({ dbName, seed: false })).rejects.toThrow(/needs migrating.*npm run migrate/);

  const migrated = runMigrateCli(dbName);
  expect(migrated.stderr).toBe('');
  expect(migrated.status).toBe(0);
  expect(migrated.stdout).toContain('applied  0001-stock-moves-to-its-database');

  server = await startTestServer({ dbName, seed: false });
  const container = server.container;
  for (const box of oldBoxes()) {
    const result = await runAdminCommand(container, ['stock', box.slug, '--json']);
    expect(result.exitCode).toBe(0);
    const { available, held, sold } = JSON.parse(result.output) as { available: number; held: number; sold: number };
    expect({ slug: box.slug, available, held, sold }).toEqual({ slug: box.slug, ...ledgerOf0_1_0(box) });
  }
  // The fixture is worth testing: it has units in every place.
  expect(oldBoxes().map(ledgerOf0_1_0).reduce((sum, ledger) => sum + ledger.held + ledger.sold, 0)).toBeGreaterThanOrEqual(6);

  // Every order is its owner's still, with its status and total.
  const tokens = new Map<string, string>();
  for (const code of ['dev-alice', 'dev-bob', 'dev-carol']) {
    const token = await server.login(code);
    const me = oldOrders.find((order) => order.openid === openidOfToken(token));
    if (me) tokens.set(me.openid, token);
  }
  expect(tokens.size).toBe(3);
  for (const order of oldOrders) {
    const api = apiClient(server.url, tokens.get(order.openid)!);
    const { status, body } = await api.get<Order>(`/api/orders/${order._id.toHexString()}`);
    expect(status).toBe(200);
    expect({ status: body.status, totalFen: body.totalFen }).toEqual({ status: order.status, totalFen: order.totalFen });
  }

  // The unpaid order held across the upgrade can be cancelled: its units go back on sale.
  const held = oldOrders.find((order) => order.status === 'TO_BE_PAID' && (order.payment as { current: unknown }).current)!;
  const heldBox = oldBoxes().find((box) => box._id.equals(held.items[0]!.boxId))!;
  const cancel = await apiClient(server.url, tokens.get(held.openid)!).post<Order>(`/api/orders/${held._id.toHexString()}/cancel`);
  expect(cancel.status).toBe(200);
  const afterCancel = JSON.parse((await runAdminCommand(container, ['stock', heldBox.slug, '--json'])).output) as { available: number; held: number };
  expect(afterCancel.available).toBe(heldBox.stock + held.items[0]!.quantity);

  // The one never prepaid can be paid and is drawn under today's rules.
  const unpaid = oldOrders.find((order) => order.status === 'TO_BE_PAID' && !(order.payment as { current: unknown }).current)!;
  const api = apiClient(server.url, tokens.get(unpaid.openid)!);
  const pay = await api.post<{ package: string }>(`/api/orders/${unpaid._id.toHexString()}/pay/jsapi`);
  expect(pay.status).toBe(200);
  await payAtSimulator(server.simulatorUrl, prepayIdOf(pay.body.package));
  const paid = await waitUntil(
    async () => {
      const { body } = await api.get<Order>(`/api/orders/${unpaid._id.toHexString()}`);
      return body.status === 'TO_BE_DELIVERED' ? body : null;
    },
    30_000,
    'the migrated order paid and drawn',
  );
  expect(paid.draws).toHaveLength(unpaid.items[0]!.quantity);

  // Migrating again changes nothing.
  const again = runMigrateCli(dbName);
  expect(again.status).toBe(0);
  expect(again.stdout).toContain('up to date');
});

test('a new database is stamped current; one migrated by a newer version is refused', async () => {
  const db = await connectDatabase({ uri: testEnv().mongodbUri, dbName: uniqueDbName('schema'), poolSize: 2 });
  try {
    await assertSchemaCurrent(db);
    expect(await schemaStatus(db)).toEqual({ applied: MIGRATIONS.map((migration) => migration.name), pending: [], unknown: [] });
    await db.db!.collection<{ _id: string }>('schemaversion').updateOne({ _id: 'schema' }, { $addToSet: { applied: '9999-from-the-future' } });
    await expect(assertSchemaCurrent(db)).rejects.toThrow(/newer version.*9999-from-the-future/);
  } finally {
    await db.close();
  }
});

/** The session token's openid (the simulator derives it from the login code, as it did for 0.1.0). */
function openidOfToken(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { openid: string }).openid;
}
