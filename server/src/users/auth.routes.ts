import Router from '@koa/router';
import type { Connection, Types } from 'mongoose';
import { loginRequestSchema, type LoginResponse } from '@blindbox/shared';
import type { Container } from '../container';
import { AppError } from '../http/app-error';
import { perMinuteLimit } from '../http/rate-limit';
import { couponTemplates, type CouponTemplates } from '../coupons/coupon-templates';
import type { Logger } from '../logger';
import { InvalidLoginCodeError } from './wechat-login';
import { newClientSeed, userModel } from './user.model';
import { isDuplicateKeyError } from '../db/duplicate-key-error';

/**
 * Creates or touches the user and says whether this call created it. Concurrent first logins race on
 * the unique openid index: exactly one upsert inserts, and on MongoDB a loser may fail with a duplicate
 * key instead of matching, so it is retried once, when the document certainly exists.
 */
async function upsertUser(db: Connection, identity: { openid: string; unionid: string | null }, now: Date) {
  const User = userModel(db);
  const upsert = () =>
    User.findOneAndUpdate(
      { openid: identity.openid },
      { $set: { lastLoginAt: now, ...(identity.unionid ? { unionid: identity.unionid } : {}) }, $setOnInsert: { clientSeed: newClientSeed() } },
      { upsert: true, returnDocument: 'after', includeResultMetadata: true, lean: true },
    );
  const result = await upsert().catch((error: unknown) => {
    if (isDuplicateKeyError(error)) return upsert();
    throw error;
  });
  if (!result.value) throw new Error('user upsert returned no document');
  return { user: result.value, created: result.lastErrorObject?.updatedExisting === false };
}

/** The welcome coupon is the merchant's (admin coupon welcome): none when switched off or run out. */
export async function welcomeIfNew(templates: CouponTemplates, userId: Types.ObjectId, now: Date, log: Logger): Promise<void> {
  const welcome = await templates.grantWelcome(userId, now);
  log.info({ userId: userId.toHexString(), welcomeCoupon: welcome?.templateCode ?? null }, 'new user');
}

export function authRoutes({ config, db, wechatLogin, sessions, phoneAccounts }: Pick<Container, 'config' | 'db' | 'wechatLogin' | 'sessions' | 'phoneAccounts'>): Router {
  const router = new Router();
  const templates = couponTemplates(db);

  // Per client IP, failures included: guessing codes is what the limit is for, and it keeps one client
  // from spending WeChat's code2session quota for everyone. ctx.ip is the address TRUSTED_PROXY_HOPS
  // yields, so a client cannot pick its own bucket with X-Forwarded-For.
  const loginLimit = perMinuteLimit(db, config.RATE_LIMIT_LOGIN_PER_MINUTE, (ctx) => `login:${ctx.ip}`);

  router.post('/api/auth/login', loginLimit, async (ctx) => {
    const { code } = loginRequestSchema.parse(ctx.request.body);
    const identity = await wechatLogin.code2session(code).catch((error: unknown) => {
      if (error instanceof InvalidLoginCodeError) throw new AppError(401, 'INVALID_LOGIN_CODE', 'the login code is invalid or already used');
      throw error;
    });
    const now = new Date();
    const { user, created } = await upsertUser(db, identity, now);
    if (created) await welcomeIfNew(templates, user._id, now, ctx.state.log);
    // An account folded into another by binding a phone signs in there, still paying as this WeChat user.
    const account = await phoneAccounts.survivorOf(user);
    const session = sessions.issue({ id: account._id.toHexString(), openid: user.openid });
    ctx.body = { token: session.token, expiresAt: session.expiresAt.toISOString(), user: { id: account._id.toHexString() } } satisfies LoginResponse;
  });

  return router;
}
