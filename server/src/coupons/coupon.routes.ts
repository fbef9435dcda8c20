import Router from '@koa/router';
import type { Coupon } from '@blindbox/shared';
import type { Container } from '../container';
import { currentUserId, requireUser } from '../users/require-user';
import { couponModel, type CouponDoc } from './coupon.model';

/**
 * Expiry is derived at read time instead of stored by a sweep: an AVAILABLE coupon past its expiry is
 * EXPIRED the instant it passes, with no job to lag behind. LOCKED and USED stay as stored, because an
 * order already holds the coupon and its fate follows the order.
 */
export function couponStatusAt(coupon: Pick<CouponDoc, 'state' | 'expiresAt'>, now: Date): Coupon['status'] {
  if (coupon.state === 'AVAILABLE' && coupon.expiresAt.getTime() <= now.getTime()) return 'EXPIRED';
  return coupon.state;
}

function toCouponDto(doc: CouponDoc, now: Date): Coupon {
  return {
    id: doc._id.toHexString(),
    title: doc.title,
    amountOffFen: doc.amountOffFen,
    percentOffBp: doc.percentOffBp ?? null,
    maxOffFen: doc.maxOffFen ?? null,
    minSpendFen: doc.minSpendFen,
    expiresAt: doc.expiresAt.toISOString(),
    status: couponStatusAt(doc, now),
  };
}

export function couponRoutes({ db, sessions }: Pick<Container, 'db' | 'sessions'>): Router {
  const Coupon = couponModel(db);
  const router = new Router({ prefix: '/api/coupons' });
  router.use(requireUser(sessions));

  router.get('/', async (ctx) => {
    const docs = await Coupon.find({ userId: currentUserId(ctx) }).sort({ expiresAt: 1, _id: 1 }).lean();
    const now = new Date();
    ctx.body = { items: docs.map((doc) => toCouponDto(doc, now)) };
  });

  return router;
}
