import Router from '@koa/router';
import type { Context } from 'koa';
import { bindPhoneRequestSchema, mainlandPhoneSchema, phoneLoginRequestSchema, smsCodeRequestSchema, type BindPhoneResponse, type LoginResponse, type SmsCodeResponse } from '@blindbox/shared';
import type { Container } from '../container';
import { perMinuteLimit } from '../http/rate-limit';
import { PlatformError, INVALID_PHONE_CODE_ERRCODE } from '../shipping/mini-program-platform';
import { currentUserId, requireUser } from './require-user';
import { userModel, type UserDoc } from './user.model';
import { InvalidPhoneCode } from './user-errors';
import { NotFound } from '../domain-error';
import { welcomeIfNew } from './auth.routes';
import { couponTemplates } from '../coupons/coupon-templates';
import { maskedPhone } from '../sms/phone-codes';

/**
 * Phone sign-in for the H5/PC shop (an SMS code) and binding the number in the mini-program (WeChat's
 * getPhoneNumber button): both end in the same session token the mini-program's login gives.
 */
export function phoneAuthRoutes({ config, db, sessions, phoneCodes, phoneAccounts, platform }: Pick<Container, 'config' | 'db' | 'sessions' | 'phoneCodes' | 'phoneAccounts' | 'platform'>): Router {
  const router = new Router();
  const templates = couponTemplates(db);
  const User = userModel(db);
  // The send limits of sms-send-limits.ts are the real guard; this one keeps a single client from hammering the
  // routes (code guesses included: five tries per code, and this many requests a minute).
  const limit = perMinuteLimit(db, config.RATE_LIMIT_LOGIN_PER_MINUTE, (ctx) => `phone-login:${ctx.ip}`);

  const sessionOf = (user: UserDoc, openid: string) => {
    const session = sessions.issue({ id: user._id.toHexString(), openid });
    return { token: session.token, expiresAt: session.expiresAt.toISOString(), user: { id: user._id.toHexString() } } satisfies LoginResponse;
  };

  router.post('/api/auth/sms-code', limit, async (ctx: Context) => {
    const { phone } = smsCodeRequestSchema.parse(ctx.request.body);
    ctx.body = (await phoneCodes.send(phone, ctx.ip || 'unknown')) satisfies SmsCodeResponse;
  });

  router.post('/api/auth/phone-login', limit, async (ctx: Context) => {
    const { phone, code } = phoneLoginRequestSchema.parse(ctx.request.body);
    await phoneCodes.consume(phone, code);
    const now = new Date();
    const { user, created } = await phoneAccounts.signIn(phone, now);
    if (created) await welcomeIfNew(templates, user._id, now, ctx.state.log);
    ctx.body = sessionOf(user, user.openid);
  });

  router.post('/api/me/phone', requireUser(sessions), limit, async (ctx: Context) => {
    const { code } = bindPhoneRequestSchema.parse(ctx.request.body);
    const number = await platform.getPhoneNumber(code).catch((error: unknown) => {
      if (error instanceof PlatformError && error.errcode === INVALID_PHONE_CODE_ERRCODE) throw new InvalidPhoneCode('WeChat refused the phone-number code');
      throw error;
    });
    // Only mainland numbers sign in (the SMS route takes no other); WeChat also hands out foreign ones.
    const phone = mainlandPhoneSchema.safeParse(number.purePhoneNumber);
    if (number.countryCode !== '86' || !phone.success) throw new InvalidPhoneCode('only mainland China mobile numbers can be bound');
    const session = await User.findById(currentUserId(ctx)).lean<UserDoc>();
    if (!session) throw new NotFound('user');
    const { user, merged } = await phoneAccounts.bindWechatPhone(await phoneAccounts.survivorOf(session), phone.data, new Date());
    // The mini-program pays with the WeChat identity of this session, whichever account it now reaches.
    ctx.body = { ...sessionOf(user, ctx.state.openid ?? user.openid), phone: maskedPhone(phone.data), merged } satisfies BindPhoneResponse;
  });

  return router;
}
