import net from 'node:net';
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

test('the server starts, serves metrics to the scraper, and on SIGTERM drains the request in flight, stops jobs, closes the database and exits 0', async () => {
  const METRICS_TOKEN = 'metrics-token-for-the-main-test-0123';
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
    METRICS_TOKEN,
  });
  try {
    await waitUntil(async () => ((await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok ? true : null), 30_000, 'the server to be ready');
    // Metrics are for the scraper's token only.
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    expect(metrics).toMatch(/http_requests_total\{method="GET",route="\/readyz",status="200"\} [1-9]/);
    expect(metrics).toMatch(/jobs_queued\{job="[a-z-]+",state="scheduled"\}/);
    // A proxy in front while TRUSTED_PROXY_HOPS=0 is named once.
    for (let n = 0; n < 2; n++) await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    await waitUntil(() => (main.output().includes('TRUSTED_PROXY_HOPS=0') ? true : null), 10_000, 'the proxy warning');
    expect(main.output().split('TRUSTED_PROXY_HOPS=0')).toHaveLength(2);

    // A request half sent when SIGTERM comes is still answered: the server drains before it exits.
    const inFlight = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => inFlight.once('connect', resolve));
    // A login with no code: the app reads the whole body and answers it (400), no WeChat call needed.
    const body = JSON.stringify({ code: '' });
    inFlight.write(`POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 5)}`);
    let answer = '';
    inFlight.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const answered = new Promise((resolve) => inFlight.once('close', resolve));
    main.child.kill('SIGTERM');
    await waitUntil(() => (main.output().includes('"msg":"shutting down"') ? true : null), 10_000, 'the server to start shutting down');
    inFlight.write(body.slice(5));
    await answered;
    expect(answer).toMatch(/^HTTP\/1\.1 400 [\s\S]*VALIDATION/);
    expect(await main.exited).toBe(0);
    expect(main.output()).toContain('"msg":"shutting down"');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  } finally {
    main.child.kill('SIGKILL');
  }
}, 60_000);
