import { CONSOLE_SESSION_COOKIE, type ConsoleSessionResponse, type StaffRow } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { STAFF_PASSWORD, consoleClient, createStaff, loginAs, totpCode } from '../../test/support/console';
import { staffModel } from './staff.model';
import { runAdminCommand } from '../admin/run-admin-command';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    seed: false,
    env: {
      // Addresses come from X-Forwarded-For (one trusted proxy), so a test can speak from several.
      TRUSTED_PROXY_HOPS: '1',
      CONSOLE_REQUIRE_TOTP: 'true',
      CONSOLE_LOGIN_MAX_FAILURES: '3',
      CONSOLE_LOGIN_PER_ADDRESS_PER_MINUTE: '8',
      CONSOLE_LOGIN_PER_ACCOUNT_PER_MINUTE: '5',
      CONSOLE_IDLE_TIMEOUT_MINUTES: '30',
      CONSOLE_SESSION_HOURS: '12',
    },
  });
});
afterAll(async () => {
  await server?.stop();
});

const Staff = () => staffModel(server.container.db);

describe('login', () => {
  test('sets an HttpOnly, Secure, SameSite=Strict session cookie and answers the CSRF token; me works with it', async () => {
    const owner = await createStaff(server, 'cookie-owner', 'owner', { totp: true });
    const client = consoleClient(server, '10.0.0.1');
    const login = await client.post<ConsoleSessionResponse>('/auth/login', { username: owner.username, password: STAFF_PASSWORD, totp: await totpCode(owner.totpSecret!, server.clock.now()) });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(new RegExp(`^${CONSOLE_SESSION_COOKIE}=`));
    expect(cookie).toMatch(/; httponly/i);
    expect(cookie).toMatch(/; secure/i);
    expect(cookie).toMatch(/; samesite=strict/i);
    expect(login.body.staff).toMatchObject({ username: 'cookie-owner', role: 'owner', totpEnabled: true, totpEnrolmentRequired: false });
    expect(login.body.csrfToken.length).toBeGreaterThan(20);
    const me = await client.get<ConsoleSessionResponse>('/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.csrfToken).toBe(login.body.csrfToken);
    expect(me.headers.get('cache-control')).toBe('no-store');
  });

  test('wrong password and unknown name get the same answer, in Chinese; a non-JSON login is refused', async () => {
    await createStaff(server, 'same-answer', 'viewer');
    const wrong = await consoleClient(server, '10.0.1.1').post<{ code: string; message: string }>('/auth/login', { username: 'same-answer', password: 'not the password' });
    const unknown = await consoleClient(server, '10.0.1.2').post<{ code: string; message: string }>('/auth/login', { username: 'nobody-here', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.body.code).toBe('INVALID_CREDENTIALS');
    expect(wrong.body.message).toBe('用户名或密码错误');
    // A cross-site form (urlencoded) or a no-cors fetch of bytes without a content type cannot log a browser in.
    const form = await consoleClient(server, '10.0.1.3').call('POST', '/auth/login', `username=same-answer&password=${encodeURIComponent(STAFF_PASSWORD)}`, { contentType: 'application/x-www-form-urlencoded' });
    const untyped = await consoleClient(server, '10.0.1.4').call('POST', '/auth/login', new TextEncoder().encode(JSON.stringify({ username: 'same-answer', password: STAFF_PASSWORD })));
    expect([form.status, untyped.status]).toEqual([400, 415]);
    expect(form.headers.get('set-cookie')).toBeNull();
    expect(untyped.headers.get('set-cookie')).toBeNull();
  });
});

describe('TOTP', () => {
  test('an enrolled account needs a valid code; a used code is not accepted twice', async () => {
    const member = await createStaff(server, 'totp-member', 'operator', { totp: true });
    const client = consoleClient(server, '10.0.2.1');
    const missing = await client.post<{ code: string }>('/auth/login', { username: member.username, password: STAFF_PASSWORD });
    expect(missing.body.code).toBe('TOTP_REQUIRED');
    const wrong = await client.post<{ code: string }>('/auth/login', { username: member.username, password: STAFF_PASSWORD, totp: '000000' === (await totpCode(member.totpSecret!, server.clock.now())) ? '111111' : '000000' });
    expect(wrong.body.code).toBe('TOTP_INVALID');
    const code = await totpCode(member.totpSecret!, server.clock.now());
    expect((await client.post('/auth/login', { username: member.username, password: STAFF_PASSWORD, totp: code })).status).toBe(200);
    const replay = await consoleClient(server, '10.0.2.2').post<{ code: string }>('/auth/login', { username: member.username, password: STAFF_PASSWORD, totp: code });
    expect(replay.body.code).toBe('TOTP_INVALID');
    await Staff().updateOne({ username: member.username }, { $set: { failedLogins: 0 } });
  });

  test('owner and operator must enrol before anything else; enrol + confirm with a code from the secret unlocks the console', async () => {
    const fresh = await createStaff(server, 'must-enrol', 'operator');
    const client = await loginAs(server, fresh, '10.0.3.1');
    const me = await client.get<ConsoleSessionResponse>('/auth/me');
    expect(me.body.staff.totpEnrolmentRequired).toBe(true);
    const blocked = await client.get<{ code: string }>('/orders');
    expect(blocked.status).toBe(403);
    expect(blocked.body.code).toBe('TOTP_ENROLMENT_REQUIRED');
    const enrol = await client.post<{ secret: string; otpauthUrl: string }>('/auth/totp/enrol');
    expect(enrol.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    const wrong = await client.post<{ code: string }>('/auth/totp/confirm', { code: '12345' });
    expect(wrong.status).toBe(400);
    const confirmed = await client.post<ConsoleSessionResponse>('/auth/totp/confirm', { code: await totpCode(enrol.body.secret, server.clock.now()) });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.staff.totpEnabled).toBe(true);
    expect((await client.get('/orders')).status).toBe(200);
    // A support member needs no second factor, even here.
    const support = await loginAs(server, await createStaff(server, 'no-totp-support', 'support'), '10.0.3.2');
    expect((await support.get('/orders')).status).toBe(200);
  });

  test('a one-time password must be changed before anything else', async () => {
    const member = await createStaff(server, 'first-login', 'viewer', { mustChangePassword: true });
    const client = await loginAs(server, member, '10.0.3.3');
    expect((await client.get<{ code: string }>('/dashboard')).body.code).toBe('PASSWORD_CHANGE_REQUIRED');
    const short = await client.post<{ code: string }>('/auth/password', { currentPassword: STAFF_PASSWORD, newPassword: 'short' });
    expect(short.status).toBe(400);
    const changed = await client.post<ConsoleSessionResponse>('/auth/password', { currentPassword: STAFF_PASSWORD, newPassword: 'a much better passphrase' });
    expect(changed.body.staff.passwordChangeRequired).toBe(false);
    expect((await client.get('/dashboard')).status).toBe(200);
  });
});

describe('throttling and lockout', () => {
  test('failures in a row lock the account, even for the right password, until the owner unlocks it (audited)', async () => {
    const member = await createStaff(server, 'lock-me', 'viewer');
    const answers: string[] = [];
    for (let i = 0; i < 3; i += 1) answers.push((await consoleClient(server, `10.0.4.${i}`).post<{ code: string }>('/auth/login', { username: member.username, password: `guess ${i}` })).body.code);
    expect(answers).toEqual(['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'ACCOUNT_LOCKED']);
    const right = await consoleClient(server, '10.0.4.9').post<{ code: string; message: string }>('/auth/login', { username: member.username, password: STAFF_PASSWORD });
    expect(right.status).toBe(423);
    expect(right.body.message).toContain('锁定');

    const owner = await loginAs(server, await createStaff(server, 'unlocking-owner', 'owner', { totp: true }), '10.0.4.20');
    const listed = await owner.get<{ items: StaffRow[] }>('/staff');
    expect(listed.body.items.find((row) => row.username === 'lock-me')?.lockedAt).not.toBeNull();
    const unlocked = await owner.post<StaffRow>(`/staff/${listed.body.items.find((row) => row.username === 'lock-me')!.id}/unlock`);
    expect(unlocked.body).toMatchObject({ lockedAt: null, failedLogins: 0 });
    expect((await consoleClient(server, '10.0.4.21').post('/auth/login', { username: member.username, password: STAFF_PASSWORD })).status).toBe(200);
    const audit = await owner.get<{ items: Array<{ actor: string; command: string }> }>('/audit?target=staff:lock-me');
    expect(audit.body.items.map((entry) => `${entry.actor} ${entry.command}`)).toContain('staff:unlocking-owner staff unlock');
  });

  test('the CLI unlocks too, through the same service', async () => {
    const member = await createStaff(server, 'cli-unlock', 'viewer');
    await Staff().updateOne({ username: member.username }, { $set: { lockedAt: new Date(), failedLogins: 3 } });
    const result = await runAdminCommand(server.container, ['staff', 'unlock', 'cli-unlock'], { osUser: 'ops' });
    expect(result.exitCode).toBe(0);
    expect((await Staff().findOne({ username: 'cli-unlock' }).lean())!.lockedAt).toBeNull();
    const [entry] = await server.container.audit.since(new Date(Date.now() - 60_000), 1);
    expect(entry).toMatchObject({ actor: 'ops', command: 'staff unlock', target: 'staff:cli-unlock' });
  });

  test('one address is throttled across account names; one account name is throttled across addresses', async () => {
    const fromOne: number[] = [];
    for (let i = 0; i < 10; i += 1) fromOne.push((await consoleClient(server, '10.0.5.1').post('/auth/login', { username: `spray-${i}`, password: 'x' })).status);
    expect(fromOne.slice(0, 8).every((status) => status === 401)).toBe(true);
    expect(fromOne.slice(8)).toEqual([429, 429]);
    const limited = await consoleClient(server, '10.0.5.1').post<{ code: string; message: string }>('/auth/login', { username: 'spray-x', password: 'x' });
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);

    const oneName: number[] = [];
    for (let i = 0; i < 7; i += 1) oneName.push((await consoleClient(server, `10.0.6.${i}`).post('/auth/login', { username: 'target-name', password: 'x' })).status);
    expect(oneName.slice(0, 5).every((status) => status === 401)).toBe(true);
    expect(oneName.slice(5)).toEqual([429, 429]);
  });
});

describe('CSRF', () => {
  test('a state-changing request without the session\'s token is refused and changes nothing', async () => {
    const owner = await loginAs(server, await createStaff(server, 'csrf-owner', 'owner', { totp: true }), '10.0.7.1');
    const attempts = [
      await owner.call<{ code: string }>('POST', '/staff', { username: 'csrf-victim', role: 'owner' }, { csrf: null }),
      await owner.call<{ code: string }>('POST', '/staff', { username: 'csrf-victim', role: 'owner' }, { csrf: 'forged-token-of-the-right-length-000000000' }),
    ];
    for (const attempt of attempts) {
      expect(attempt.status).toBe(403);
      expect(attempt.body.code).toBe('CSRF_REJECTED');
    }
    expect(await Staff().countDocuments({ username: 'csrf-victim' })).toBe(0);
    // Another session's token is no good either.
    const other = await loginAs(server, await createStaff(server, 'csrf-other', 'owner', { totp: true }), '10.0.7.2');
    expect((await owner.call('POST', '/staff', { username: 'csrf-victim', role: 'owner' }, { csrf: other.csrf })).status).toBe(403);
    expect((await owner.post('/staff', { username: 'csrf-victim', role: 'viewer' })).status).toBe(201);
  });
});

describe('sessions', () => {
  test('the owner revokes a session: its next request is refused', async () => {
    const owner = await loginAs(server, await createStaff(server, 'revoking-owner', 'owner', { totp: true }), '10.0.8.1');
    const victim = await loginAs(server, await createStaff(server, 'revoked-viewer', 'viewer'), '10.0.8.2');
    expect((await victim.get('/dashboard')).status).toBe(200);
    const sessions = await owner.get<{ items: Array<{ id: string; username: string; current: boolean }> }>('/staff/sessions');
    const target = sessions.body.items.find((session) => session.username === 'revoked-viewer')!;
    expect(sessions.body.items.find((session) => session.username === 'revoking-owner')?.current).toBe(true);
    expect((await owner.post(`/staff/sessions/${target.id}/revoke`)).status).toBe(204);
    const after = await victim.get<{ code: string }>('/dashboard');
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('UNAUTHENTICATED');
  });

  test('logout ends the session', async () => {
    const client = await loginAs(server, await createStaff(server, 'logging-out', 'viewer'), '10.0.8.3');
    const cookie = client.cookie;
    expect((await client.post('/auth/logout')).status).toBe(204);
    client.cookie = cookie;
    expect((await client.get('/auth/me')).status).toBe(401);
  });

  test('idle for longer than the timeout, or older than the lifetime, the session is over', async () => {
    const idle = await loginAs(server, await createStaff(server, 'idle-viewer', 'viewer'), '10.0.9.1');
    const start = server.clock.now();
    try {
      server.clock.setTo(new Date(start.getTime() + 20 * 60_000));
      expect((await idle.get('/dashboard')).status).toBe(200);
      // Active 20 minutes ago: 29 more minutes are fine, 31 are not.
      server.clock.setTo(new Date(start.getTime() + 49 * 60_000));
      expect((await idle.get('/dashboard')).status).toBe(200);
      server.clock.setTo(new Date(start.getTime() + 80 * 60_000));
      const expired = await idle.get<{ code: string }>('/dashboard');
      expect(expired.status).toBe(401);
      expect(expired.body.code).toBe('SESSION_EXPIRED');

      server.clock.reset();
      const busy = await loginAs(server, await createStaff(server, 'busy-viewer', 'viewer'), '10.0.9.2');
      const loggedInAt = server.clock.now();
      // Active every 25 minutes, never idle, but 12 hours after login the session ends anyway.
      for (let minutes = 25; minutes < 12 * 60; minutes += 25) {
        server.clock.setTo(new Date(loggedInAt.getTime() + minutes * 60_000));
        expect((await busy.get('/auth/me')).status).toBe(200);
      }
      server.clock.setTo(new Date(loggedInAt.getTime() + 12 * 60 * 60_000 + 60_000));
      expect((await busy.get<{ code: string }>('/auth/me')).body.code).toBe('SESSION_EXPIRED');
    } finally {
      server.clock.reset();
    }
  }, 120_000);

  test('disabling a member ends their sessions; the last enabled owner cannot be demoted or disabled', async () => {
    const owner = await loginAs(server, await createStaff(server, 'only-owner-check', 'owner', { totp: true }), '10.0.10.1');
    const member = await loginAs(server, await createStaff(server, 'to-disable', 'support'), '10.0.10.2');
    const rows = (await owner.get<{ items: StaffRow[] }>('/staff')).body.items;
    const id = rows.find((row) => row.username === 'to-disable')!.id;
    expect((await owner.patch<StaffRow>(`/staff/${id}`, { disabled: true })).body.disabled).toBe(true);
    expect((await member.get('/auth/me')).status).toBe(401);
    const self = rows.find((row) => row.username === 'only-owner-check')!.id;
    expect((await owner.patch<{ code: string }>(`/staff/${self}`, { role: 'viewer' })).body.code).toBe('CANNOT_CHANGE_SELF');
  });
});
