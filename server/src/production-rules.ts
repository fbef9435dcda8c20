import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config';

/** The settings production mode judges; config.ts parses them like any other. */
export const PRODUCTION_INPUTS = {
  WECHATPAY_NOTIFY_URL: true,
  WECHATPAY_BASE_URL: true,
  WECHAT_LOGIN_BASE_URL: true,
  WECHAT_BASE_URL_OVERRIDE: true,
  WECHATPAY_CREDENTIALS_DIR: true,
  H5_DIR: true,
  SIMULATOR_PUBLIC_URL: true,
  LOG_PRETTY: true,
  DB_COMMAND_COUNTS: true,
} as const;

export type ProductionInputs = Pick<Config, keyof typeof PRODUCTION_INPUTS>;

// WeChat's documented API domains (the second ones are their disaster-recovery twins).
const WECHATPAY_ORIGINS = ['https://api.mch.weixin.qq.com', 'https://api2.mch.weixin.qq.com'];
const WECHAT_LOGIN_ORIGINS = ['https://api.weixin.qq.com', 'https://api2.weixin.qq.com', 'https://sh.api.weixin.qq.com', 'https://sz.api.weixin.qq.com', 'https://hk.api.weixin.qq.com'];

// Files only WeChat holds the private halves of; the dev folder has them because the simulator signs with them.
const SIMULATOR_ONLY_FIELDS = ['platformPrivateKeyFile', 'publicKeyPrivateKeyFile'];
const SIMULATOR_ONLY_FILES = ['platform_key.pem', 'pub_key_private.pem'];

/**
 * What production refuses: anything that would take real money somewhere other than WeChat, or tell WeChat to
 * deliver payment callbacks where it cannot or must not. Each problem says how to fix it.
 */
export function productionProblems(config: ProductionInputs): string[] {
  return [
    ...(config.WECHATPAY_NOTIFY_URL === undefined ? [] : notifyUrlProblems(config.WECHATPAY_NOTIFY_URL)),
    ...wechatOriginProblems(config),
    ...(config.WECHATPAY_CREDENTIALS_DIR === undefined ? [] : credentialsFolderProblems(config.WECHATPAY_CREDENTIALS_DIR)),
    ...devSettingProblems(config),
  ];
}

/** WeChat's own API origins, or ones an operator named on purpose. */
export function wechatOriginProblems(config: Pick<ProductionInputs, 'WECHATPAY_BASE_URL' | 'WECHAT_LOGIN_BASE_URL' | 'WECHAT_BASE_URL_OVERRIDE'>): string[] {
  const problems: string[] = [];
  const allowed = (origins: string[]) => [...origins, ...config.WECHAT_BASE_URL_OVERRIDE].map(origin);
  if (!allowed(WECHATPAY_ORIGINS).includes(origin(config.WECHATPAY_BASE_URL))) {
    problems.push(`WECHATPAY_BASE_URL=${config.WECHATPAY_BASE_URL} is not WeChat Pay (${WECHATPAY_ORIGINS.join(' or ')}); unset it, or name it in WECHAT_BASE_URL_OVERRIDE if it really is a proxy to WeChat`);
  }
  if (!allowed(WECHAT_LOGIN_ORIGINS).includes(origin(config.WECHAT_LOGIN_BASE_URL))) {
    problems.push(`WECHAT_LOGIN_BASE_URL=${config.WECHAT_LOGIN_BASE_URL} is not WeChat's API (${WECHAT_LOGIN_ORIGINS[0]}); unset it, or name it in WECHAT_BASE_URL_OVERRIDE if it really is a proxy to WeChat`);
  }
  return problems;
}

export function devSettingProblems(config: Pick<ProductionInputs, 'H5_DIR' | 'SIMULATOR_PUBLIC_URL' | 'LOG_PRETTY' | 'DB_COMMAND_COUNTS'>): string[] {
  const problems: string[] = [];
  for (const name of ['H5_DIR', 'SIMULATOR_PUBLIC_URL'] as const) {
    if (config[name] !== undefined) problems.push(`${name} is a development setting (the simulator's H5 shop); unset it in production`);
  }
  if (config.DB_COMMAND_COUNTS) problems.push('DB_COMMAND_COUNTS=true is a benchmark setting (it counts every command of every request); unset it in production');
  if (config.LOG_PRETTY) problems.push('LOG_PRETTY=true is a development setting; production logs are JSON lines for your log collector');
  return problems;
}

/** Also asked by `admin doctor` in every mode: WeChat only ever calls an HTTPS URL on the public internet. */
export function notifyUrlProblems(notifyUrl: string): string[] {
  const url = new URL(notifyUrl);
  if (url.protocol !== 'https:') return [`WECHATPAY_NOTIFY_URL=${notifyUrl} must be https:// (WeChat Pay calls only HTTPS notify URLs; terminate TLS at your proxy, see docs/deploy.md)`];
  if (isPrivateHost(url.hostname)) return [`WECHATPAY_NOTIFY_URL=${notifyUrl} names a local or private host that WeChat cannot reach; use your public domain`];
  return [];
}

/** Also asked by `admin doctor`: a folder with the simulator's private keys is a development folder. */
export function credentialsFolderProblems(dir: string): string[] {
  const found = SIMULATOR_ONLY_FILES.filter((name) => fs.existsSync(path.join(dir, name)));
  try {
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'credentials.json'), 'utf8')) as Record<string, unknown>;
    found.push(...SIMULATOR_ONLY_FIELDS.filter((field) => field in json));
  } catch {
    // Unreadable or invalid credentials are reported, with their details, where they are loaded.
  }
  if (found.length === 0) return [];
  return [
    `WECHATPAY_CREDENTIALS_DIR=${dir} holds simulator-only keys (${found.join(', ')}): it is a development folder. ` +
      'WeChat never gives a merchant these; build the folder from the merchant platform as docs/credentials.md describes',
  ];
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    /^(127|10|0)\./.test(host) ||
    /^192\.168\./.test(host) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(host) ||
    /^169\.254\./.test(host) ||
    /^f[cd][0-9a-f]{2}:/.test(host)
  );
}
