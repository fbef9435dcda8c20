import { couponListSchema, type BoxPage, type Coupon, type Order } from '@blindbox/shared';
import { Types } from 'mongoose';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { apiClient } from '../../test/support/api-client';
import { buyer } from '../../test/fault/fault-support';
import { runAdminCommand } from '../admin/run-admin-command';
import { userModel } from '../users/user.model';
import { couponModel } from './coupon.model';
import { couponTemplateModel } from './coupon-template.model';
import { couponDiscountFen } from '../orders/pricing';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

const admin = (...argv: string[]) => runAdminCommand(server.container, argv, { osUser: 'coupon-test' });
const audit = async () => JSON.parse((await admin('audit', '--limit', '1000', '--json')).output) as Array<{ command: string; target: string; actor: string; before: unknown; after: unknown }>;
const userIdOf = (token: string) => server.container.sessions.verify(token)!.userId;
async function couponsOf(token: string): Promise<Coupon[]> {
  const { body } = await apiClient(server.url, token).get('/api/coupons');
  return couponListSchema.parse(body).items;
}

test('a new shopper gets the welcome template\'s coupon; another template can take its place, and switching it off stops it', async () => {
  expect((await couponsOf(await server.login('dev-welcome-1'))).map((c) => [c.title, c.amountOffFen, c.minSpendFen])).toEqual([['新人券 ¥5', 500, 3000]]);

  const auditBefore = (await audit()).length;
  expect((await admin('coupon', 'create', 'NEW8', '--amount-off', '800', '--valid-days', '7', '--welcome', '--dry-run')).exitCode).toBe(0);
  expect(await couponTemplateModel(server.container.db).countDocuments({ code: 'NEW8' })).toBe(0);
  expect(await audit()).toHaveLength(auditBefore);
  expect((await admin('coupon', 'create', 'NEW8', '--amount-off', '800', '--valid-days', '7', '--welcome')).exitCode).toBe(0);
  expect((await audit())[0]).toMatchObject({ actor: 'coupon-test', command: 'coupon create', target: 'coupon:NEW8', before: null, after: { amountOffFen: 800, validDays: 7, welcome: true } });
  const [coupon] = await couponsOf(await server.login('dev-welcome-2'));
  expect(coupon).toMatchObject({ title: '立减¥8.00', amountOffFen: 800, minSpendFen: 0 });
  expect(Date.parse(coupon!.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
  expect(Date.parse(coupon!.expiresAt) - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
  const list = JSON.parse((await admin('coupon', 'list', '--json')).output) as Array<{ code: string; welcome: boolean; granted: number }>;
  expect(list.map((t) => [t.code, t.welcome, t.granted])).toEqual([['NEW8', true, 1], ['WELCOME5', false, 1]]);

  const before = (await audit()).length;
  expect((await admin('coupon', 'welcome', '--off', '--dry-run')).exitCode).toBe(0);
  expect(await audit()).toHaveLength(before);
  expect((await admin('coupon', 'welcome', '--off', '--as', 'ops-eve')).exitCode).toBe(0);
  expect((await audit())[0]).toMatchObject({ actor: 'ops-eve', command: 'coupon welcome', before: { code: 'NEW8' }, after: { code: null } });
  expect(await couponsOf(await server.login('dev-welcome-3'))).toEqual([]);

  expect((await admin('coupon', 'welcome', 'WELCOME5')).exitCode).toBe(0);
  expect((await couponsOf(await server.login('dev-welcome-4'))).map((c) => c.title)).toEqual(['新人券 ¥5']);
  expect((await admin('coupon', 'welcome', 'NOPE')).exitCode).toBe(1);
  expect((await admin('coupon', 'welcome')).exitCode).toBe(2);
});

test('a percentage coupon prices in whole fen, rounded down, under its cap', () => {
  expect(couponDiscountFen({ amountOffFen: 0, percentOffBp: 1234, maxOffFen: null }, 5900)).toBe(728); // 728.06
  expect(couponDiscountFen({ amountOffFen: 0, percentOffBp: 1234, maxOffFen: 500 }, 5900)).toBe(500);
  expect(couponDiscountFen({ amountOffFen: 300, percentOffBp: null, maxOffFen: null }, 5900)).toBe(300);
});

test('a granted percentage coupon takes whole fen off an order, and its quote and order agree', async () => {
  const shopper = await buyer(server, 'dev-percent-buyer');
  expect((await admin('coupon', 'create', 'PCT12', '--percent-off', '1234', '--min-spend', '3000', '--title', '周年庆 87.66 折')).exitCode).toBe(0);
  expect((await admin('coupon', 'grant', 'PCT12', '--to', userIdOf(shopper.token))).exitCode).toBe(0);
  const coupon = (await couponsOf(shopper.token)).find((c) => c.title === '周年庆 87.66 折')!;
  expect(coupon).toMatchObject({ amountOffFen: 0, percentOffBp: 1234, maxOffFen: null, minSpendFen: 3000 });
  const box = (await shopper.api.get<BoxPage>('/api/boxes')).body.items.find((b) => b.priceFen === 5900)!;
  const items = [{ boxId: box.id, quantity: 1 }];
  expect((await shopper.api.post('/api/orders/quote', { items, couponId: coupon.id })).body).toEqual({ subtotalFen: 5900, discountFen: 728, totalFen: 5172 });
  const order = await shopper.orderNow(items, coupon.id);
  expect(order).toMatchObject({ subtotalFen: 5900, discountFen: 728, totalFen: 5172 });
  expect((await couponModel(server.container.db).findById(coupon.id).lean())?.state).toBe('LOCKED');
  expect((await shopper.api.post<Order>(`/api/orders/${order.id}/cancel`)).body.status).toBe('CLOSED');
  expect((await couponModel(server.container.db).findById(coupon.id).lean())?.state).toBe('AVAILABLE');
});

test('20 concurrent grants of a coupon with 5 left grant exactly 5, each audited; a dry run grants none', async () => {
  expect((await admin('coupon', 'create', 'FIVE', '--amount-off', '200', '--quantity', '5')).exitCode).toBe(0);
  const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => server.login(`dev-grant-${i}`)));
  const users = await userModel(server.container.db).find({ _id: { $in: tokens.map((t) => new Types.ObjectId(userIdOf(t))) } }).lean();
  const auditBefore = (await audit()).length;

  expect((await admin('coupon', 'grant', 'FIVE', '--to', users[0]!.openid, '--dry-run')).exitCode).toBe(0);
  expect(await couponModel(server.container.db).countDocuments({ templateCode: 'FIVE' })).toBe(0);
  expect(await audit()).toHaveLength(auditBefore);

  // Half by user id, half by openid.
  const results = await Promise.all(users.map((user, i) => admin('coupon', 'grant', 'FIVE', '--to', i % 2 ? user.openid : user._id.toHexString())));
  expect(results.filter((r) => r.exitCode === 0)).toHaveLength(5);
  expect(results.filter((r) => r.exitCode === 1).map((r) => r.output.includes('COUPON_EXHAUSTED'))).toEqual(Array(15).fill(true));
  expect(await couponModel(server.container.db).countDocuments({ templateCode: 'FIVE' })).toBe(5);
  expect(await couponTemplateModel(server.container.db).findOne({ code: 'FIVE' }).lean()).toMatchObject({ quantity: 5, remaining: 0, granted: 5 });
  const grants = (await audit()).filter((entry) => entry.command === 'coupon grant' && entry.target === 'coupon:FIVE');
  expect(grants).toHaveLength(5);
  expect(grants[0]).toMatchObject({ actor: 'coupon-test', after: { couponId: expect.any(String) } });

  expect((await admin('coupon', 'grant', 'FIVE', '--to', 'no-such-openid')).exitCode).toBe(1);
  expect((await admin('coupon', 'create', 'FIVE', '--amount-off', '100')).output).toContain('COUPON_CODE_TAKEN');
  expect((await admin('coupon', 'create', 'BOTH', '--amount-off', '100', '--percent-off', '1000')).exitCode).toBe(1);
  expect((await admin('coupon', 'frobnicate')).exitCode).toBe(2);
});
