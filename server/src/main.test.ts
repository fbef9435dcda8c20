import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../dev/free-port';
import { testEnv, uniqueDbName } from '../test/support/test-env';
import { merchantCredentials } from '../test/support/merchant-credentials';
import { spawnEntry } from '../test/support/server-process';
import { waitUntil } from '../test/support/wechatpay-harness';

// NODE_ENV is set so that a developer's .env (loaded by main.ts) cannot turn this into another mode.
const startMain = (env: Record<string, string>) => spawnEntry('server/src/main.ts', { NODE_ENV: 'test', ...env });

test('a bad environment stops the server at once with every problem listed', async () => {
  const main = startMain({ PORT: 'x' });
  expect(await main.exited).toBe(2);
  expect(main.output()).toMatch(/Invalid configuration:[\s\S]*PORT="x"[\s\S]*MONGODB_URI is required[\s\S]*SESSION_SECRET is required/);
}, 30_000);

test('production refuses the dev setup at once, listing every problem', async () => {
  const main = startMain({
    NODE_ENV: 'production',
    MONGODB_URI: testEnv().mongodbUri,
    SESSION_SECRET: 'main-test-session-secret-long-enough',
    WECHATPAY_CREDENTIALS_DIR: testEnv().credentialsDir,
    WECHATPAY_NOTIFY_URL: 'http://127.0.0.1:3000/api/payments/wechat/notify',
    WECHATPAY_BASE_URL: 'http://127.0.0.1:9090',
  });
  expect(await main.exited).toBe(2);
  expect(main.output()).toMatch(/Invalid configuration:\n.*WECHATPAY_NOTIFY_URL.*https[\s\S]*WECHATPAY_BASE_URL[\s\S]*simulator-only keys/);
}, 30_000);

test('a database outage in production gives an operator\'s advice, not the developer\'s', async () => {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'main-test-'));
  try {
    const main = startMain({
      NODE_ENV: 'production',
      MONGODB_URI: `mongodb://127.0.0.1:${await freePort()}/`,
      SESSION_SECRET: 'main-test-session-secret-long-enough',
      WECHATPAY_CREDENTIALS_DIR: await merchantCredentials(testEnv().credentialsDir, folder),
      WECHATPAY_NOTIFY_URL: 'https://shop.example.com/api/payments/wechat/notify',
    });
    expect(await main.exited).toBe(1);
    expect(main.output()).toMatch(/cannot reach the database .*replica set[\s\S]*admin\.js doctor/);
    expect(main.output()).not.toContain('npm start');
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
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
