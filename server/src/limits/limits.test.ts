import { GUARDIAN_DECLARATION_VERSION, type Box, type BoxPage, type Order, type Profile } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { apiClient } from '../../test/support/api-client';

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
