import { z } from 'zod';

/**
 * The only place that reads the environment. Everything is parsed once, with defaults suited to local
 * development, and a bad environment fails fast with every problem listed at once.
 */

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');
const seconds = z.coerce.number().int().positive();

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.default(false),

  MONGODB_URI: z.url({ protocol: /^mongodb(\+srv)?$/, error: 'must be a mongodb:// or mongodb+srv:// URL' }),
  MONGODB_DB: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/).default('blindbox'),
  MONGODB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(20),

  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters'),
  SESSION_TTL_SECONDS: seconds.default(7 * 24 * 3600),

  ORDER_EXPIRY_MINUTES: z.coerce.number().int().min(1).max(120).default(15),
  PURCHASE_LIMIT_PER_BOX: z.coerce.number().int().min(1).max(10_000).default(2),
  /** Per shopper per day (Asia/Shanghai): what the orders placed may cost in total, and draws per box. */
  DAILY_SPEND_CAP_FEN: z.coerce.number().int().min(1).default(200_000),
  DAILY_DRAW_CAP_PER_BOX: z.coerce.number().int().min(1).max(100_000).default(30),
  /** How long a box's server seed is taken by new orders before the next one is committed (then it is revealed). */
  FAIR_SEED_ROTATE_HOURS: z.coerce.number().positive().max(24 * 365).default(24),
  /**
   * How long a draw waits for another order of the same shopper and box to finish drawing; below WeChat's
   * 5 s callback timeout, so a callback that cannot wait longer is answered 503 (and retried) rather than dropped.
   */
  GUARANTEE_WAIT_MS: z.coerce.number().int().min(10).max(60_000).default(3_000),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
  RATE_LIMIT_LOGIN_PER_MINUTE: z.coerce.number().int().min(0).default(30),
  RATE_LIMIT_ORDERS_PER_MINUTE: z.coerce.number().int().min(0).default(30),

  WECHATPAY_BASE_URL: z.url().default('https://api.mch.weixin.qq.com'),
  WECHAT_LOGIN_BASE_URL: z.url().default('https://api.weixin.qq.com'),
  WECHATPAY_CREDENTIALS_DIR: z.string().min(1),
  WECHATPAY_VERIFY_MODE: z.enum(['platform-certificate', 'public-key']).default('platform-certificate'),
  WECHATPAY_NOTIFY_URL: z.url(),
  WECHATPAY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),

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
  /** How long stop() waits for running jobs before giving up (their locks then expire). */
  /** A job not finished (nor touched) within this is presumed dead and may be run by another worker. */
  JOB_LOCK_LIFETIME_MS: z.coerce.number().int().min(1_000).default(10 * 60_000),
  JOBS_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
  /** Daily orders-vs-WeChat report: cron (Asia/Shanghai) and at most this many orders per run. */
  RECONCILE_REPORT_CRON: z.string().min(9).default('30 3 * * *'),
  RECONCILE_REPORT_LIMIT: z.coerce.number().int().min(1).max(100_000).default(2_000),

  /** Dev only: where the H5 build is served from, and the simulator the H5 pay sheet talks to. */
  H5_DIR: z.string().optional(),
  SIMULATOR_PUBLIC_URL: z.url().optional(),
});

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses an environment (process.env in main.ts, a literal object in tests). */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join('.');
        const value = env[name];
        return value === undefined ? `${name} is required (${issue.message})` : `${name}=${JSON.stringify(value)}: ${issue.message}`;
      }),
    );
  }
  const config = result.data;
  if (config.NODE_ENV === 'production' && (config.H5_DIR || config.SIMULATOR_PUBLIC_URL)) {
    throw new ConfigError(['H5_DIR and SIMULATOR_PUBLIC_URL are development settings and must not be set in production']);
  }
  return config;
}
