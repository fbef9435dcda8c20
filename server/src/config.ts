import { z } from 'zod';
import { DEFAULT_FIELDS, parseFieldMap } from './notifications/template-fields';
import { MINIPROGRAM_STATES } from './notifications/subscribe-message-platform';
import type { NotificationKind } from '@blindbox/shared';
import { PRODUCTION_INPUTS, credentialsFolderProblems, isLoopbackHost, productionProblems, type ProductionInputs } from './production-rules';

/**
 * The only place that reads the environment. Everything is parsed once, with defaults suited to local
 * development, and a bad environment fails fast with every problem listed at once.
 */

/** How WeChat Pay's signatures are checked; `both` while a merchant moves from platform certificates to the public key. */
export const WECHATPAY_VERIFY_MODES = ['platform-certificate', 'public-key', 'both'] as const;
export type WechatPayVerifyMode = (typeof WECHATPAY_VERIFY_MODES)[number];

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');
const seconds = z.coerce.number().int().positive();
/** A subscribe-message template id as the mini-program admin shows it (模板ID: 43 characters of base64url). */
const templateId = z.string().regex(/^[A-Za-z0-9_-]{20,64}$/, 'must be a template id (mp.weixin.qq.com → 订阅消息 → 我的模板 → 模板ID)');
/** A page of the mini-program, as WeChat wants it in a message: no leading slash, no query (the shop adds it). */
const miniProgramPage = z.string().regex(/^[a-z0-9_-]+(\/[a-z0-9_-]+)+$/i, 'must be a page path like pages/box/index (no leading slash, no query)');
const templateFields = (kind: NotificationKind) =>
  z
    .string()
    .default(DEFAULT_FIELDS[kind])
    .transform((text, ctx) => {
      const parsed = parseFieldMap(kind, text);
      if ('problem' in parsed) {
        ctx.addIssue({ code: 'custom', message: `must be slot=key pairs: ${parsed.problem}` });
        return z.NEVER;
      }
      return parsed.map;
    });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.default(false),

  MONGODB_URI: z.url({ protocol: /^mongodb(\+srv)?$/, error: 'must be a mongodb:// or mongodb+srv:// URL' }),
  MONGODB_DB: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/).default('blindbox'),
  /** Ten placings at four connections each, and some for everything else (orders/order.service.ts placingSlots). */
  MONGODB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(50),
  /**
   * Orders placed at once per process (orders/stock-gate.ts); the rest wait in memory. Lowered, with a warning at
   * start, when the pool could not also serve a payment callback however busy ordering is (placingSlots).
   */
  ORDER_PLACING_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(10),
  /** Staging only: production mode on a standalone server or the embedded engine (a box against the simulators). */
  MONGODB_ALLOW_STANDALONE: bool.default(false),

  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SESSION_TTL_SECONDS: seconds.default(7 * 24 * 3600),

  // WeChat refuses a prepay whose time_expire is under a minute ahead, so a one-minute order could never be paid.
  ORDER_EXPIRY_MINUTES: z.coerce
    .number()
    .int()
    .min(2, 'must be at least 2: WeChat Pay needs time_expire a minute ahead, so a shorter order could never be paid')
    .max(120)
    .default(15),
  PURCHASE_LIMIT_PER_BOX: z.coerce.number().int().min(1).max(10_000).default(2),
  /** Per shopper per day (Asia/Shanghai): what the orders placed may cost in total, and draws per box. */
  DAILY_SPEND_CAP_FEN: z.coerce.number().int().min(1).default(200_000),
  DAILY_DRAW_CAP_PER_BOX: z.coerce.number().int().min(1).max(100_000).default(30),
  /**
   * Price and value checks of a box (catalog/compliance-checks.ts, shared/compliance.ts): warnings at import and in
   * `admin doctor`, refusals with COMPLIANCE_STRICT (or `admin box import --strict`). A missing item value always refuses.
   */
  COMPLIANCE_STRICT: bool.default(false),
  /** Shanghai's guideline: a single box generally no more than ¥200. */
  COMPLIANCE_MAX_BOX_PRICE_FEN: z.coerce.number().int().min(1).default(20_000),
  /** The dearest item of a series may be worth at most this many times its cheapest. */
  COMPLIANCE_MAX_VALUE_SPREAD: z.coerce.number().min(1).max(1000).default(5),
  /** The value a draw yields on average (odds-weighted) may differ from the price by at most this percent. */
  COMPLIANCE_VALUE_PRICE_TOLERANCE_PERCENT: z.coerce.number().int().min(0).max(1000).default(30),
  /** How long a box's server seed is taken by new orders before the next one is committed (then it is revealed). */
  FAIR_SEED_ROTATE_HOURS: z.coerce.number().positive().max(24 * 365).default(24),
  /**
   * How long a draw waits for another order of the same shopper and box to finish drawing; below WeChat's
   * 5 s callback timeout, so a callback that cannot wait longer is answered 503 (and retried) rather than dropped.
   */
  GUARANTEE_WAIT_MS: z.coerce.number().int().min(10).max(60_000).default(3_000),
  /**
   * How old a box may be when an order is placed from it (catalog/box-memory.ts): read at most once per this many
   * ms per process, one read shared by every order meanwhile. 0: read for every order (still shared).
   */
  BOX_MEMORY_MS: z.coerce.number().int().min(0).max(10_000).default(250),
  /** GET /metrics answers only `Authorization: Bearer <this>`; unset: no /metrics at all. */
  METRICS_TOKEN: z.string().min(24, 'must be at least 24 characters (openssl rand -hex 24)').optional(),
  /** An inbound request must have arrived whole within this (slow senders hold a connection otherwise). */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  /** On SIGTERM: how long requests in flight may finish before their connections are cut. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
  RATE_LIMIT_LOGIN_PER_MINUTE: z.coerce.number().int().min(0).default(30),
  RATE_LIMIT_ORDERS_PER_MINUTE: z.coerce.number().int().min(0).default(30),
  /** Payment-status polls per shopper; the mini-program's backing-off poller needs about 20 a minute. */
  RATE_LIMIT_PAYMENT_STATUS_PER_MINUTE: z.coerce.number().int().min(0).default(60),
  /** Reverse proxies in front of the server that each append to X-Forwarded-For; 0: the socket's address is the client. */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),

  WECHATPAY_BASE_URL: z.url().default('https://api.mch.weixin.qq.com'),
  WECHAT_LOGIN_BASE_URL: z.url().default('https://api.weixin.qq.com'),
  /** Production only: comma-separated base URLs accepted in place of WeChat's own (an egress proxy, say). */
  WECHAT_BASE_URL_OVERRIDE: z.string().default('').transform((list) => list.split(',').map((url) => url.trim()).filter(Boolean)),
  WECHATPAY_CREDENTIALS_DIR: z.string().min(1).optional(),
  WECHATPAY_VERIFY_MODE: z.enum(WECHATPAY_VERIFY_MODES).default('platform-certificate'),
  WECHATPAY_NOTIFY_URL: z.url().optional(),
  WECHATPAY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),

  /** Alipay page pay (H5/PC) is optional: set ALIPAY_APP_ID and the rest below is required too. */
  ALIPAY_APP_ID: z.string().regex(/^\d{8,32}$/, 'must be the Alipay app id (digits)').optional(),
  ALIPAY_SELLER_ID: z.string().regex(/^2088\d{12}$/, 'must be the merchant PID (2088 + 12 digits)').optional(),
  ALIPAY_APP_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  ALIPAY_PUBLIC_KEY_FILE: z.string().min(1).optional(),
  ALIPAY_GATEWAY_URL: z.url().default('https://openapi.alipay.com/gateway.do'),
  ALIPAY_NOTIFY_URL: z.url().optional(),
  ALIPAY_RETURN_URL: z.url().optional(),
  /** Where the return endpoint sends the shopper's browser; `?orderId=<id>` is appended. */
  ALIPAY_RESULT_PAGE_URL: z.string().min(1).default('/#/order/result/index'),
  ALIPAY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),

  /**
   * Phone sign-in (H5/PC shop) through Tencent Cloud SMS, optional: set TENCENT_SMS_SECRET_ID and the rest below
   * is required too. The secret key never goes in the repo: the environment or the server's .env file.
   */
  TENCENT_SMS_SECRET_ID: z.string().regex(/^AKID[A-Za-z0-9]{16,64}$/, 'must be a Tencent Cloud SecretId (AKID…)').optional(),
  TENCENT_SMS_SECRET_KEY: z.string().min(16, 'must be the Tencent Cloud SecretKey').optional(),
  TENCENT_SMS_SDK_APP_ID: z.string().regex(/^14\d{8}$/, 'must be the SMS SdkAppId (1400…)').optional(),
  /** The approved sign name (签名) and verification-code template (模板 ID) whose parameters are {1} code, {2} minutes. */
  TENCENT_SMS_SIGN_NAME: z.string().min(2).max(20).optional(),
  TENCENT_SMS_TEMPLATE_ID: z.string().regex(/^\d{1,12}$/, 'must be the template id (digits)').optional(),
  TENCENT_SMS_REGION: z.string().regex(/^[a-z]{2}-[a-z]+$/).default('ap-guangzhou'),
  TENCENT_SMS_ENDPOINT: z.url().default('https://sms.tencentcloudapi.com/'),
  TENCENT_SMS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** Sign-in codes one client address may ask for (the per-number limits are fixed: 1 a minute, 5 an hour, 10 a day). */
  SMS_PER_ADDRESS_PER_HOUR: z.coerce.number().int().min(1).default(20),
  SMS_PER_ADDRESS_PER_DAY: z.coerce.number().int().min(1).default(50),
  /** The whole shop's SMS spend per Beijing day, and one message's price, in fen: SMS bombing cannot run up the bill. */
  SMS_DAILY_BUDGET_FEN: z.coerce.number().int().min(0).default(20_000),
  SMS_PRICE_FEN: z.coerce.number().int().min(1).default(5),

  JOBS: z.enum(['inline', 'off']).default('inline'),
  RECONCILE_INTERVAL_SECONDS: seconds.default(30),
  RECONCILE_GRACE_SECONDS: seconds.default(60),
  RECONCILE_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(100),
  EXPIRY_SWEEP_INTERVAL_SECONDS: seconds.default(5),
  /** How often Agenda polls its collection for due jobs (its processEvery). */
  JOBS_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(5_000),
  /** Retry backoff of jobs that wait on WeChat (refunds, failed expiries): first delay, then growing up to the cap. */
  JOB_RETRY_BASE_MS: z.coerce.number().int().min(10).default(5_000),
  JOB_RETRY_MAX_MS: z.coerce.number().int().min(10).default(10 * 60_000),
  /** A job not finished (nor touched) within this is presumed dead and may be run by another worker. */
  JOB_LOCK_LIFETIME_MS: z.coerce.number().int().min(1_000).default(10 * 60_000),
  /** How long stop() waits for running jobs before giving up (their locks then expire). */
  JOBS_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
  /** Daily orders-vs-WeChat report: cron (Asia/Shanghai) and at most this many orders per run. */
  RECONCILE_REPORT_CRON: z.string().min(9).default('30 3 * * *'),
  RECONCILE_REPORT_LIMIT: z.coerce.number().int().min(1).max(100_000).default(2_000),
  /** Daily trade-bill reconciliation (Asia/Shanghai): WeChat has the day before's bill ready after 10:00. */
  TRADE_BILL_CRON: z.string().min(9).default('30 10 * * *'),
  /** The carrier code sent with shipping information when the admin names none (the platform's get_delivery_list). */
  SHIPPING_EXPRESS_COMPANY: z.string().regex(/^[A-Za-z0-9_]{1,32}$/).default('SF'),
  /**
   * The page WeChat's shipping and receipt messages open (set_msg_jump_path, applied at start, checked by
   * `admin doctor`): a page of the mini-program, without a leading slash.
   */
  MINIPROGRAM_MSG_JUMP_PATH: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*(\?[^\s]*)?$/, 'must be a mini-program page path such as pages/orders/index')
    .default('pages/orders/index'),
  /** The message push's Token (小程序后台 → 开发管理 → 消息推送配置: 3–32 letters or digits); unset: no push endpoint. */
  MINIPROGRAM_PUSH_TOKEN: z.string().regex(/^[A-Za-z0-9]{3,32}$/, 'must be 3 to 32 letters or digits, as WeChat takes it').optional(),
  /** Its EncodingAESKey: set, the endpoint takes only safe-mode (encrypted) pushes, as production should. */
  MINIPROGRAM_PUSH_AES_KEY: z.string().regex(/^[A-Za-z0-9]{43}$/, 'must be the 43-character EncodingAESKey').optional(),

  /**
   * Subscribe messages (订阅消息, docs/notifications.md): each kind's template id from 我的模板; unset, the shop
   * never asks for that kind. The fields say which of the template's keys (thing1, time2, …) each value fills.
   */
  NOTIFY_TEMPLATE_DROP_OPENING: templateId.optional(),
  NOTIFY_TEMPLATE_ORDER_SHIPPED: templateId.optional(),
  NOTIFY_TEMPLATE_REFUND_SUCCEEDED: templateId.optional(),
  NOTIFY_TEMPLATE_SERVICE_UPDATE: templateId.optional(),
  NOTIFY_FIELDS_DROP_OPENING: templateFields('drop-opening'),
  NOTIFY_FIELDS_ORDER_SHIPPED: templateFields('order-shipped'),
  NOTIFY_FIELDS_REFUND_SUCCEEDED: templateFields('refund-succeeded'),
  NOTIFY_FIELDS_SERVICE_UPDATE: templateFields('service-update'),
  /** Where a tap on a message opens the mini-program: the box page (`?id=<boxId>`) and the order page (`?id=<orderId>`). */
  NOTIFY_BOX_PAGE: miniProgramPage.default('pages/box/index'),
  NOTIFY_ORDER_PAGE: miniProgramPage.default('order/detail/index'),
  /** Which version a tap opens (跳转小程序类型); production sends formal only. */
  NOTIFY_MINIPROGRAM_STATE: z.enum(MINIPROGRAM_STATES).default('formal'),
  /** The sender's pace across all processes (it runs as one job at a time): WeChat answers 45011 to bursts. */
  NOTIFY_SENDS_PER_SECOND: z.coerce.number().int().min(1).max(1_000).default(20),
  /** How often the sender looks for due messages (drop openings included). */
  NOTIFY_SWEEP_INTERVAL_SECONDS: seconds.default(5),
  /** A message that failed this many times (busy, quota, no answer) is given up; backoff JOB_RETRY_BASE_MS … JOB_RETRY_MAX_MS. */
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),

  /** Staff console (server/console/dist, served under /console; the web app is built with `npm run build`). */
  CONSOLE_DIR: z.string().default('server/console/dist'),
  /** The largest single refund a support member may give, in fen; the owner has no limit. */
  CONSOLE_SUPPORT_REFUND_LIMIT_FEN: z.coerce.number().int().min(0).default(20_000),
  /** TOTP for owner and operator accounts; unset: required exactly when NODE_ENV=production (it cannot be turned off there). */
  CONSOLE_REQUIRE_TOTP: bool.optional(),
  /** A console session ends after this long without a request, and at the latest after CONSOLE_SESSION_HOURS. */
  CONSOLE_IDLE_TIMEOUT_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  CONSOLE_SESSION_HOURS: z.coerce.number().int().min(1).max(24 * 7).default(12),
  /** Failed logins in a row (password or code) that lock a staff account until the owner unlocks it. */
  CONSOLE_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  /** Login attempts per minute from one address, and for one account name (counted across server processes). */
  CONSOLE_LOGIN_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().min(0).default(20),
  CONSOLE_LOGIN_PER_ACCOUNT_PER_MINUTE: z.coerce.number().int().min(0).default(10),

  /** Dev only: where the H5 build is served from, and the simulator the H5 pay sheet talks to. */
  H5_DIR: z.string().optional(),
  /** Bench only: count each request's database operations from the driver's command events (GET /api/dev/db-commands). */
  DB_COMMAND_COUNTS: bool.default(false),
  SIMULATOR_PUBLIC_URL: z.url().optional(),
});

/** What the environment holds; the secrets are optional here because not every entry point uses them. */
export type Config = z.infer<typeof envSchema>;

/**
 * The settings each entry point cannot run without, beyond MONGODB_URI: only the HTTP server signs sessions,
 * and seeding touches nothing but the database. Workers and the CLI call WeChat (queries, refunds with their
 * notify URL).
 */
const NEEDS = {
  server: ['SESSION_SECRET', 'WECHATPAY_CREDENTIALS_DIR', 'WECHATPAY_NOTIFY_URL'],
  worker: ['WECHATPAY_CREDENTIALS_DIR', 'WECHATPAY_NOTIFY_URL'],
  admin: ['WECHATPAY_CREDENTIALS_DIR', 'WECHATPAY_NOTIFY_URL'],
  seed: [],
} as const satisfies Record<string, ReadonlyArray<keyof Config>>;

export type ConfigRole = keyof typeof NEEDS;
const ROLE_NAMES: Record<ConfigRole, string> = { server: 'the server', worker: 'the worker', admin: 'the admin CLI', seed: 'seeding' };
export type ConfigFor<R extends ConfigRole> = Config & { [K in (typeof NEEDS)[R][number]]-?: NonNullable<Config[K]> };

const ALIPAY_REQUIRED = ['ALIPAY_SELLER_ID', 'ALIPAY_APP_PRIVATE_KEY_FILE', 'ALIPAY_PUBLIC_KEY_FILE', 'ALIPAY_NOTIFY_URL', 'ALIPAY_RETURN_URL'] as const;
const TENCENT_SMS_REQUIRED = ['TENCENT_SMS_SECRET_KEY', 'TENCENT_SMS_SDK_APP_ID', 'TENCENT_SMS_SIGN_NAME', 'TENCENT_SMS_TEMPLATE_ID'] as const;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** `NAME=` in a .env file or a unit file means "not set", as in most dotenv tools. */
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

/** One line per setting the schema refused, naming the setting and the value it was given. */
function problemsOf(error: z.ZodError, env: Record<string, string>): string[] {
  return error.issues.map((issue) => {
    // The variable, even when the issue is about one entry of a list it holds.
    const name = String(issue.path[0]);
    const value = env[name];
    return value === undefined ? `${name} is required (${issue.message})` : `${name}=${JSON.stringify(value)}: ${issue.message}`;
  });
}

/** Schema and per-entry-point checks only, every problem listed; `admin doctor` reports these itself. */
export function parseConfig<R extends ConfigRole>(
  rawEnv: Record<string, string | undefined>,
  role: R,
): { config: ConfigFor<R>; problems: [] } | { config: null; problems: string[] } {
  const env = withoutEmpty(rawEnv);
  const result = envSchema.safeParse(env);
  const problems = result.success ? [] : problemsOf(result.error, env);
  for (const name of NEEDS[role]) {
    if (env[name] === undefined) problems.push(`${name} is required (${ROLE_NAMES[role]} uses it)`);
  }
  if (result.success && result.data.ALIPAY_APP_ID) {
    for (const name of ALIPAY_REQUIRED) if (!result.data[name]) problems.push(`${name} is required when ALIPAY_APP_ID is set`);
  }
  if (result.success && result.data.TENCENT_SMS_SECRET_ID) {
    for (const name of TENCENT_SMS_REQUIRED) if (!result.data[name]) problems.push(`${name} is required when TENCENT_SMS_SECRET_ID is set`);
  }
  if (!result.success || problems.length > 0) return { config: null, problems };
  return { config: result.data as ConfigFor<R>, problems: [] };
}

/**
 * Parses an environment (process.env in the entry points, a literal object in tests) for one entry point. In
 * production it also refuses whatever would let the shop run against anything but WeChat (production-rules.ts),
 * in the same message as any other problem.
 */
export function loadConfig<R extends ConfigRole = 'server'>(env: Record<string, string | undefined>, role: R = 'server' as R): ConfigFor<R> {
  const parsed = parseConfig(env, role);
  const problems = [...parsed.problems];
  if (env.NODE_ENV === 'production') {
    // Field by field: one bad setting (already listed above) must not hide what production says of the others.
    const present = withoutEmpty(env);
    const inputs = Object.fromEntries(
      Object.keys(PRODUCTION_INPUTS).flatMap((name) => {
        const field = envSchema.shape[name as keyof typeof PRODUCTION_INPUTS].safeParse(present[name]);
        return field.success ? [[name, field.data]] : [];
      }),
    ) as ProductionInputs;
    problems.push(...productionProblems(inputs));
  } else if (role === 'server' && parsed.config && !isLoopbackHost(parsed.config.HOST)) {
    // Whatever the mode: the simulator's keys are public (they are in every clone), so a server that others can
    // reach with them would accept payment callbacks anyone can forge.
    const devKeys = credentialsFolderProblems(parsed.config.WECHATPAY_CREDENTIALS_DIR!);
    if (devKeys.length > 0) {
      problems.push(`HOST=${parsed.config.HOST} lets other machines reach a server running on development credentials; bind 127.0.0.1, or set NODE_ENV=production with the merchant's credentials`);
    }
  }
  if (!parsed.config || problems.length > 0) throw new ConfigError(problems);
  return parsed.config;
}

/**
 * The order door's settings (door/main.ts): a process of its own that needs no database and no secret, so it
 * reads only these. DOOR_UPSTREAM_URLS: the shop's server processes, taken in turn.
 */
const doorSchema = envSchema
  .pick({ NODE_ENV: true, HOST: true, PORT: true, LOG_LEVEL: true, LOG_PRETTY: true, BODY_LIMIT_BYTES: true, REQUEST_TIMEOUT_MS: true, SHUTDOWN_GRACE_MS: true, METRICS_TOKEN: true })
  .extend({
    DOOR_UPSTREAM_URLS: z
      .string()
      .transform((list) => list.split(',').map((url) => url.trim()).filter(Boolean))
      .pipe(z.array(z.url({ protocol: /^http$/, error: 'must be http:// URLs of the shop\'s server processes, comma-separated' })).min(1)),
    /** How long a sold-out answer of the shop is repeated before the shop is asked again (its stock gate rereads as often). */
    DOOR_REMEMBER_MS: z.coerce.number().int().min(0).max(5_000).default(250),
  });
export type DoorConfig = z.infer<typeof doorSchema>;

export function loadDoorConfig(rawEnv: Record<string, string | undefined>): DoorConfig {
  const env = withoutEmpty(rawEnv);
  const result = doorSchema.safeParse(env);
  if (!result.success) throw new ConfigError(problemsOf(result.error, env));
  return result.data;
}

/** For an entry point: its configuration, or every problem with it on stderr and exit code 2. */
export function configOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}
