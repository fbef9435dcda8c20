import type { Connection } from 'mongoose';
import type { ConfigFor } from './config';
import type { Logger } from './logger';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import type { PaymentChannel } from './payments/payment-channel';
import { paymentChannels, type PaymentChannels } from './payments/payment-channels';
import type { WechatLogin } from './users/wechat-login';
import { connectDatabase, databaseOptionsOf } from './db/connect';
import { loadWechatPayCredentials } from './payments/wechatpay/credentials';
import { wechatPayGatewayFor } from './payments/wechatpay/wechatpay-gateway';
import { wechatPayChannel } from './payments/wechatpay/wechatpay-channel';
import { createWechatLogin } from './users/wechat-login-http';
import { sessionTokens, type SessionTokens } from './users/session-tokens';
import { orderService, type OrderService } from './orders/order.service';
import { paymentService, type PaymentService } from './payments/payment.service';
import { refundService, type RefundService } from './payments/refund.service';
import { createAgendaScheduler, type AgendaScheduler } from './jobs/agenda-scheduler';
import type { MiniProgramPlatform } from './shipping/mini-program-platform';
import { wechatPlatformFor } from './shipping/wechat-platform-http';
import { shippingUploads, type ShippingUploadService } from './shipping/shipping-upload.service';
import { wechatPayTradeBills } from './payments/wechatpay/trade-bill-download';
import { tradeBillReconciliation, type TradeBillReconciliation } from './bills/bill-reconciliation';
import { fairness, type Fairness } from './fairness/fairness';
import { systemClock, type Clock } from './clock';
import { cartService, type CartService } from './cart/cart.service';
import { adminAudit, type AdminAudit } from './admin/admin-audit';
import { staffAccounts, type StaffAccounts } from './staff/staff-accounts';
import { staffAuth, type StaffAuth } from './staff/staff-auth';
import { orderDesk, type OrderDesk } from './orders/order-desk';
import { shippingDesk, type ShippingDesk } from './shipping/shipping-desk';
import { receiptService, type ReceiptService } from './shipping/receipt.service';
import { messagePush, type MessagePush } from './shipping/message-push';
import { messagePushEvents, type MessagePushEvents } from './shipping/message-push.service';
import { stockLedger, type StockLedger } from './catalog/stock';
import { boxMemory, type BoxMemory } from './catalog/box-memory';
import { dropDesk, type DropDesk } from './catalog/drops';
import { itemStock } from './catalog/item-stock';
import { setService, type SetService } from './sets/set.service';
import { couponLocks } from './coupons/coupon-locks';
import { purchaseQuotas } from './limits/purchase-quota';
import { dailyLimits, type DailyLimits } from './limits/daily-limits';
import { orderHolds, type OrderHolds } from './orders/order-holds';
import { commandCounter, type CommandCounter } from './db/command-counts';
import { assertSchemaCurrent } from './migrations/schema-version';
import { createMetrics, type Metrics } from './metrics/metrics';
import { aftersalesService, type AftersalesService } from './aftersales/aftersales.service';
import { aftersalesNotices } from './aftersales/aftersales-notices';
import { aftersalesPhotos, type AftersalesPhotos } from './aftersales/aftersales-photos';
import { tencentSms } from './sms/tencent-sms';
import { smsSendLimits } from './sms/sms-send-limits';
import { smsCodes } from './sms/sms-codes';
import { phoneCodes, type PhoneCodes } from './sms/phone-codes';
import { phoneAccounts, type PhoneAccounts } from './users/phone-accounts';
import { createNotifications, type Notifications } from './notifications/notifications';
import { wechatSubscribeMessages } from './notifications/subscribe-message-http';
import { complaintService, type ComplaintService } from './complaints/complaint.service';

/** Everything the HTTP layer, the jobs and the CLI need, wired once from the configuration. */
export interface Container {
  config: ConfigFor<'worker'>;
  logger: Logger;
  db: Connection;
  /** WeChat Pay v3 (the mini-program's) and, when configured, Alipay page pay (H5/PC), behind the channel port. */
  channels: PaymentChannels;
  wechatLogin: WechatLogin;
  sessions: SessionTokens;
  /** Phone sign-in codes (SMS through Tencent Cloud, when configured) and the accounts phone numbers sign in. */
  phoneCodes: PhoneCodes;
  phoneAccounts: PhoneAccounts;
  orders: OrderService;
  payments: PaymentService;
  refunds: RefundService;
  /** The shopper's cart; its checkout places an order through `orders`. */
  cart: CartService;
  /** The mini-program platform (api.weixin.qq.com: access token, shipping information). */
  platform: MiniProgramPlatform;
  shipping: ShippingUploadService;
  /** The parcel's arrival and the shopper's receipt (WeChat's component for mini-program payments). */
  receipts: ReceiptService;
  /** The mini-program message push: verification (null when MINIPROGRAM_PUSH_TOKEN is unset) and what its events do. */
  push: MessagePush | null;
  pushEvents: MessagePushEvents;
  /** Subscribe messages (订阅消息): grants from the mini-program, the notifier other domains call, the sender. */
  notifications: Notifications;
  tradeBills: TradeBillReconciliation;
  jobs: AgendaScheduler;
  /** Server seeds and draws (commit–reveal, guarantee). */
  fairness: Fairness;
  /** What staff do to one order (reconcile, refund, ship, cancel): the CLI and the console both go through it. */
  desk: OrderDesk;
  /** The packing table: the to-ship queue, tracking numbers from a CSV, the WeChat uploads' state. */
  shippingDesk: ShippingDesk;
  /** Every change staff make (CLI and console), with who made it. */
  audit: AdminAudit;
  /** Staff accounts (the owner's business) and the console's login, sessions and two-factor. */
  staff: StaffAccounts;
  staffAuth: StaffAuth;
  /** The clock a drop opens by: the system's, except in tests (which move it). */
  clock: Clock;
  /** Each box's units: for sale, held, sold. */
  stock: StockLedger;
  /** The boxes as this process last read them (BOX_MEMORY_MS): the box page and orders share it. */
  boxes: BoxMemory;
  /** Scheduling and cancelling drops (the CLI and the console). */
  drops: DropDesk;
  /** Whole-set boxes (端盒): sets, positions, arrangements. */
  sets: SetService;
  /** The per-shopper daily caps (limits/). */
  limits: DailyLimits;
  /** Everything an order holds, in one list: taken at placing, given back at close, kept at payment, swept after crashes. */
  holds: OrderHolds;
  /** After-sales requests (售后): the shopper's requests and threads, staff's replies and resolutions. */
  aftersales: AftersalesService;
  /** The shoppers' after-sales photos (stored by the catalog's picture handling, media/). */
  aftersalesPhotos: AftersalesPhotos;
  /** Bench only (DB_COMMAND_COUNTS): each request's database operations. */
  commands: CommandCounter | null;
  /** WeChat Pay consumer complaints (消费者投诉 2.0): taken in, answered, refunded, completed. */
  complaints: ComplaintService;
  /** Prometheus metrics of this process (GET /metrics with METRICS_TOKEN). */
  metrics: Metrics;
  /** Closes what the container opened, jobs first so none runs against a closed database. */
  dispose(): Promise<void>;
}

/** Workers and the CLI build one too, without SESSION_SECRET: they serve no HTTP, so they never sign sessions. */
export interface ContainerOptions {
  /** Tests pass a movable clock; everything else runs on the system clock. */
  clock?: Clock;
}

export async function createContainer(config: ConfigFor<'worker'>, logger: Logger, options: ContainerOptions = {}): Promise<Container> {
  const clock = options.clock ?? systemClock;
  const db = await connectDatabase({ ...databaseOptionsOf(config, config.MONGODB_POOL_SIZE), monitorCommands: config.DB_COMMAND_COUNTS });
  try {
    // Before anything reads or writes: a database this version does not understand is refused, not misread.
    await assertSchemaCurrent(db);
    const credentials = await loadWechatPayCredentials(config.WECHATPAY_CREDENTIALS_DIR);
    const gateway = wechatPayGatewayFor(config, credentials, logger.child({ component: 'wechatpay' }));
    const wechatpay = wechatPayChannel(gateway, { appid: credentials.appid, mchid: credentials.mchid });
    const channels = paymentChannels([wechatpay, ...(await createAlipayChannel(config, logger))]);
    const wechatLogin = createWechatLogin({
      baseUrl: config.WECHAT_LOGIN_BASE_URL,
      appid: credentials.appid,
      appSecret: credentials.appSecret,
      timeoutMs: config.WECHATPAY_TIMEOUT_MS,
    });
    const jobs = await createAgendaScheduler({ db, config, logger: logger.child({ component: 'jobs' }) });
    const platform = wechatPlatformFor(config, credentials, db, logger);
    const notifications = createNotifications({ db, logger, clock, config, platform: wechatSubscribeMessages(platform) });
    const stock = stockLedger(db);
    const boxes = boxMemory(db, config.BOX_MEMORY_MS);
    const items = itemStock(db);
    const sets = setService(db);
    const limits = dailyLimits(db, config);
    const fair = fairness(db, config, { items, sets });
    const holds = orderHolds({ db, config, logger, clock, stock, items, sets, seeds: fair.seeds, quotas: purchaseQuotas(db), limits, coupons: couponLocks(db) });
    const payments = paymentService({ db, config, logger, channels, scheduler: jobs, draws: fair.draws, holds, notifier: notifications.service });
    const refunds = refundService({ db, logger, channels, payments, scheduler: jobs });
    const orders = orderService({ db, config, logger, payments, holds, stock, boxes, sets, clock, guarantees: fair.draws });
    const shipping = shippingUploads({ db, logger, platform, mchid: credentials.mchid, scheduler: jobs, defaultExpressCompany: config.SHIPPING_EXPRESS_COMPANY, notifier: notifications.service });
    const tradeBills = tradeBillReconciliation({ db, logger, source: wechatPayTradeBills(gateway), payments });
    jobs.register({ orders, holds, payments, refunds, channels, shipping, tradeBills, notifications });
    const aftersalesPhotosStore = aftersalesPhotos(db);
    const desk = orderDesk({ db, orders, payments, refunds, channels, shipping, jobs, clock });
    const audit = adminAudit(db, logger);
    return {
      complaints: complaintService({ db, logger, channel: gateway.complaints, desk, audit, clock }),
      desk,
      shippingDesk: shippingDesk({ db, desk, shipping, defaultCarrier: config.SHIPPING_EXPRESS_COMPANY }),
      config,
      logger,
      db,
      channels,
      wechatLogin,
      sessions: config.SESSION_SECRET ? sessionTokens({ secret: config.SESSION_SECRET, ttlSeconds: config.SESSION_TTL_SECONDS }) : noSessions,
      phoneCodes: phoneCodes({
        sender: createSmsSender(config),
        // Codes are checked only by the HTTP server, which always has SESSION_SECRET; elsewhere none is ever issued.
        codes: smsCodes(db, config.SESSION_SECRET ?? randomBytes(32).toString('hex')),
        limits: smsSendLimits(db, {
          perAddressPerHour: config.SMS_PER_ADDRESS_PER_HOUR,
          perAddressPerDay: config.SMS_PER_ADDRESS_PER_DAY,
          dailyBudgetFen: config.SMS_DAILY_BUDGET_FEN,
          priceFen: config.SMS_PRICE_FEN,
        }),
        clock,
        logger,
      }),
      phoneAccounts: phoneAccounts(db, logger),
      orders,
      payments,
      refunds,
      cart: cartService({ db, orders, stock, config, clock }),
      platform,
      shipping,
      receipts: receiptService({ db, logger, platform, orders, scheduler: jobs }),
      push: config.MINIPROGRAM_PUSH_TOKEN
        ? messagePush({ token: config.MINIPROGRAM_PUSH_TOKEN, encodingAesKey: config.MINIPROGRAM_PUSH_AES_KEY ?? null, appid: credentials.appid })
        : null,
      pushEvents: messagePushEvents({ db, logger }),
      notifications,
      tradeBills,
      jobs,
      fairness: fair,
      audit,
      staff: staffAccounts({ db, clock }),
      staffAuth: staffAuth({
        db,
        clock,
        logger,
        settings: {
          // Production always asks owners and operators for a second factor; elsewhere CONSOLE_REQUIRE_TOTP decides.
          requireTotp: config.NODE_ENV === 'production' || config.CONSOLE_REQUIRE_TOTP === true,
          idleTimeoutMs: config.CONSOLE_IDLE_TIMEOUT_MINUTES * 60_000,
          lifetimeMs: config.CONSOLE_SESSION_HOURS * 3_600_000,
          maxFailures: config.CONSOLE_LOGIN_MAX_FAILURES,
        },
      }),
      clock,
      stock,
      boxes,
      drops: dropDesk({ db, clock, reminders: notifications.service }),
      sets,
      limits,
      holds,
      aftersales: aftersalesService({ db, logger, refunds, notices: aftersalesNotices(notifications.service), photos: aftersalesPhotosStore }),
      aftersalesPhotos: aftersalesPhotosStore,
      commands: config.DB_COMMAND_COUNTS ? commandCounter(db) : null,
      metrics: createMetrics({ db, jobsHealth: () => jobs.health() }),
      async dispose() {
        await jobs.stop();
        await payments.stopSettling();
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

/** Tencent Cloud SMS when TENCENT_SMS_SECRET_ID is set (config.ts then guarantees the rest); none otherwise. */
function createSmsSender(config: ConfigFor<'worker'>) {
  const { TENCENT_SMS_SECRET_ID, TENCENT_SMS_SECRET_KEY, TENCENT_SMS_SDK_APP_ID, TENCENT_SMS_SIGN_NAME, TENCENT_SMS_TEMPLATE_ID } = config;
  if (!TENCENT_SMS_SECRET_ID || !TENCENT_SMS_SECRET_KEY || !TENCENT_SMS_SDK_APP_ID || !TENCENT_SMS_SIGN_NAME || !TENCENT_SMS_TEMPLATE_ID) return null;
  return tencentSms({
    secretId: TENCENT_SMS_SECRET_ID,
    secretKey: TENCENT_SMS_SECRET_KEY,
    sdkAppId: TENCENT_SMS_SDK_APP_ID,
    signName: TENCENT_SMS_SIGN_NAME,
    templateId: TENCENT_SMS_TEMPLATE_ID,
    region: config.TENCENT_SMS_REGION,
    endpoint: config.TENCENT_SMS_ENDPOINT,
    timeoutMs: config.TENCENT_SMS_TIMEOUT_MS,
  });
}

/** Alipay when ALIPAY_APP_ID is set (config.ts then guarantees the rest); none otherwise. */
export async function createAlipayChannel(config: ConfigFor<'worker'>, logger: Logger): Promise<PaymentChannel[]> {
  const { ALIPAY_APP_ID, ALIPAY_SELLER_ID, ALIPAY_APP_PRIVATE_KEY_FILE, ALIPAY_PUBLIC_KEY_FILE, ALIPAY_NOTIFY_URL, ALIPAY_RETURN_URL } = config;
  if (!ALIPAY_APP_ID || !ALIPAY_SELLER_ID || !ALIPAY_APP_PRIVATE_KEY_FILE || !ALIPAY_PUBLIC_KEY_FILE || !ALIPAY_NOTIFY_URL || !ALIPAY_RETURN_URL) return [];
  // Loaded only for a shop that takes Alipay: its SDK and HTTP client are a fifth of the server's start-up.
  const { alipayChannel } = await import('./payments/alipay/alipay-channel');
  return [
    alipayChannel({
      appId: ALIPAY_APP_ID,
      sellerId: ALIPAY_SELLER_ID,
      appPrivateKeyPem: await readFile(ALIPAY_APP_PRIVATE_KEY_FILE, 'utf8'),
      alipayPublicKeyPem: await readFile(ALIPAY_PUBLIC_KEY_FILE, 'utf8'),
      gatewayUrl: config.ALIPAY_GATEWAY_URL,
      notifyUrl: ALIPAY_NOTIFY_URL,
      returnUrl: ALIPAY_RETURN_URL,
      timeoutMs: config.ALIPAY_TIMEOUT_MS,
      logger: logger.child({ component: 'alipay' }),
    }),
  ];
}
