import type { Context, Middleware } from 'koa';
import { isObjectIdOrHexString, Types } from 'mongoose';
import { unauthorized } from '../http/app-error';
import type { SessionTokens } from './session-tokens';
import { bindLog } from '../http/request-log';

const BEARER = /^Bearer (\S+)$/i;

/** Lets the request through only with a valid session token, and tells later middleware whose it is. */
export function requireUser(sessions: SessionTokens): Middleware {
  return async (ctx, next) => {
    const token = BEARER.exec(ctx.get('authorization'))?.[1];
    if (!token) throw unauthorized();
    const claims = sessions.verify(token);
    if (!claims || !isObjectIdOrHexString(claims.userId)) throw unauthorized('session is invalid or expired');
    ctx.state.userId = claims.userId;
    ctx.state.openid = claims.openid;
    bindLog(ctx.state, { userId: claims.userId });
    return next();
  };
}

/** The logged-in user's id; only meaningful behind requireUser, and fails closed if it was forgotten. */
export function currentUserId(ctx: Pick<Context, 'state'>): Types.ObjectId {
  const userId = ctx.state.userId;
  if (!userId) throw unauthorized();
  return new Types.ObjectId(userId);
}
