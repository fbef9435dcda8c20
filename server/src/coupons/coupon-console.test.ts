import { couponListSchema, type CouponTemplateRow, type ShopperMatch } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { createStaff, loginAs, type ConsoleClient } from '../../test/support/console';
import { apiClient } from '../../test/support/api-client';
import { shopper } from '../../test/support/shop';
import { changedDocuments, snapshotCollections } from '../../test/fault/fault-support';

let server: TestServer;
let operator: ConsoleClient;
let support: ConsoleClient;
let viewer: ConsoleClient;
beforeAll(async () => {
  server = await startTestServer();
  operator = await loginAs(server, await createStaff(server, 'coupon-operator', 'operator'));
  support = await loginAs(server, await createStaff(server, 'coupon-support', 'support'));
  viewer = await loginAs(server, await createStaff(server, 'coupon-viewer', 'viewer'));
});
afterAll(async () => {
  await server?.stop();
});

const templates = async () => (await viewer.get<{ items: CouponTemplateRow[] }>('/coupons')).body.items;
const auditOf = async (code: string) => (await server.container.audit.find({ target: `coupon:${code}`, from: new Date(0), to: new Date(Date.now() + 86_400_000) }, 0, 50)).entries;

test('an operator makes a template; support finds a shopper by openid or shipping phone and grants it until none is left; every step audited', async () => {
  const made = await operator.post<CouponTemplateRow>('/coupons', { code: 'SORRY10', amountOffFen: 1000, minSpendFen: 5000, validDays: 7, quantity: 2 });
  expect(made.status).toBe(201);
  expect(made.body).toMatchObject({ code: 'SORRY10', title: '满¥50.00减¥10.00', quantity: 2, remaining: 2, granted: 0, welcome: false });
  expect((await operator.post<{ code: string }>('/coupons', { code: 'SORRY10', amountOffFen: 500 })).body.code).toBe('COUPON_CODE_TAKEN');
  const both = await operator.post<{ code: string; message: string }>('/coupons', { code: 'BOTH', amountOffFen: 500, percentOffBp: 1000 });
  expect([both.status, both.body.code]).toEqual([400, 'VALIDATION_ERROR']);
  expect(both.body.message).toContain('请在满减金额和折扣中选择一种');

  // Alice gave her phone in an order's shipping address; the account itself keeps none.
  const alice = await shopper(server, 'dev-coupon-alice');
  await alice.placeOrder();
  const aliceId = server.container.sessions.verify(alice.token)!.userId;
  const byPhone = (await support.get<{ items: ShopperMatch[] }>('/shoppers?q=13800138000')).body.items;
  expect(byPhone.map((match) => [match.userId, match.matchedBy])).toContainEqual([aliceId, 'phone']);
  const openid = byPhone.find((match) => match.userId === aliceId)!.openid;
  expect((await support.get<{ items: ShopperMatch[] }>(`/shoppers?q=${openid}`)).body.items).toEqual([expect.objectContaining({ userId: aliceId, matchedBy: 'openid' })]);
  expect((await support.get<{ items: ShopperMatch[] }>('/shoppers?q=o-nobody')).body.items).toEqual([]);

  const granted = await support.post<{ couponId: string; template: CouponTemplateRow; expiresAt: string }>('/coupons/SORRY10/grants', { userId: aliceId });
  expect(granted.status).toBe(201);
  expect(granted.body.template).toMatchObject({ granted: 1, remaining: 1 });
  const wallet = couponListSchema.parse((await apiClient(server.url, alice.token).get('/api/coupons')).body).items;
  expect(wallet.map((coupon) => [coupon.id, coupon.title, coupon.amountOffFen, coupon.minSpendFen])).toContainEqual([granted.body.couponId, '满¥50.00减¥10.00', 1000, 5000]);

  expect((await support.post('/coupons/SORRY10/grants', { userId: aliceId })).status).toBe(201);
  const exhausted = await support.post<{ code: string; message: string }>('/coupons/SORRY10/grants', { userId: aliceId });
  expect([exhausted.status, exhausted.body.code, exhausted.body.message]).toEqual([409, 'COUPON_EXHAUSTED', '该优惠券已发完']);
  expect((await templates()).find((t) => t.code === 'SORRY10')).toMatchObject({ granted: 2, remaining: 0, quantity: 2 });
  expect((await support.post<{ code: string }>('/coupons/NO-SUCH/grants', { userId: aliceId })).status).toBe(404);

  expect((await auditOf('SORRY10')).map((entry) => [entry.actor, entry.command])).toEqual([
    ['staff:coupon-support', 'coupon grant'],
    ['staff:coupon-support', 'coupon grant'],
    ['staff:coupon-operator', 'coupon create'],
  ]);
});

test('a percentage template becomes the welcome coupon from the console', async () => {
  expect((await operator.post('/coupons', { code: 'HELLO9', percentOffBp: 1000, maxOffFen: 2000, validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString() })).status).toBe(201);
  const switched = await operator.post<{ items: CouponTemplateRow[] }>('/coupons/welcome', { code: 'HELLO9' });
  expect(switched.body.items.filter((t) => t.welcome).map((t) => [t.code, t.title])).toEqual([['HELLO9', '9折券（最高减¥20.00）']]);
  const newcomer = await server.login('dev-coupon-newcomer');
  expect(couponListSchema.parse((await apiClient(server.url, newcomer).get('/api/coupons')).body).items.map((coupon) => coupon.title)).toEqual(['9折券（最高减¥20.00）']);
  expect((await auditOf('welcome'))[0]).toMatchObject({ actor: 'staff:coupon-operator', command: 'coupon welcome', after: { code: 'HELLO9' } });
});

test('templates and the welcome coupon are the operator\'s; grants need coupons.grant: the others get 403 and nothing changes', async () => {
  const someone = await shopper(server, 'dev-coupon-someone');
  const userId = server.container.sessions.verify(someone.token)!.userId;
  const before = await snapshotCollections(server, ['coupons', 'coupontemplates', 'adminauditentries']);
  const refusals: Array<[ConsoleClient, string, string, unknown]> = [
    [support, 'POST', '/coupons', { code: 'NOPE1', amountOffFen: 100 }],
    [support, 'POST', '/coupons/welcome', { code: null }],
    [viewer, 'POST', '/coupons', { code: 'NOPE2', amountOffFen: 100 }],
    [viewer, 'POST', '/coupons/welcome', { code: null }],
    [viewer, 'POST', '/coupons/WELCOME5/grants', { userId }],
    [viewer, 'GET', '/shoppers?q=13800138000', undefined],
  ];
  for (const [client, method, path, body] of refusals) {
    const answer = await client.call<{ code: string }>(method, path, body);
    expect([path, answer.status, answer.body.code]).toEqual([path, 403, 'FORBIDDEN']);
  }
  expect(changedDocuments(before, await snapshotCollections(server, ['coupons', 'coupontemplates', 'adminauditentries']))).toEqual([]);
});
