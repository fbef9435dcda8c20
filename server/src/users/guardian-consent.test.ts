import { Types } from 'mongoose';
import { GUARDIAN_DECLARATION_VERSION, guardianConsentViewSchema, type Box, type BoxPage, type GuardianConsentView, type Order, type Profile } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { apiClient } from '../../test/support/api-client';
import { userModel, type UserDoc } from './user.model';
import { orderModel } from '../orders/order.model';

const CHEAP_BOX = '甜品精灵';
const PRICE_FEN = 3900;
const LIMITS = { dailySpendCapFen: 4 * PRICE_FEN, dailyDrawCapPerBox: 3 };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { DAILY_SPEND_CAP_FEN: String(LIMITS.dailySpendCapFen), DAILY_DRAW_CAP_PER_BOX: String(LIMITS.dailyDrawCapPerBox) } });
});
afterAll(async () => {
  await server.stop();
});

type Failure = { code?: string; message?: string };

async function shopperWith(code: string, age: Parameters<TestServer['login']>[1]) {
  const token = await server.login(code, age);
  const api = apiClient(server.url, token);
  const userId = new Types.ObjectId(server.container.sessions.verify(token)!.userId);
  const { body: page } = await api.get<BoxPage>('/api/boxes?pageSize=50');
  const box = (name: string) => page.items.find((candidate) => candidate.name === name) as Box;
  const address = await api.post<{ id: string }>('/api/addresses', { name: '张三', phone: '13800138000', region: '上海市', detail: '世纪大道 1 号' });
  const order = (quantity = 1, extra: Record<string, unknown> = {}) =>
    api.post<Order & Failure>('/api/orders', { items: [{ boxId: box(CHEAP_BOX).id, quantity }], addressId: address.body.id, ...extra });
  const user = async () => (await userModel(server.container.db).findById(userId).lean<UserDoc>())!;
  return { api, userId, order, user };
}

const guardianForm = (overrides: Record<string, unknown> = {}) => ({
  guardianName: '李妈妈',
  relationship: 'PARENT',
  guardianPhone: '13912345678',
  declarationVersion: GUARDIAN_DECLARATION_VERSION,
  limits: LIMITS,
  declared: true,
  ...overrides,
});

test("the minor's own tap is no consent: PUT /api/me/age ignores guardianConsent and an order cannot carry one", async () => {
  const teen = await shopperWith('dev-guardian-tap', null);
  const declared = await teen.api.put<Profile>('/api/me/age', { bracket: 'MINOR_8_17', guardianConsent: true });
  expect(declared.body).toMatchObject({ ageBracket: 'MINOR_8_17', guardianConsentAt: null });
  expect((await teen.order()).body.code).toBe('GUARDIAN_CONSENT_REQUIRED');
  // Nothing in an order's request gives consent, whatever it carries.
  expect((await teen.order(1, { guardianConsent: true, guardian: guardianForm() })).body.code).toBe('GUARDIAN_CONSENT_REQUIRED');
  expect((await teen.user()).guardianConsent ?? null).toBeNull();

  // Stored by the old one-tap flow: a guardianConsentAt the minor set themselves counts for nothing.
  // Users stored before the consent fields existed have none at all.
  await userModel(server.container.db).collection.updateOne({ _id: teen.userId }, { $set: { 'age.guardianConsentAt': new Date() }, $unset: { guardianConsent: '' } });
  expect((await teen.api.get<Profile>('/api/me')).body.guardianConsentAt).toBeNull();
  expect((await teen.order()).status).toBe(422);
  // Their guardian gives consent on the page like anyone's.
  expect((await teen.api.post('/api/me/guardian-consent', guardianForm())).status).toBe(201);
  expect((await teen.order()).status).toBe(201);
});

test('the guardian form is validated field by field, in Chinese, and must confirm the current declaration and limits', async () => {
  const teen = await shopperWith('dev-guardian-form', 'MINOR_8_17');
  const cases: Array<[Record<string, unknown>, number, string]> = [
    [{ declared: false }, 400, '请监护人勾选确认以上声明'],
    [{ declared: undefined }, 400, '请监护人勾选确认以上声明'],
    [{ guardianName: ' ' }, 400, '请填写监护人姓名'],
    [{ guardianName: '李\n妈妈' }, 400, '监护人姓名不能包含换行'],
    [{ guardianPhone: '12345' }, 400, '监护人手机号须为 11 位'],
    [{ relationship: 'FRIEND' }, 400, '请选择监护人与用户的关系'],
    [{ declarationVersion: '2020-01-01' }, 409, 'GUARDIAN_DECLARATION_CHANGED'],
    [{ limits: { ...LIMITS, dailySpendCapFen: LIMITS.dailySpendCapFen - 100 } }, 409, 'GUARDIAN_DECLARATION_CHANGED'],
  ];
  for (const [override, status, expected] of cases) {
    const response = await teen.api.post<Failure>('/api/me/guardian-consent', guardianForm(override));
    expect([override, response.status]).toEqual([override, status]);
    expect(`${response.body.code} ${response.body.message}`).toContain(expected);
  }
  expect((await teen.user()).guardianConsent ?? null).toBeNull();
  expect((await teen.order()).body.code).toBe('GUARDIAN_CONSENT_REQUIRED');
});

test('a consent is recorded with server time, client address and declaration version; then the minor may order within the limits the rules page names', async () => {
  const teen = await shopperWith('dev-guardian-ok', 'MINOR_8_17');
  const view = await teen.api.get<GuardianConsentView>('/api/me/guardian-consent');
  expect(guardianConsentViewSchema.parse(view.body)).toEqual({ declarationVersion: GUARDIAN_DECLARATION_VERSION, limits: LIMITS, consent: null });

  const before = Date.now();
  const given = await teen.api.post<GuardianConsentView>('/api/me/guardian-consent', guardianForm({ givenAt: '2000-01-01T00:00:00Z' }));
  expect(given.status).toBe(201);
  expect(guardianConsentViewSchema.parse(given.body).consent).toMatchObject({
    guardianName: '李妈妈',
    relationship: 'PARENT',
    guardianPhone: '139****5678',
    declarationVersion: GUARDIAN_DECLARATION_VERSION,
    limits: LIMITS,
    current: true,
  });
  const stored = (await teen.user()).guardianConsent!;
  expect(stored).toMatchObject({ guardianName: '李妈妈', guardianPhone: '13912345678', declarationVersion: GUARDIAN_DECLARATION_VERSION, limits: LIMITS });
  // The server's time, never the client's; and where the request came from.
  expect(stored.givenAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
  expect(stored.givenAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  expect(stored.givenFrom).toMatch(/127\.0\.0\.1|::1/);
  expect((await teen.api.get<Profile>('/api/me')).body.guardianConsentAt).toBe(stored.givenAt.toISOString());

  // A second consent while one is in force is refused: revoke first.
  expect((await teen.api.post<Failure>('/api/me/guardian-consent', guardianForm({ guardianName: '李爸爸' }))).body.code).toBe('GUARDIAN_CONSENT_EXISTS');

  // The limits the rules page names hold for the minor: the daily spend cap (4 units) and the draw cap per box (3).
  expect((await teen.order(3)).status).toBe(201);
  expect((await teen.order(1)).body.code).toBe('DAILY_DRAW_LIMIT_REACHED');
});

test('the daily spend cap holds for a minor with consent', async () => {
  const teen = await shopperWith('dev-guardian-spend', 'MINOR_8_17');
  expect((await teen.api.post('/api/me/guardian-consent', guardianForm())).status).toBe(201);
  // 3 × ¥39 = ¥117 of the ¥156 cap; one 机甲少年 (¥69) more would pass it.
  expect((await teen.order(3)).status).toBe(201);
  const { body: page } = await teen.api.get<BoxPage>('/api/boxes?pageSize=50');
  const mecha = page.items.find((box) => box.name === '机甲少年')!;
  const addressId = (await teen.api.post<{ id: string }>('/api/addresses', { name: '张三', phone: '13800138000', region: '上海市', detail: '1 号' })).body.id;
  const over = await teen.api.post<Order & Failure>('/api/orders', { items: [{ boxId: mecha.id, quantity: 1 }], addressId });
  expect([over.status, over.body.code]).toEqual([409, 'DAILY_SPEND_LIMIT_REACHED']);
});

test('of 10 parallel consents exactly one is recorded', async () => {
  const teen = await shopperWith('dev-guardian-race', 'MINOR_8_17');
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => teen.api.post<Failure>('/api/me/guardian-consent', guardianForm({ guardianName: `监护人${i}` }))));
  expect(results.filter((result) => result.status === 201)).toHaveLength(1);
  expect(results.filter((result) => result.status !== 201).every((result) => result.status === 409 && result.body.code === 'GUARDIAN_CONSENT_EXISTS')).toBe(true);
  expect((await teen.user()).endedGuardianConsents ?? []).toEqual([]);
});

test('revoking ends the consent on record, closes what the minor left unpaid and refuses new orders; a new consent can be given', async () => {
  const teen = await shopperWith('dev-guardian-revoke', 'MINOR_8_17');
  expect((await teen.api.post('/api/me/guardian-consent', guardianForm())).status).toBe(201);
  const unpaid = await teen.order(1);
  expect(unpaid.status).toBe(201);

  const revoked = await teen.api.delete<GuardianConsentView>('/api/me/guardian-consent');
  expect(revoked.status).toBe(200);
  expect(revoked.body.consent).toBeNull();
  const user = await teen.user();
  expect(user.guardianConsent).toBeNull();
  expect(user.endedGuardianConsents).toHaveLength(1);
  expect(user.endedGuardianConsents![0]).toMatchObject({ guardianName: '李妈妈', endedBy: 'REVOKED', endedFrom: expect.stringMatching(/127\.0\.0\.1|::1/) });
  expect((await orderModel(server.container.db).findById(unpaid.body.id).lean())?.status).toBe('CLOSED');
  expect((await teen.order()).body.code).toBe('GUARDIAN_CONSENT_REQUIRED');
  expect((await teen.api.get<Profile>('/api/me')).body.guardianConsentAt).toBeNull();
  // Revoking again changes nothing.
  expect((await teen.api.delete('/api/me/guardian-consent')).status).toBe(200);
  expect((await teen.user()).endedGuardianConsents).toHaveLength(1);

  expect((await teen.api.post('/api/me/guardian-consent', guardianForm({ relationship: 'OTHER_GUARDIAN', guardianName: '王监护' }))).status).toBe(201);
  expect((await teen.order()).status).toBe(201);
});

test('a consent given to an older declaration or to lower limits no longer counts until the guardian confirms again', async () => {
  const teen = await shopperWith('dev-guardian-outdated', 'MINOR_8_17');
  expect((await teen.api.post('/api/me/guardian-consent', guardianForm())).status).toBe(201);
  const Users = userModel(server.container.db);
  // As if the shop raised its spend cap after the guardian agreed.
  await Users.updateOne({ _id: teen.userId }, { $set: { 'guardianConsent.limits.dailySpendCapFen': LIMITS.dailySpendCapFen - 1 } });
  expect((await teen.order()).body.code).toBe('GUARDIAN_CONSENT_OUTDATED');
  expect((await teen.api.get<GuardianConsentView>('/api/me/guardian-consent')).body.consent).toMatchObject({ current: false });
  expect((await teen.api.get<Profile>('/api/me')).body.guardianConsentAt).toBeNull();
  // As if the declaration's text changed.
  await Users.updateOne({ _id: teen.userId }, { $set: { 'guardianConsent.limits.dailySpendCapFen': LIMITS.dailySpendCapFen, 'guardianConsent.declarationVersion': 'older' } });
  expect((await teen.order()).body.code).toBe('GUARDIAN_CONSENT_OUTDATED');

  // The guardian confirms the current text: the outdated consent is kept as replaced.
  expect((await teen.api.post('/api/me/guardian-consent', guardianForm())).status).toBe(201);
  expect((await teen.user()).endedGuardianConsents).toMatchObject([{ declarationVersion: 'older', endedBy: 'REPLACED' }]);
  expect((await teen.order()).status).toBe(201);
});

test('consent is only for 8–17: adults, under-8s and undeclared shoppers cannot be given one', async () => {
  const adult = await shopperWith('dev-guardian-adult', 'ADULT');
  expect((await adult.api.post<Failure>('/api/me/guardian-consent', guardianForm())).body.code).toBe('GUARDIAN_CONSENT_NOT_APPLICABLE');
  const child = await shopperWith('dev-guardian-child', 'UNDER_8');
  expect((await child.api.post<Failure>('/api/me/guardian-consent', guardianForm())).body.code).toBe('GUARDIAN_CONSENT_NOT_APPLICABLE');
  expect((await child.order()).body.code).toBe('AGE_RESTRICTED');
  const undeclared = await shopperWith('dev-guardian-none', null);
  expect((await undeclared.api.post<Failure>('/api/me/guardian-consent', guardianForm())).body.code).toBe('AGE_NOT_DECLARED');
  expect((await adult.api.get<GuardianConsentView>('/api/me/guardian-consent')).body.consent).toBeNull();
});
