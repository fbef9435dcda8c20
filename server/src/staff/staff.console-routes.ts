import type { Context } from 'koa';
import {
  changePasswordRequestSchema,
  consoleLoginRequestSchema,
  createStaffRequestSchema,
  totpConfirmRequestSchema,
  updateStaffRequestSchema,
  type ConsoleSessionResponse,
} from '@blindbox/shared';
import type { Container } from '../container';
import { perMinuteLimit } from '../http/rate-limit';
import { clearSessionCookie, setSessionCookie, type ConsoleRoutes } from '../console/console-router';
import type { StaffDoc } from './staff.model';
import type { StaffSessionDoc } from './staff-session.model';
import { staffMe, staffRow } from './staff-view';

/** The largest refund a role may give alone: support's configured limit, nobody else's (owner: none; others may not refund). */
export const refundLimitFor = (container: Container, role: StaffDoc['role']): number | null =>
  role === 'support' ? container.config.CONSOLE_SUPPORT_REFUND_LIMIT_FEN : null;

function sessionResponse(container: Container, staff: StaffDoc, session: StaffSessionDoc): ConsoleSessionResponse {
  return {
    staff: staffMe(staff, container.staffAuth.totpRequiredFor(staff.role), refundLimitFor(container, staff.role)),
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt.toISOString(),
    idleTimeoutSeconds: container.config.CONSOLE_IDLE_TIMEOUT_MINUTES * 60,
  };
}

/** Login, logout, me, the member's own password and two-factor; the owner's staff management. */
export function staffConsoleRoutes(container: Container, routes: ConsoleRoutes): void {
  const { staffAuth, staff: accounts, db, config } = container;
  const loginName = (ctx: Context) => {
    const body = ctx.request.body as { username?: unknown } | undefined;
    return typeof body?.username === 'string' ? body.username.trim().toLowerCase().slice(0, 64) : '';
  };

  routes.router.post(
    '/auth/login',
    // Per address and per account name, counted in the database across server processes; the lockout after
    // CONSOLE_LOGIN_MAX_FAILURES is the account's own (staff-auth.ts).
    perMinuteLimit(db, config.CONSOLE_LOGIN_PER_ADDRESS_PER_MINUTE, (ctx) => `console-login-ip:${ctx.ip}`),
    perMinuteLimit(db, config.CONSOLE_LOGIN_PER_ACCOUNT_PER_MINUTE, (ctx) => `console-login-name:${loginName(ctx)}`),
    async (ctx) => {
      // JSON only: a cross-site form cannot send it, so no other site can log a browser in (login CSRF).
      if (!ctx.is('application/json')) {
        ctx.status = 415;
        ctx.body = { code: 'UNSUPPORTED_MEDIA_TYPE', message: '请求格式须为 JSON' };
        return;
      }
      const input = consoleLoginRequestSchema.parse(ctx.request.body);
      const { token, session, staff } = await staffAuth.login({ ...input, ip: ctx.ip, userAgent: ctx.get('user-agent') });
      setSessionCookie(ctx, container, token, session.expiresAt);
      ctx.body = sessionResponse(container, staff, session);
    },
  );

  routes.post('/auth/logout', 'self', async (ctx, { session }) => {
    await staffAuth.logout(session);
    clearSessionCookie(ctx, container);
    ctx.status = 204;
  });

  routes.get('/auth/me', 'self', async (ctx, { staff, session }) => {
    ctx.body = sessionResponse(container, staff, session);
  });

  routes.post('/auth/password', 'self', async (ctx, { staff, session, change }) => {
    const input = changePasswordRequestSchema.parse(ctx.request.body);
    await staffAuth.changePassword(staff, input.currentPassword, input.newPassword, session._id, change);
    ctx.body = sessionResponse(container, await accounts.get(staff._id.toHexString()), session);
  });

  routes.post('/auth/totp/enrol', 'self', async (ctx, { staff }) => {
    ctx.body = await staffAuth.enrolTotp(staff);
  });

  routes.post('/auth/totp/confirm', 'self', async (ctx, { staff, session, change }) => {
    const { code } = totpConfirmRequestSchema.parse(ctx.request.body);
    await staffAuth.confirmTotp(staff, code, change);
    ctx.body = sessionResponse(container, await accounts.get(staff._id.toHexString()), session);
  });

  routes.get('/staff', 'staff.view', async (ctx) => {
    ctx.body = { items: (await accounts.list()).map(staffRow) };
  });

  routes.post('/staff', 'staff.manage', async (ctx, { change }) => {
    const created = await accounts.create(createStaffRequestSchema.parse(ctx.request.body), change);
    ctx.status = 201;
    ctx.body = { staff: staffRow(created.staff), oneTimePassword: created.oneTimePassword };
  });

  routes.get('/staff/sessions', 'staff.view', async (ctx, { session: own }) => {
    const sessions = await staffAuth.liveSessions();
    ctx.body = {
      items: sessions.map((session) => ({
        id: session._id,
        staffId: session.staffId.toHexString(),
        username: session.username,
        createdAt: session.createdAt.toISOString(),
        lastSeenAt: session.lastSeenAt.toISOString(),
        expiresAt: session.expiresAt.toISOString(),
        ip: session.ip,
        userAgent: session.userAgent,
        current: session._id === own._id,
      })),
    };
  });

  routes.post('/staff/sessions/:id/revoke', 'staff.manage', async (ctx, { change }) => {
    await staffAuth.revokeSession(String(ctx.params.id), change);
    ctx.status = 204;
  });

  routes.patch('/staff/:id', 'staff.manage', async (ctx, { staff, change }) => {
    ctx.body = staffRow(await accounts.update(String(ctx.params.id), updateStaffRequestSchema.parse(ctx.request.body), staff._id, change));
  });

  routes.post('/staff/:id/reset-password', 'staff.manage', async (ctx, { change }) => {
    const reset = await accounts.resetPassword(String(ctx.params.id), change);
    ctx.body = { staff: staffRow(reset.staff), oneTimePassword: reset.oneTimePassword };
  });

  routes.post('/staff/:id/reset-2fa', 'staff.manage', async (ctx, { change }) => {
    ctx.body = staffRow(await accounts.resetTotp(String(ctx.params.id), change));
  });

  routes.post('/staff/:id/unlock', 'staff.manage', async (ctx, { change }) => {
    ctx.body = staffRow(await accounts.unlock(String(ctx.params.id), change));
  });
}
