import { GUARDIAN_DECLARATION_VERSION, type Box, type BoxPage, type Order, type Profile } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { apiClient } from '../../test/support/api-client';
import { Types } from 'mongoose';
import { dailyLimits } from './daily-limits';
import { ORPHAN_AGE_MS } from '../orders/order-state';
import { dailyCapsOneCounter } from '../migrations/0007-daily-caps-one-counter';
import { shopperCountersMoveToTheirDatabase } from '../migrations/0008-shopper-counters-move-to-their-database';

const CHEAP_BOX = '甜品精灵';
const PRICE_FEN = 3900;

// Caps low enough to hit: 5 units of the cheap box by spend, 3 draws per box per day.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { DAILY_SPEND_CAP_FEN: String(5 * PRICE_FEN), DAILY_DRAW_CAP_PER_BOX: '3' } });
});
afterAll(async () => {
  await server.stop();
});

async function shopperWith(code: string, age: Parameters<TestServer['login']>[1]) {
  const api = apiClient(server.url, await server.login(code, age));
  const { body: page } = await api.get<BoxPage>('/api/boxes?pageSize=50');
  const box = (name: string) => page.items.find((candidate) => candidate.name === name) as Box;
  const address = await api.post<{ id: string }>('/api/addresses', { name: '张三', phone: '13800138000', region: '上海市', detail: '世纪大道 1 号' });
  const order = (boxId: string, quantity = 1) => api.post<Order & { code?: string }>('/api/orders', { items: [{ boxId, quantity }], addressId: address.body.id });
  return { api, box, order };
}

const countBy = (results: Array<{ status: number; body: { code?: string } }>) => {
  const counts: Record<string, number> = {};
  for (const { status, body } of results) {
    const key = status === 201 ? '201' : `${status} ${body.code}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
};

test('the daily spend cap holds under 50 parallel orders from one shopper, refusing the rest with 409 DAILY_SPEND_LIMIT_REACHED', async () => {
  const shopper = await shopperWith('dev-limit-spend', 'ADULT');
  const boxes = ['星空猫咪', '机甲少年', CHEAP_BOX, '森林伙伴'].map((name) => shopper.box(name));
  // Spread over four boxes so only the spend cap (not the per-box draw cap of 3) can refuse.
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => shopper.order(boxes[i % 4]!.id)));
  const placed = results.filter((result) => result.status === 201).map((result) => result.body);
  expect(placed.reduce((sum, order) => sum + order.totalFen, 0)).toBeLessThanOrEqual(5 * PRICE_FEN);
  expect(placed.length).toBeGreaterThan(0);
  expect(results.filter((result) => result.status !== 201).every((result) => result.status === 409 && ['DAILY_SPEND_LIMIT_REACHED', 'DAILY_DRAW_LIMIT_REACHED'].includes(result.body.code ?? ''))).toBe(true);
  expect(countBy(results)['409 DAILY_SPEND_LIMIT_REACHED']).toBeGreaterThan(0);

  // A cancelled order gives its spend back the same day.
  const cancelled = await shopper.api.post(`/api/orders/${placed[0]!.id}/cancel`);
  expect(cancelled.status).toBe(200);
  const spent = placed.reduce((sum, order) => sum + order.totalFen, 0) - placed[0]!.totalFen;
  const again = await shopper.order(boxes.find((box) => spent + box.priceFen <= 5 * PRICE_FEN)?.id ?? boxes[2]!.id);
  if (spent + PRICE_FEN <= 5 * PRICE_FEN) expect(again.status).toBe(201);
});

test('the daily draw cap per box holds under 50 parallel orders: exactly 3 units, the rest 409 DAILY_DRAW_LIMIT_REACHED', async () => {
  const shopper = await shopperWith('dev-limit-draws', 'ADULT');
  const results = await Promise.all(Array.from({ length: 50 }, () => shopper.order(shopper.box(CHEAP_BOX).id)));
  const counts = countBy(results);
  expect(counts['201']).toBe(3);
  // Orders in flight hold spend they may give back a moment later, so some are refused by that cap instead.
  expect((counts['409 DAILY_DRAW_LIMIT_REACHED'] ?? 0) + (counts['409 DAILY_SPEND_LIMIT_REACHED'] ?? 0)).toBe(47);
  expect(counts['409 DAILY_DRAW_LIMIT_REACHED']).toBeGreaterThan(0);
  expect((await shopper.order(shopper.box(CHEAP_BOX).id)).body.code).toBe('DAILY_DRAW_LIMIT_REACHED');
});

test('the age gate: undeclared, under 8 and 8–17 without consent are refused with 422 and their codes, under 20 parallel orders each', async () => {
  const cases = [
    { code: 'dev-age-none', age: null, expected: 'AGE_NOT_DECLARED' },
    { code: 'dev-age-child', age: 'UNDER_8' as const, expected: 'AGE_RESTRICTED' },
  ];
  for (const { code, age, expected } of cases) {
    const shopper = await shopperWith(code, age);
    const results = await Promise.all(Array.from({ length: 20 }, () => shopper.order(shopper.box(CHEAP_BOX).id)));
    expect(countBy(results)).toEqual({ [`422 ${expected}`]: 20 });
  }

  const teen = await shopperWith('dev-age-teen', null);
  const declared = await teen.api.put<Profile>('/api/me/age', { bracket: 'MINOR_8_17' });
  expect(declared.body).toMatchObject({ ageBracket: 'MINOR_8_17', guardianConsentAt: null });
  const refused = await Promise.all(Array.from({ length: 20 }, () => teen.order(teen.box(CHEAP_BOX).id)));
  expect(countBy(refused)).toEqual({ '422 GUARDIAN_CONSENT_REQUIRED': 20 });
  // The guardian's consent is its own step (users/guardian-consent.test.ts); with it, the minor may order.
  const consented = await teen.api.post('/api/me/guardian-consent', {
    guardianName: '李妈妈',
    relationship: 'PARENT',
    guardianPhone: '13912345678',
    declarationVersion: GUARDIAN_DECLARATION_VERSION,
    limits: { dailySpendCapFen: 5 * PRICE_FEN, dailyDrawCapPerBox: 3 },
    declared: true,
  });
  expect(consented.status).toBe(201);
  const profile = (await teen.api.get<Profile>('/api/me')).body;
  expect(Date.parse(profile.guardianConsentAt ?? '')).toBeGreaterThanOrEqual(Date.parse(declared.body.ageDeclaredAt ?? ''));
  expect((await teen.order(teen.box(CHEAP_BOX).id)).status).toBe(201);
});

test('the age bracket is declared once: of 50 parallel declarations exactly one wins, the rest get 409 AGE_ALREADY_DECLARED', async () => {
  const shopper = await shopperWith('dev-age-race', null);
  const brackets = ['ADULT', 'UNDER_8', 'MINOR_8_17'] as const;
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => shopper.api.put<Profile & { code?: string }>('/api/me/age', { bracket: brackets[i % 3] })));
  const winners = results.filter((result) => result.status === 200);
  expect(winners).toHaveLength(1);
  expect(results.filter((result) => result.status !== 200).every((result) => result.status === 409 && result.body.code === 'AGE_ALREADY_DECLARED')).toBe(true);
  expect((await shopper.api.get<Profile>('/api/me')).body.ageBracket).toBe(winners[0]!.body.ageBracket);
  expect((await shopper.api.put<{ code: string }>('/api/me/age', { bracket: 'ADULT' })).body.code).toBe('AGE_ALREADY_DECLARED');
});

test('both daily caps are one counter of the shopper\'s day, taken and given back in one write each, and the sweep gives back what a crash left', async () => {
  const limits = dailyLimits(server.container.db, { DAILY_SPEND_CAP_FEN: 10_000, DAILY_DRAW_CAP_PER_BOX: 3 });
  const userId = new Types.ObjectId();
  const [boxA, boxB] = [new Types.ObjectId(), new Types.ObjectId()];
  const day = '2026-12-04';
  const checkAt = new Date(Date.now() + 60_000);
  const take = (orderId: Types.ObjectId, totalFen: number, lines: Array<{ boxId: Types.ObjectId; quantity: number }>) => ({ userId, orderId, day, totalFen, lines });

  const first = take(new Types.ObjectId(), 3000, [{ boxId: boxA, quantity: 2 }, { boxId: boxB, quantity: 1 }]);
  await limits.take(first, checkAt);
  await limits.take(first, checkAt); // a repeat counts nothing
  expect(await limits.used(userId, boxA, day)).toEqual({ spentFen: 3000, draws: 2 });
  expect(await limits.used(userId, boxB, day)).toEqual({ spentFen: 3000, draws: 1 });

  // Refused with the cap that stops it, taking nothing.
  await expect(limits.take(take(new Types.ObjectId(), 1000, [{ boxId: boxA, quantity: 2 }]), checkAt)).rejects.toMatchObject({ code: 'DAILY_DRAW_LIMIT_REACHED' });
  await expect(limits.take(take(new Types.ObjectId(), 7001, [{ boxId: boxB, quantity: 1 }]), checkAt)).rejects.toMatchObject({ code: 'DAILY_SPEND_LIMIT_REACHED' });
  expect(await limits.used(userId, boxA, day)).toEqual({ spentFen: 3000, draws: 2 });

  await limits.giveBack(first);
  await limits.giveBack(first); // once only
  expect(await limits.used(userId, boxA, day)).toEqual({ spentFen: 0, draws: 0 });

  // An order that was never stored (placing crashed): the sweep gives back its spend and its draws.
  const lost = take(new Types.ObjectId(), 2000, [{ boxId: boxB, quantity: 3 }]);
  await limits.take(lost, checkAt);
  expect(await limits.used(userId, boxB, day)).toEqual({ spentFen: 2000, draws: 3 });
  await server.container.holds.sweep(new Date(Date.now() + ORPHAN_AGE_MS + 120_000), 500);
  expect(await limits.used(userId, boxB, day)).toEqual({ spentFen: 0, draws: 0 });
});

/** The shoppers' counters where a version stored them: the stock database until 0008, their own after. */
const countersIn = (database: 'stock' | 'counts') =>
  server.container.db.useDb(`${server.container.db.name}_${database}`, { useCache: true }).db!.collection<{ _id: string } & Record<string, unknown>>('purchasequotas');
const migrate = async (...migrations: Array<typeof dailyCapsOneCounter>) => {
  for (const migration of migrations) await migration.up({ db: server.container.db, logger: server.container.logger, now: new Date() });
};

test('migration 0007 folds a day\'s spend counter and per-box draw counters into one, pending orders keeping what they took', async () => {
  const counters = countersIn('stock');
  const userId = new Types.ObjectId().toHexString();
  const [boxA, boxB] = [new Types.ObjectId().toHexString(), new Types.ObjectId().toHexString()];
  const [paid, unpaid] = [new Types.ObjectId(), new Types.ObjectId()];
  const day = '2026-12-03';
  const checkAt = new Date(Date.now() + 60_000);
  await counters.insertMany([
    { _id: `daily-spend:${day}:${userId}`, units: 5000, orders: [paid.toHexString(), unpaid.toHexString()], pending: [`${unpaid.toHexString()}:2000`], kind: 'daily', checkAt },
    { _id: `daily-draws:${day}:${boxA}:${userId}`, units: 3, orders: [paid.toHexString(), unpaid.toHexString()], pending: [`${unpaid.toHexString()}:1`], kind: 'daily', checkAt },
    { _id: `daily-draws:${day}:${boxB}:${userId}`, units: 1, orders: [paid.toHexString()], pending: [], kind: 'daily' },
  ]);
  await migrate(dailyCapsOneCounter, dailyCapsOneCounter);
  expect(await counters.countDocuments({ _id: { $in: [`daily-spend:${day}:${userId}`, `daily-draws:${day}:${boxA}:${userId}`, `daily-draws:${day}:${boxB}:${userId}`] } })).toBe(0);
  // An upgrade runs 0008 next: the folded counter is read from its own database from then on.
  await migrate(shopperCountersMoveToTheirDatabase);
  const limits = dailyLimits(server.container.db, { DAILY_SPEND_CAP_FEN: 10_000, DAILY_DRAW_CAP_PER_BOX: 3 });
  expect(await limits.used(new Types.ObjectId(userId), new Types.ObjectId(boxA), day)).toEqual({ spentFen: 5000, draws: 3 });
  expect(await limits.used(new Types.ObjectId(userId), new Types.ObjectId(boxB), day)).toEqual({ spentFen: 5000, draws: 1 });
  // The unpaid order closes: its spend and its draw go back from the one counter.
  await limits.giveBack({ userId: new Types.ObjectId(userId), orderId: unpaid, day, totalFen: 2000, lines: [{ boxId: new Types.ObjectId(boxA), quantity: 1 }] });
  expect(await limits.used(new Types.ObjectId(userId), new Types.ObjectId(boxA), day)).toEqual({ spentFen: 3000, draws: 2 });
  expect(await countersIn('counts').findOne({ _id: `daily:${day}:${userId}` })).toMatchObject({ orders: [paid.toHexString()], pending: [] });
});

test('migration 0008 moves the shoppers\' counters to their own database, finishing what a crash left half-moved', async () => {
  const [stock, counts] = [countersIn('stock'), countersIn('counts')];
  const userId = new Types.ObjectId().toHexString();
  const boxId = new Types.ObjectId().toHexString();
  const unpaid = new Types.ObjectId().toHexString();
  const quota = { _id: `quota:${boxId}:first:${userId}`, units: 2, orders: [unpaid], pending: [`${unpaid}:2`], kind: 'quota', checkAt: new Date(Date.now() + 60_000) };
  const daily = { _id: `daily:2026-12-05:${userId}`, units: 7800, parts: { [boxId]: 2 }, orders: [unpaid], pending: [`${unpaid}:7800:${boxId}=2`], kind: 'daily' };
  await stock.insertMany([quota, daily]);
  // A run that crashed after copying the daily counter and before deleting it: the copy is what stays.
  await counts.insertOne(daily);
  await migrate(shopperCountersMoveToTheirDatabase, shopperCountersMoveToTheirDatabase);
  expect(await stock.countDocuments({ _id: { $in: [quota._id, daily._id] } })).toBe(0);
  expect(await counts.find({ _id: { $in: [quota._id, daily._id] } }).sort({ _id: 1 }).toArray()).toEqual([daily, quota]);
  // Today's services read them there: the unpaid order's units are counted, and go back when it closes.
  const limits = dailyLimits(server.container.db, { DAILY_SPEND_CAP_FEN: 10_000, DAILY_DRAW_CAP_PER_BOX: 3 });
  expect(await limits.used(new Types.ObjectId(userId), new Types.ObjectId(boxId), '2026-12-05')).toEqual({ spentFen: 7800, draws: 2 });
});
