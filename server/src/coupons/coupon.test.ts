import { couponListSchema } from '@blindbox/shared';
import { Types } from 'mongoose';
import { apiClient } from '../../test/support/api-client';
import { startTestServer } from '../../test/support/test-server';
import { seedWelcomeCoupon } from './seed-coupons';
import { couponModel } from './coupon.model';
import { grantCoupon } from './grant-coupon';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ seed: false });
  // The demo's welcome coupon template, without the rest of the catalog.
  await seedWelcomeCoupon(server.container.db);
});
afterAll(() => server.stop());

const DAY_MS = 24 * 3600 * 1000;

async function listCoupons(token: string) {
  const { status, body } = await apiClient(server.url, token).get('/api/coupons');
  expect(status).toBe(200);
  return couponListSchema.parse(body).items;
}

describe('GET /api/coupons', () => {
  it('lists only the user’s coupons, deriving EXPIRED for available coupons past expiry', async () => {
    const token = await server.login('dev-coupon-owner');
    const userId = new Types.ObjectId(server.container.sessions.verify(token)!.userId);
    const db = server.container.db;
    const now = Date.now();

    const expired = await grantCoupon(db, userId, { title: 'expired', amountOffFen: 100, minSpendFen: 0, expiresAt: new Date(now - DAY_MS) });
    const usedAfterExpiry = await grantCoupon(db, userId, { title: 'used', amountOffFen: 200, minSpendFen: 0, expiresAt: new Date(now - 2 * DAY_MS) });
    const lockedAfterExpiry = await grantCoupon(db, userId, { title: 'locked', amountOffFen: 300, minSpendFen: 0, expiresAt: new Date(now - 3 * DAY_MS) });
    await couponModel(db).updateOne({ _id: usedAfterExpiry._id }, { $set: { state: 'USED', orderId: new Types.ObjectId() } });
    await couponModel(db).updateOne({ _id: lockedAfterExpiry._id }, { $set: { state: 'LOCKED', orderId: new Types.ObjectId() } });

    const stranger = await server.login('dev-coupon-stranger');
    const strangersCoupons = await listCoupons(stranger);

    const statusByTitle = Object.fromEntries((await listCoupons(token)).map((coupon) => [coupon.title, coupon.status]));
    expect(statusByTitle).toEqual({ '新人券 ¥5': 'AVAILABLE', expired: 'EXPIRED', used: 'USED', locked: 'LOCKED' });
    expect(strangersCoupons.map((coupon) => coupon.title)).toEqual(['新人券 ¥5']);
    expect(strangersCoupons.map((coupon) => coupon.id)).not.toContain(expired._id.toHexString());
  });

  it('returns amounts in fen and the expiry as an ISO date', async () => {
    const token = await server.login('dev-coupon-reader');
    const [welcome] = await listCoupons(token);
    expect(welcome).toMatchObject({ amountOffFen: 500, minSpendFen: 3000, status: 'AVAILABLE' });
    expect(Date.parse(welcome!.expiresAt)).toBeGreaterThan(Date.now() + 29 * DAY_MS);
  });
});

describe('grantCoupon', () => {
  it('refuses amounts that are not integer fen', async () => {
    const userId = new Types.ObjectId();
    await expect(grantCoupon(server.container.db, userId, { title: 't', amountOffFen: 1.5, minSpendFen: 0, expiresAt: new Date() })).rejects.toThrow(RangeError);
  });
});
