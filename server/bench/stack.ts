import type { Server } from 'node:http';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { createContainer, type Container } from '../src/container';
import { createApp } from '../src/app';
import { seedCatalog } from '../src/catalog/seed';
import { startSimulator } from '../simulator/src/simulator';
import { freePort } from '../dev/free-port';

export interface BenchStack {
  url: string;
  simulatorUrl: string;
  container: Container;
  stop(): Promise<void>;
}

export interface BenchStackOptions {
  mongodbUri: string;
  credentialsDir: string;
  dbName: string;
  env?: Record<string, string>;
}

/**
 * A real server (same wiring as main.ts) with its own in-process simulator. Mirrors the Jest test server,
 * which cannot be imported here because its support code depends on the Jest environment.
 */
export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const simulator = await startSimulator({ credentialsDir: options.credentialsDir, port: 0, host: '127.0.0.1', timeScale: 0.001 });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
    MONGODB_URI: options.mongodbUri,
    MONGODB_DB: options.dbName,
    SESSION_SECRET: 'bench-session-secret-that-is-long-enough',
    WECHATPAY_BASE_URL: simulator.url,
    WECHAT_LOGIN_BASE_URL: simulator.url,
    WECHATPAY_CREDENTIALS_DIR: options.credentialsDir,
    WECHATPAY_NOTIFY_URL: `${url}/api/payments/wechat/notify`,
    WECHATPAY_TIMEOUT_MS: '5000',
    RATE_LIMIT_LOGIN_PER_MINUTE: '0',
    RATE_LIMIT_ORDERS_PER_MINUTE: '0',
    // The benchmark measures the payment path, not the per-shopper daily caps.
    DAILY_SPEND_CAP_FEN: '100000000',
    DAILY_DRAW_CAP_PER_BOX: '100000',
    JOBS: 'off',
    SIMULATOR_PUBLIC_URL: simulator.url,
    ...options.env,
  });
  const container = await createContainer(config, createLogger(config));
  await seedCatalog(container.db);
  if (config.JOBS === 'inline') await container.jobs.start();
  const server: Server = createApp(container).listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));

  return {
    url,
    simulatorUrl: simulator.url,
    container,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await container.db.dropDatabase().catch(() => undefined);
      await container.dispose();
      await simulator.stop();
    },
  };
}

/** JSON over fetch with an optional bearer token; throws on an unexpected status so setup fails loudly. */
export async function call<T>(base: string, method: string, path: string, body?: unknown, token?: string, expect?: number): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (expect !== undefined && response.status !== expect) throw new Error(`${method} ${path} → ${response.status} ${text.slice(0, 300)}`);
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export interface Shopper {
  token: string;
  addressId: string;
}

export async function makeShopper(base: string, code: string): Promise<Shopper> {
  const { body } = await call<{ token: string }>(base, 'POST', '/api/auth/login', { code }, undefined, 200);
  await call(base, 'PUT', '/api/me/age', { bracket: 'ADULT' }, body.token, 200);
  const address = await call<{ id: string }>(
    base,
    'POST',
    '/api/addresses',
    { name: '张三', phone: '13800138000', region: '上海市 浦东新区', detail: '世纪大道 1 号' },
    body.token,
    201,
  );
  return { token: body.token, addressId: address.body.id };
}
