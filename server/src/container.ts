import type { Connection } from 'mongoose';
import type { ConfigFor } from './config';
import type { Logger } from './logger';
import type { WechatPayGateway } from './payments/wechatpay/gateway';
import type { WechatLogin } from './users/wechat-login';
import { connectDatabase } from './db/connect';
import { loadWechatPayCredentials } from './payments/wechatpay/credentials';
import { createWechatPayGateway } from './payments/wechatpay/wechatpay-gateway';
import { createWechatLogin } from './users/wechat-login-http';
import { sessionTokens, type SessionTokens } from './users/session-tokens';
import { orderService, type OrderService } from './orders/order.service';
import { paymentService, type PaymentService } from './payments/payment.service';
import { createAgendaScheduler, type AgendaScheduler } from './jobs/agenda-scheduler';

/** Everything the HTTP layer, the jobs and the CLI need, wired once from the configuration. */
export interface Container {
  config: ConfigFor<'worker'>;
  logger: Logger;
  db: Connection;
  wechatPay: WechatPayGateway;
  wechatLogin: WechatLogin;
  sessions: SessionTokens;
  orders: OrderService;
  payments: PaymentService;
  jobs: AgendaScheduler;
  /** Closes what the container opened, jobs first so none runs against a closed database. */
  dispose(): Promise<void>;
}

/** Workers and the CLI build one too, without SESSION_SECRET: they serve no HTTP, so they never sign sessions. */
export async function createContainer(config: ConfigFor<'worker'>, logger: Logger): Promise<Container> {
  const db = await connectDatabase({
    uri: config.MONGODB_URI,
    dbName: config.MONGODB_DB,
    poolSize: config.MONGODB_POOL_SIZE,
    production: config.NODE_ENV === 'production',
  });
  try {
    const credentials = await loadWechatPayCredentials(config.WECHATPAY_CREDENTIALS_DIR);
    const wechatPay = createWechatPayGateway({
      baseUrl: config.WECHATPAY_BASE_URL,
      credentials,
      verifyMode: config.WECHATPAY_VERIFY_MODE,
      notifyUrl: config.WECHATPAY_NOTIFY_URL,
      timeoutMs: config.WECHATPAY_TIMEOUT_MS,
      logger: logger.child({ component: 'wechatpay' }),
    });
    const wechatLogin = createWechatLogin({
      baseUrl: config.WECHAT_LOGIN_BASE_URL,
      appid: credentials.appid,
      appSecret: credentials.appSecret,
      timeoutMs: config.WECHATPAY_TIMEOUT_MS,
    });
    const jobs = await createAgendaScheduler({ db, config, logger: logger.child({ component: 'jobs' }) });
    const payments = paymentService({ db, config, logger, wechatPay, merchant: { appid: credentials.appid, mchid: credentials.mchid }, scheduler: jobs });
    const orders = orderService({ db, config, logger, payments, scheduler: jobs });
    jobs.register({ orders, payments, wechatPay });
    return {
      config,
      logger,
      db,
      wechatPay,
      wechatLogin,
      sessions: config.SESSION_SECRET ? sessionTokens({ secret: config.SESSION_SECRET, ttlSeconds: config.SESSION_TTL_SECONDS }) : noSessions,
      orders,
      payments,
      jobs,
      async dispose() {
        await jobs.stop();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

const noSessions: SessionTokens = {
  issue() {
    throw new Error('SESSION_SECRET is not set: only the HTTP server issues sessions');
  },
  verify() {
    throw new Error('SESSION_SECRET is not set: only the HTTP server checks sessions');
  },
};
