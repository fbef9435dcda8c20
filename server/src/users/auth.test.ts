import { Types } from 'mongoose';
import { couponModel } from '../coupons/coupon.model';
import { apiClient } from '../../test/support/api-client';
import { startTestServer } from '../../test/support/test-server';
import { seedWelcomeCoupon } from '../coupons/seed-coupons';
import { userModel } from './user.model';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ seed: false });
  // The demo's welcome coupon template, without the rest of the catalog.
  await seedWelcomeCoupon(server.container.db);
});
afterAll(() => server.stop());

const login = (code: unknown) => apiClient(server.url).post<Record<string, unknown>>('/api/auth/login', { code });

function userIdOf(result: { body: Record<string, unknown> }): string {
  return (result.body.user as { id: string }).id;
}

describe('POST /api/auth/login', () => {
  it('logs the same code in as the same user, with a session token and its expiry', async () => {
    const first = await login('dev-alice');
    const second = await login('dev-alice');
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(userIdOf(second)).toBe(userIdOf(first));
    expect(typeof first.body.token).toBe('string');
    expect(Date.parse(first.body.expiresAt as string)).toBeGreaterThan(Date.now());

    const other = await login('dev-bob');
    expect(userIdOf(other)).not.toBe(userIdOf(first));
    expect(await userModel(server.container.db).countDocuments({ _id: { $in: [userIdOf(first), userIdOf(other)] } })).toBe(2);
  });

  it('gives a new account its own client seed at the first login and keeps it at the next', async () => {
    const User = userModel(server.container.db);
    const dave = userIdOf(await login('dev-dave'));
    const { clientSeed } = (await User.findById(dave).lean())!;
    expect(clientSeed).toMatch(/^[0-9a-f]{16}$/);
    await login('dev-dave');
    expect((await User.findById(dave).lean())!.clientSeed).toBe(clientSeed);
    expect((await User.findById(userIdOf(await login('dev-erin'))).lean())!.clientSeed).not.toBe(clientSeed);
  });

  it('updates lastLoginAt on every login', async () => {
    const carol = userIdOf(await login('dev-carol'));
    const User = userModel(server.container.db);
    const before = (await User.findById(carol).lean())!.lastLoginAt;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await login('dev-carol');
    const after = (await User.findById(carol).lean())!.lastLoginAt;
    expect(after.getTime()).toBeGreaterThan(before.getTime());
  });

  it('answers 401 INVALID_LOGIN_CODE when WeChat rejects the code', async () => {
    const { status, body } = await login('invalid');
    expect(status).toBe(401);
    expect(body.code).toBe('INVALID_LOGIN_CODE');
  });

  it('answers 400 for a missing or malformed code', async () => {
    expect((await login('')).status).toBe(400);
    expect((await login(42)).status).toBe(400);
    const { body } = await login('x'.repeat(129));
    expect(body.code).toBe('VALIDATION_ERROR');
  });

  it('grants the welcome coupon on the first login only, even when first logins race', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => login('dev-racing-newcomer')));
    expect(results.map((result) => result.status)).toEqual(Array(8).fill(200));
    const userIds = new Set(results.map(userIdOf));
    expect(userIds.size).toBe(1);
    await login('dev-racing-newcomer');

    const [userId] = [...userIds];
    const coupons = await couponModel(server.container.db).find({ userId: new Types.ObjectId(userId) }).lean();
    expect(coupons).toHaveLength(1);
    const coupon = coupons[0]!;
    expect(coupon).toMatchObject({ title: '新人券 ¥5', amountOffFen: 500, minSpendFen: 3000, state: 'AVAILABLE' });
    const daysValid = (coupon.expiresAt.getTime() - coupon.createdAt.getTime()) / (24 * 3600 * 1000);
    expect(daysValid).toBeCloseTo(30, 2);
  });

  it('hands out a token that the protected routes accept', async () => {
    const token = await server.login('dev-dave');
    expect((await apiClient(server.url, token).get('/api/coupons')).status).toBe(200);
  });
});

describe('protected routes', () => {
  it.each(['/api/addresses', '/api/coupons'])('%s answers 401 UNAUTHORIZED without a valid token', async (path) => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: 'Basic abc' }] as Record<string, string>[]) {
      const response = await fetch(`${server.url}${path}`, { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    }
  });
});
