import type { Connection } from 'mongoose';
import type { Config } from './config';
import type { Logger } from './logger';
import type { PaymentChannel } from './payments/payment-channel';
import type { WechatLogin } from './users/wechat-login';
import { connectDatabase } from './db/connect';
import { loadWechatPayCredentials } from './payments/wechatpay/credentials';
import { createWechatPayGateway } from './payments/wechatpay/wechatpay-gateway';
import { wechatPayChannel } from './payments/wechatpay/wechatpay-channel';
import { createWechatLogin } from './users/wechat-login-http';
import { sessionTokens, type SessionTokens } from './users/session-tokens';
import { orderService, type OrderService } from './orders/order.service';
import { paymentService, type PaymentService } from './payments/payment.service';
import { refundService, type RefundService } from './payments/refund.service';
import { createAgendaScheduler, type AgendaScheduler } from './jobs/agenda-scheduler';
import { fairness, type Fairness } from './fairness/fairness';

/** Everything the HTTP layer, the jobs and the CLI need, wired once from the configuration. */
export interface Container {
  config: Config;
  logger: Logger;
  db: Connection;
  /** The mini-program's payment channel: WeChat Pay v3 behind the channel port. */
  channel: PaymentChannel;
  wechatLogin: WechatLogin;
  sessions: SessionTokens;
  orders: OrderService;
  payments: PaymentService;
  refunds: RefundService;
  jobs: AgendaScheduler;
  /** Server seeds and draws (commit–reveal, guarantee). */
  fairness: Fairness;
  /** Closes what the container opened, jobs first so none runs against a closed database. */
  dispose(): Promise<void>;
}

export async function createContainer(config: Config, logger: Logger): Promise<Container> {
  const db = await connectDatabase({ uri: config.MONGODB_URI, dbName: config.MONGODB_DB, poolSize: config.MONGODB_POOL_SIZE });
  try {
    const credentials = await loadWechatPayCredentials(config.WECHATPAY_CREDENTIALS_DIR);
    const channel = wechatPayChannel(createWechatPayGateway({
      baseUrl: config.WECHATPAY_BASE_URL,
      credentials,
      verifyMode: config.WECHATPAY_VERIFY_MODE,
      notifyUrl: config.WECHATPAY_NOTIFY_URL,
      timeoutMs: config.WECHATPAY_TIMEOUT_MS,
      logger: logger.child({ component: 'wechatpay' }),
    }));
    const wechatLogin = createWechatLogin({
      baseUrl: config.WECHAT_LOGIN_BASE_URL,
      appid: credentials.appid,
      appSecret: credentials.appSecret,
      timeoutMs: config.WECHATPAY_TIMEOUT_MS,
    });
    const jobs = await createAgendaScheduler({ db, config, logger: logger.child({ component: 'jobs' }) });
    const fair = fairness(db, config);
    const payments = paymentService({ db, config, logger, channel, merchant: { appid: credentials.appid, mchid: credentials.mchid }, scheduler: jobs, draws: fair.draws });
    const refunds = refundService({ db, logger, channel, payments, scheduler: jobs });
    const orders = orderService({ db, config, logger, payments, seeds: fair.seeds });
    jobs.register({ orders, payments, refunds, channel });
    return {
      config,
      logger,
      db,
      channel,
      wechatLogin,
      sessions: sessionTokens({ secret: config.SESSION_SECRET, ttlSeconds: config.SESSION_TTL_SECONDS }),
      orders,
      payments,
      refunds,
      jobs,
      fairness: fair,
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
