/** A local WeChat Pay v3 (plus jscode2session) over HTTP, for development and tests. */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import pino from 'pino';
import { wechatPayApi } from './api';
import type { SimContext } from './context';
import { Faults } from './faults';
import { KeyRing } from './keys';
import type { SigningMode } from './model';
import { Notifier } from './notifier';
import { RefundCompletion } from './refund-completion';
import { billRoutes } from './routes/bills';
import { certificateRoutes } from './routes/certificates';
import { complaintRoutes } from './routes/complaints';
import { controlRoutes, corsForControl } from './routes/control';
import { loginRoutes } from './routes/login';
import { miniProgramRoutes } from './routes/mini-program';
import { subscribeMessageRoutes } from './routes/subscribe-messages';
import { pageRoutes } from './routes/pages';
import { refundRoutes } from './routes/refunds';
import { transactionRoutes } from './routes/transactions';
import { Store } from './store';
import { createAlipaySimulator } from './alipay/alipay-simulator';
import { tencentSmsRoutes } from './sms/tencent-sms-simulator';
import { ensureDevSmsCredentials } from '../../dev/tencent-sms-credentials';

export interface SimulatorOptions {
  credentialsDir: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** JSON persistence; omitted = memory only. */
  stateFile?: string;
  /** 1 = real time; 0.001 turns the 15 s retry into 15 ms. */
  timeScale?: number;
  signingMode?: SigningMode;
  logger?: pino.Logger;
  /** Also simulate Alipay page pay (alipay/alipay-simulator.ts) with the keys in this folder. */
  alipayCredentialsDir?: string;
  /** Also simulate Tencent Cloud SMS (sms/tencent-sms-simulator.ts) with the credentials in this folder. */
  smsCredentialsDir?: string;
}

export interface RunningSimulator {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const logger = options.logger ?? pino({ name: 'wechatpay-simulator', level: 'silent' });
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error(`timeScale must be positive, got ${timeScale}`);

  const store = new Store(options.stateFile);
  const keys = await KeyRing.load(options.credentialsDir, store, options.signingMode ?? 'platform-certificate');
  const faults = new Faults();
  const sim: SimContext = {
    store,
    keys,
    faults,
    timeScale,
    logger,
    heldAnswers: new Set(),
    notifier: undefined as unknown as Notifier,
    refunds: undefined as unknown as RefundCompletion,
  };
  sim.notifier = new Notifier({ store, keys, faults, logger, timeScale: () => sim.timeScale });
  sim.refunds = new RefundCompletion({ store, notifier: sim.notifier, mchid: keys.credentials.mchid, logger });

  const app = new Koa();
  app.silent = true;
  app.on('error', (error: unknown) => logger.warn({ err: error }, 'simulator HTTP error'));
  app.use(corsForControl);
  const api = wechatPayApi(sim);
  app.use((ctx, next) => (ctx.path.startsWith('/v3/') ? api(ctx, next) : next()));
  const alipay = options.alipayCredentialsDir
    ? await createAlipaySimulator({ credentialsDir: options.alipayCredentialsDir, logger, timeScale: () => sim.timeScale })
    : null;
  if (alipay) app.use(alipay.router.routes());
  if (options.smsCredentialsDir) app.use(tencentSmsRoutes(await ensureDevSmsCredentials(options.smsCredentialsDir)).routes());
  const complaints = complaintRoutes(sim);
  for (const router of [
    transactionRoutes(sim),
    complaints.api,
    refundRoutes(sim),
    certificateRoutes(sim),
    loginRoutes(sim),
    miniProgramRoutes(sim),
    subscribeMessageRoutes(sim),
    billRoutes(sim),
    controlRoutes(sim, complaints.control),
    pageRoutes(sim),
  ]) {
    app.use(router.routes());
  }

  const server = app.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  sim.notifier.start();
  sim.refunds.start();
  logger.info({ url, signingMode: keys.signingMode, timeScale, stateFile: options.stateFile }, 'WeChat Pay simulator listening');

  let stopping: Promise<void> | null = null;
  return {
    url,
    port,
    stop: () => {
      stopping ??= (async () => {
        sim.refunds.stop();
        await sim.notifier.stop();
        await alipay?.stop();
        for (const release of [...sim.heldAnswers]) release();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
      })();
      return stopping;
    },
  };
}
