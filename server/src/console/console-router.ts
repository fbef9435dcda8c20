import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { CONSOLE_API_PREFIX, CONSOLE_CSRF_HEADER, CONSOLE_ERROR_MESSAGES, CONSOLE_SESSION_COOKIE, roleMay, type ConsoleAction } from '@blindbox/shared';
import type { Container } from '../container';
import { recordingChanges, type ChangeRecorder } from '../admin/admin-audit';
import { toErrorBody } from '../http/error-handler';
import { bindLog } from '../http/request-log';
import type { StaffDoc } from '../staff/staff.model';
import type { StaffSessionDoc } from '../staff/staff-session.model';
import { Forbidden, PasswordChangeRequired, TotpEnrolmentRequired } from '../staff/staff-errors';

/** The logged-in staff member a console handler acts for. */
export interface ConsoleCaller {
  staff: StaffDoc;
  session: StaffSessionDoc;
  /** How the member appears in audits and order histories. */
  actor: string;
  /** Makes a change recorded in the admin audit with this member as actor. */
  change: ChangeRecorder;
}

export type ConsoleHandler = (ctx: Context, caller: ConsoleCaller) => Promise<void>;

/**
 * What a route needs: a role action from ROLE_ACTIONS (checked on every request), or 'self' for the member's own
 * account (me, password, two-factor, logout), which works before the password is changed and 2FA enrolled.
 */
export type ConsoleGate = ConsoleAction | 'self';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Codes whose own message is Chinese a staff member can act on. */
const STAFF_READABLE = new Set(['VALIDATION_ERROR', 'WECHATPAY_REFUSED', 'PICTURE_REFUSED', 'CATALOG_ZIP_REFUSED', 'CATALOG_FILES_INVALID', 'IMPORT_REFUSED']);

export const staffActor = (staff: Pick<StaffDoc, 'username'>) => `staff:${staff.username}`;

/** Errors in the console's shape: the code as everywhere, a Chinese message for staff, the detail for support. */
export function consoleErrors(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const body = toErrorBody(error);
      if (body.status >= 500) ctx.state.log.error({ err: error }, 'console request failed');
      const zh = CONSOLE_ERROR_MESSAGES[body.code];
      ctx.status = body.status;
      if (body.status === 503 || body.status === 429) ctx.set('Retry-After', ctx.response.get('Retry-After') || '5');
      ctx.body = {
        ...body.details,
        code: body.code,
        // Validation messages are mostly the schemas' own Chinese, WeChat Pay's refusals, a picture's or a catalog import's refusal their own: shown after the generic words.
        message: STAFF_READABLE.has(body.code) ? `${zh}：${body.message}` : (zh ?? body.message),
        detail: body.message,
      };
    }
  };
}

export function setSessionCookie(ctx: Context, container: Container, token: string, expires: Date): void {
  ctx.cookies.set(CONSOLE_SESSION_COOKIE, token, { ...cookieOptions(ctx, container), expires });
}

export function clearSessionCookie(ctx: Context, container: Container): void {
  // Expired at the epoch: the browser drops the cookie at once.
  const expires = new Date(0);
  ctx.cookies.set(CONSOLE_SESSION_COOKIE, '', { ...cookieOptions(ctx, container), expires });
}

/**
 * HttpOnly, SameSite=Strict, Secure. Secure is dropped only in development over plain http (the demo on
 * localhost); behind a TLS-terminating proxy the request looks like http but the browser's side is https, so
 * the flag is kept (Koa refuses to set a Secure cookie on an http request unless told the connection is secure).
 */
function cookieOptions(ctx: Context, { config }: Container) {
  const secure = !(config.NODE_ENV === 'development' && !ctx.secure);
  if (secure) ctx.cookies.secure = true;
  return { httpOnly: true, sameSite: 'strict' as const, secure, path: '/', overwrite: true };
}

/** A router under /api/console whose routes each name their gate; `open` routes (login) have none. */
export function consoleRouter(container: Container) {
  const router = new Router({ prefix: CONSOLE_API_PREFIX });
  router.use(consoleErrors());
  router.use(async (ctx, next) => {
    // Staff data: never kept by a browser or proxy cache.
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  async function callerOf(ctx: Context, gate: ConsoleGate): Promise<ConsoleCaller> {
    const { session, staff } = await container.staffAuth.authenticate(ctx.cookies.get(CONSOLE_SESSION_COOKIE));
    if (STATE_CHANGING.has(ctx.method)) container.staffAuth.checkCsrf(session, ctx.get(CONSOLE_CSRF_HEADER));
    if (gate !== 'self') {
      if (staff.passwordChangeRequired) throw new PasswordChangeRequired('change the one-time password first');
      if (!staff.totpSecret && container.staffAuth.totpRequiredFor(staff.role)) throw new TotpEnrolmentRequired('enrol two-factor first');
      if (!roleMay(staff.role, gate)) throw new Forbidden(`${staff.role} may not ${gate}`);
    }
    bindLog(ctx.state, { staff: staff.username });
    const actor = staffActor(staff);
    return { staff, session, actor, change: recordingChanges(container.audit, actor) };
  }

  const guarded =
    (gate: ConsoleGate, handler: ConsoleHandler): Middleware =>
    async (ctx) =>
      handler(ctx, await callerOf(ctx, gate));

  return {
    router,
    get: (path: string, gate: ConsoleGate, handler: ConsoleHandler) => router.get(path, guarded(gate, handler)),
    post: (path: string, gate: ConsoleGate, handler: ConsoleHandler) => router.post(path, guarded(gate, handler)),
    patch: (path: string, gate: ConsoleGate, handler: ConsoleHandler) => router.patch(path, guarded(gate, handler)),
  };
}

export type ConsoleRoutes = ReturnType<typeof consoleRouter>;
