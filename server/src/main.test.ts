import { freePort } from '../dev/free-port';
import { testEnv, uniqueDbName } from '../test/support/test-env';
import { spawnEntry } from '../test/support/server-process';
import { waitUntil } from './payments/wechatpay/testing/harness';

const startMain = (env: Record<string, string>) => spawnEntry('server/src/main.ts', env);

test('a bad environment stops the server at once with every problem listed', async () => {
  const main = startMain({ PORT: 'x' });
  expect(await main.exited).toBe(2);
  expect(main.output()).toMatch(/Invalid configuration:[\s\S]*PORT="x"[\s\S]*MONGODB_URI is required[\s\S]*SESSION_SECRET is required/);
}, 30_000);

test('the server starts, serves, and on SIGTERM stops accepting, stops jobs, closes the database and exits 0', async () => {
  const { mongodbUri, credentialsDir } = testEnv();
  const port = await freePort();
  const main = startMain({
    PORT: String(port),
    LOG_LEVEL: 'info',
    MONGODB_URI: mongodbUri,
    MONGODB_DB: uniqueDbName('main'),
    SESSION_SECRET: 'main-test-session-secret-long-enough',
    WECHATPAY_CREDENTIALS_DIR: credentialsDir,
    WECHATPAY_NOTIFY_URL: `http://127.0.0.1:${port}/api/payments/wechat/notify`,
    JOBS: 'inline',
  });
  try {
    await waitUntil(async () => ((await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok ? true : null), 30_000, 'the server to be ready');
    main.child.kill('SIGTERM');
    expect(await main.exited).toBe(0);
    expect(main.output()).toContain('"msg":"shutting down"');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  } finally {
    main.child.kill('SIGKILL');
  }
}, 60_000);
