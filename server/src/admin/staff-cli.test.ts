import { spawn } from 'node:child_process';
import { generate } from 'otplib';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { testEnv } from '../../test/support/test-env';
import { consoleClient } from '../../test/support/console';
import { staffModel } from '../staff/staff.model';
import { runAdminCommand } from './run-admin-command';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ seed: false });
});
afterAll(async () => {
  await server?.stop();
});

const admin = (...argv: string[]) => runAdminCommand(server.container, argv, { osUser: 'root' });

/** The real CLI in its own process, as `npm run admin` runs it, with `input` on stdin. */
function cli(argv: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { mongodbUri, credentialsDir } = testEnv();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/admin/cli.ts', ...argv], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      MONGODB_URI: mongodbUri,
      MONGODB_DB: server.container.db.name,
      WECHATPAY_BASE_URL: server.simulatorUrl,
      WECHAT_LOGIN_BASE_URL: server.simulatorUrl,
      WECHATPAY_CREDENTIALS_DIR: credentialsDir,
      WECHATPAY_NOTIFY_URL: `${server.url}/api/payments/wechat/notify`,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

test('staff create prints a one-time password that logs in and must be changed; list shows the member', async () => {
  const created = await admin('staff', 'create', 'first-owner', '--role', 'owner', '--json');
  expect(created.exitCode).toBe(0);
  const { oneTimePassword, staff } = JSON.parse(created.output) as { oneTimePassword: string; staff: { role: string; passwordChangeRequired: boolean } };
  expect(oneTimePassword).toMatch(/^[A-Za-z0-9]{16}$/);
  expect(staff).toMatchObject({ role: 'owner', passwordChangeRequired: true });
  const login = await consoleClient(server).post<{ staff: { passwordChangeRequired: boolean } }>('/auth/login', { username: 'first-owner', password: oneTimePassword });
  expect(login.body.staff.passwordChangeRequired).toBe(true);
  expect((await admin('staff', 'list')).output).toContain('first-owner');
  expect((await admin('staff', 'create', 'first-owner', '--role', 'owner')).output).toContain('STAFF_NAME_TAKEN');
  expect((await admin('staff', 'create', 'Bad Name!', '--role', 'owner')).exitCode).toBe(2);
  expect((await admin('staff', 'create', 'someone', '--role', 'boss')).exitCode).toBe(2);
  const stored = await staffModel(server.container.db).findOne({ username: 'first-owner' }).lean();
  expect(stored!.passwordHash).toMatch(/^\$argon2id\$/);
});

test('staff create --password-stdin takes the password from a pipe (the real CLI)', async () => {
  const result = await cli(['staff', 'create', 'piped-owner', '--role', 'owner', '--password-stdin'], 'a piped passphrase\n');
  expect([result.code, result.stderr]).toEqual([0, '']);
  expect(result.stdout).toContain('password: as given on stdin');
  expect((await consoleClient(server).post('/auth/login', { username: 'piped-owner', password: 'a piped passphrase' })).status).toBe(200);
}, 60_000);

test('enrol-2fa from the terminal, then reset-2fa and reset-password; each audited', async () => {
  await admin('staff', 'create', 'terminal-operator', '--role', 'operator');
  const enrol = JSON.parse((await admin('staff', 'enrol-2fa', 'terminal-operator', '--json')).output) as { secret: string; otpauthUrl: string };
  expect(enrol.otpauthUrl).toContain('otpauth://totp/');
  expect((await admin('staff', 'enrol-2fa', 'terminal-operator', '--code', '12')).exitCode).toBe(2);
  const confirmed = await admin('staff', 'enrol-2fa', 'terminal-operator', '--code', await generate({ secret: enrol.secret }));
  expect(confirmed.exitCode).toBe(0);
  expect((await staffModel(server.container.db).findOne({ username: 'terminal-operator' }).lean())!.totpSecret).toBe(enrol.secret);
  expect((await admin('staff', 'reset-2fa', 'terminal-operator', '--yes')).exitCode).toBe(0);
  expect((await staffModel(server.container.db).findOne({ username: 'terminal-operator' }).lean())!.totpSecret).toBeNull();
  const reset = JSON.parse((await admin('staff', 'reset-password', 'terminal-operator', '--yes', '--json')).output) as { oneTimePassword: string };
  expect(reset.oneTimePassword).toHaveLength(16);
  const commands = (await server.container.audit.since(new Date(Date.now() - 60_000), 50)).filter((entry) => entry.target === 'staff:terminal-operator').map((entry) => entry.command);
  expect(commands).toEqual(expect.arrayContaining(['staff create', 'staff enrol-2fa', 'staff reset-2fa', 'staff reset-password']));
  // The last enabled owner stays.
  await admin('staff', 'set', 'piped-owner', '--disabled', 'true', '--yes');
  expect((await admin('staff', 'set', 'first-owner', '--role', 'viewer', '--yes')).output).toContain('LAST_OWNER');
});
