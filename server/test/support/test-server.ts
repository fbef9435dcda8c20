import type { Server } from 'node:http';
import type { AgeBracket } from '@blindbox/shared';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createContainer, type Container } from '../../src/container';
import { createApp } from '../../src/app';
import { jobsDatabase, limitsDatabase, notificationsDatabase, stockDatabase } from '../../src/db/databases';
import { seedCatalog } from '../../src/catalog/seed';
import { startSimulator } from '../../simulator/src/simulator';
import { freePort } from '../../dev/free-port';
import { devAlipayEnv, ensureDevAlipayCredentials } from '../../dev/alipay-credentials';
import { devSmsEnv, ensureDevSmsCredentials } from '../../dev/tencent-sms-credentials';
import { testEnv, uniqueDbName } from './test-env';
import { movableClock, type MovableClock } from '../../src/clock';

/** A phase of stopping a test server longer than this is reported on stderr. */
const SLOW_STOP_PHASE_MS = 10_000;

export interface TestServer {
  url: string;
  simulatorUrl: string;
  container: Container;
  /** The server's clock: a test moves it (a drop's opening) with `clock.setTo(at)`; HTTP never can. */
  clock: MovableClock;
  /**
   * Logs in through the real login route (code2session on the simulator) and returns the bearer token. The
   * shopper declares themself adult unless `age` says otherwise (null: declares nothing), as the age gate
   * has tests of its own.
   */
  login(code: string, age?: AgeBracket | null): Promise<string>;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  /** Environment overrides for the server's config (strings, as in process.env). */
  env?: Record<string, string>;
  /** Reuse a database (e.g. a second server in a scale-out test); default: a fresh one. */
  dbName?: string;
  /** Reuse a running simulator instead of starting one. */
  simulatorUrl?: string;
  simulatorTimeScale?: number;
  seed?: boolean;
  /** false: start without Alipay (it is optional), as a shop without Alipay settings does. */
  alipay?: boolean;
}

/** Logs in through the real login route of the server at `url` and returns the bearer token. */
/**
 * Logs in through the real login route and, unless `age` is null, declares the shopper's age bracket (the age
 * gate refuses orders until then; a second declaration is refused and the first stands).
 */
export async function loginAt(url: string, code: string, age: AgeBracket | null = 'ADULT'): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  const { token } = (await response.json()) as { token: string };
  if (age) {
    const declared = await fetch(`${url}/api/me/age`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ bracket: age }),
    });
    if (!declared.ok && declared.status !== 409) throw new Error(`age declaration failed: ${declared.status} ${await declared.text()}`);
  }
  return token;
}

/** A real server on a real port, with its own database on the shared engine and its own simulator. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { mongodbUri, credentialsDir, alipayCredentialsDir, smsCredentialsDir } = testEnv();
  const simulator = options.simulatorUrl
    ? null
    : await startSimulator({ credentialsDir, alipayCredentialsDir, smsCredentialsDir, port: 0, timeScale: options.simulatorTimeScale ?? 0.001 });
  const simulatorUrl = options.simulatorUrl ?? simulator!.url;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    MONGODB_URI: mongodbUri,
    MONGODB_DB: options.dbName ?? uniqueDbName(),
    SESSION_SECRET: 'test-session-secret-that-is-long-enough',
    // Two appliers of one shopper's orders of a box (a callback and a status poll, a combined payment) take turns on
    // the shopper's draw counter; on a loaded 2-core CI machine a turn can outlast the 3 s default, and the loser's
    // 503 (retried later by design) would make the tests' waits flaky rather than test anything.
    GUARANTEE_WAIT_MS: '15000',
    // Tests change a box (import, retire, schedule) and order it at once: each order reads the box. What the
    // memory itself does is tested in catalog/box-memory.test.ts and counted by the bench.
    BOX_MEMORY_MS: '0',
    WECHATPAY_BASE_URL: simulatorUrl,
    WECHAT_LOGIN_BASE_URL: simulatorUrl,
    WECHATPAY_CREDENTIALS_DIR: credentialsDir,
    WECHATPAY_NOTIFY_URL: `${url}/api/payments/wechat/notify`,
    WECHATPAY_TIMEOUT_MS: '3000',
    RATE_LIMIT_LOGIN_PER_MINUTE: '0',
    RATE_LIMIT_ORDERS_PER_MINUTE: '0',
    // Tests buy the same box many times as one shopper; the per-shopper limit has tests of its own.
    PURCHASE_LIMIT_PER_BOX: '1000',
    DAILY_SPEND_CAP_FEN: '100000000',
    DAILY_DRAW_CAP_PER_BOX: '100000',
    JOBS: 'off',
    SIMULATOR_PUBLIC_URL: simulatorUrl,
    ...(options.alipay === false ? {} : devAlipayEnv(alipayCredentialsDir, await ensureDevAlipayCredentials(alipayCredentialsDir), simulatorUrl, url)),
    ...devSmsEnv(await ensureDevSmsCredentials(smsCredentialsDir), simulatorUrl),
    ...options.env,
  });
  const clock = movableClock();
  const container = await createContainer(config, createLogger(config), { clock });
  if (options.seed !== false) await seedCatalog(container.db, container.fairness.seeds);
  if (config.JOBS === 'inline') await container.jobs.start();
  const server: Server = createApp(container).listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));

  return {
    url,
    simulatorUrl,
    container,
    clock,
    login: (code, age) => loginAt(url, code, age),
    async stop() {
      // A stop that outlasts a test's hook (seen once in CI, after the crash test's outage) says where it waited.
      const phase = async (name: string, work: () => Promise<unknown>) => {
        const startedAt = Date.now();
        await work();
        if (Date.now() - startedAt > SLOW_STOP_PHASE_MS) process.stderr.write(`test server stop: ${name} took ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
      };
      await phase('closing the HTTP server', () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
      );
      // Settling started after a payment's answer finishes before its databases go.
      await phase('settling after answers', () => container.payments.settled());
      if (!options.dbName) {
        await phase('dropping the databases', async () => {
          for (const db of [container.db, stockDatabase(container.db), jobsDatabase(container.db), limitsDatabase(container.db), notificationsDatabase(container.db)]) await db.dropDatabase().catch(() => undefined);
        });
      }
      await phase('disposing the container (jobs, database)', () => container.dispose());
      await phase('stopping the simulator', async () => simulator?.stop());
    },
  };
}
