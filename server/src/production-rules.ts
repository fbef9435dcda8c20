import fs from 'node:fs';
import path from 'node:path';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { Config } from './config';
import { ALIPAY_NOTIFY_PATH, ALIPAY_RETURN_PATH, WECHATPAY_NOTIFY_PATH } from './payments/callback-paths';

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
  SESSION_SECRET: true,
  ALIPAY_APP_ID: true,
  ALIPAY_GATEWAY_URL: true,
  ALIPAY_NOTIFY_URL: true,
  ALIPAY_RETURN_URL: true,
  ALIPAY_APP_PRIVATE_KEY_FILE: true,
  ALIPAY_PUBLIC_KEY_FILE: true,
  TENCENT_SMS_SECRET_ID: true,
  TENCENT_SMS_SECRET_KEY: true,
  TENCENT_SMS_ENDPOINT: true,
  NOTIFY_MINIPROGRAM_STATE: true,
} as const;

/** Each may be absent: a setting that failed its own parse is reported by config.ts, and judged no further here. */
export type ProductionInputs = Partial<Pick<Config, keyof typeof PRODUCTION_INPUTS>>;

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
    ...(config.SESSION_SECRET === undefined ? [] : secretProblems('SESSION_SECRET', config.SESSION_SECRET)),
    ...alipayProblems(config),
    ...smsProblems(config),
    ...notifyProblems(config),
  ];
}

// Tencent Cloud's SMS API domains: the nearest-region one and the regional ones (sms.ap-guangzhou.tencentcloudapi.com…).
const TENCENT_SMS_ORIGIN = /^https:\/\/sms(\.[a-z]{2}-[a-z]+)?\.tencentcloudapi\.com$/;

/** SMS, when configured, goes to Tencent Cloud itself, with a key that is not a copied placeholder. */
export function smsProblems(config: Partial<Pick<Config, 'TENCENT_SMS_SECRET_ID' | 'TENCENT_SMS_SECRET_KEY' | 'TENCENT_SMS_ENDPOINT' | 'WECHAT_BASE_URL_OVERRIDE'>>): string[] {
  if (!config.TENCENT_SMS_SECRET_ID) return [];
  const problems: string[] = [];
  const overrides = (config.WECHAT_BASE_URL_OVERRIDE ?? []).map(origin);
  if (config.TENCENT_SMS_ENDPOINT && !TENCENT_SMS_ORIGIN.test(origin(config.TENCENT_SMS_ENDPOINT)) && !overrides.includes(origin(config.TENCENT_SMS_ENDPOINT))) {
    problems.push(`TENCENT_SMS_ENDPOINT=${config.TENCENT_SMS_ENDPOINT} is not Tencent Cloud SMS (https://sms.tencentcloudapi.com/); unset it`);
  }
  if (config.TENCENT_SMS_SECRET_KEY) problems.push(...secretProblems('TENCENT_SMS_SECRET_KEY', config.TENCENT_SMS_SECRET_KEY).map((problem) => problem.replace(/; generate one.*$/, '; copy the SecretKey from 访问管理 → API 密钥管理')));
  return problems;
}

/** A subscribe message's tap opens the released mini-program: shoppers have no developer or trial version. */
export function notifyProblems(config: Pick<ProductionInputs, 'NOTIFY_MINIPROGRAM_STATE'>): string[] {
  if (config.NOTIFY_MINIPROGRAM_STATE === undefined || config.NOTIFY_MINIPROGRAM_STATE === 'formal') return [];
  return [`NOTIFY_MINIPROGRAM_STATE=${config.NOTIFY_MINIPROGRAM_STATE} opens a version shoppers do not have; unset it (formal) in production`];
}

const ALIPAY_ORIGINS = ['https://openapi.alipay.com'];
/** Below this a secret is guessable (the estimate counts the characters it really uses, so "aaaa…" scores 0). */
const MIN_SECRET_BITS = 100;

/**
 * A secret anyone can guess forges every session: refused when it is a placeholder copied from a document
 * (angle brackets, spaces, "changeme"-like words) or its characters carry too little entropy. The estimate is
 * the string's own Shannon entropy times its length: `openssl rand -hex 32` scores about 240 bits.
 */
export function secretProblems(name: string, secret: string): string[] {
  if (/[<>\s…]|change.?me|placeholder/i.test(secret)) {
    return [`${name} looks like a placeholder copied from a document; generate one with \`openssl rand -hex 32\``];
  }
  const counts = new Map<string, number>();
  for (const char of secret) counts.set(char, (counts.get(char) ?? 0) + 1);
  const perChar = [...counts.values()].reduce((bits, count) => bits - (count / secret.length) * Math.log2(count / secret.length), 0);
  const bits = Math.round(perChar * secret.length);
  if (bits < MIN_SECRET_BITS) return [`${name} is too predictable (about ${bits} bits, at least ${MIN_SECRET_BITS} needed); generate one with \`openssl rand -hex 32\``];
  return [];
}

/** Alipay, when configured, is held to what WeChat is: real gateway, public HTTPS callbacks, real and paired keys. */
export function alipayProblems(config: Partial<Pick<Config, 'ALIPAY_APP_ID' | 'ALIPAY_GATEWAY_URL' | 'ALIPAY_NOTIFY_URL' | 'ALIPAY_RETURN_URL' | 'ALIPAY_APP_PRIVATE_KEY_FILE' | 'ALIPAY_PUBLIC_KEY_FILE' | 'WECHAT_BASE_URL_OVERRIDE'>>): string[] {
  if (!config.ALIPAY_APP_ID) return [];
  const problems: string[] = [];
  const overrides = (config.WECHAT_BASE_URL_OVERRIDE ?? []).map(origin);
  if (config.ALIPAY_GATEWAY_URL && ![...ALIPAY_ORIGINS, ...overrides].includes(origin(config.ALIPAY_GATEWAY_URL))) {
    problems.push(`ALIPAY_GATEWAY_URL=${config.ALIPAY_GATEWAY_URL} is not Alipay's gateway (${ALIPAY_ORIGINS[0]}/gateway.do); unset it`);
  }
  if (config.ALIPAY_NOTIFY_URL) problems.push(...callbackUrlProblems('ALIPAY_NOTIFY_URL', config.ALIPAY_NOTIFY_URL, ALIPAY_NOTIFY_PATH, 'Alipay'));
  if (config.ALIPAY_RETURN_URL) problems.push(...callbackUrlProblems('ALIPAY_RETURN_URL', config.ALIPAY_RETURN_URL, ALIPAY_RETURN_PATH, 'Alipay (sending the shopper back)'));
  problems.push(...alipayKeyProblems(config.ALIPAY_APP_PRIVATE_KEY_FILE, config.ALIPAY_PUBLIC_KEY_FILE));
  return problems;
}

/**
 * The app's private key must be one, Alipay's public key must be one, and they must not be the same pair: the
 * commonest mix-up pastes the app's own public key (应用公钥) where Alipay's (支付宝公钥) belongs, and then every
 * notification fails verification: money taken, nothing delivered.
 */
export function alipayKeyProblems(privateKeyFile: string | undefined, alipayPublicKeyFile: string | undefined): string[] {
  if (!privateKeyFile || !alipayPublicKeyFile) return [];
  const problems: string[] = [];
  let appPublic: string | null = null;
  try {
    appPublic = createPublicKey(createPrivateKey(pemOf(fs.readFileSync(privateKeyFile, 'utf8'), 'PRIVATE KEY'))).export({ type: 'spki', format: 'der' }).toString('base64');
  } catch (error) {
    problems.push(`ALIPAY_APP_PRIVATE_KEY_FILE=${privateKeyFile} is not a readable RSA private key (${error instanceof Error ? error.message : String(error)}): it is 应用私钥 from Alipay's key tool`);
  }
  try {
    const alipayPublic = createPublicKey(pemOf(fs.readFileSync(alipayPublicKeyFile, 'utf8'), 'PUBLIC KEY')).export({ type: 'spki', format: 'der' }).toString('base64');
    if (appPublic !== null && alipayPublic === appPublic) {
      problems.push(`ALIPAY_PUBLIC_KEY_FILE=${alipayPublicKeyFile} holds the app's own public key (应用公钥), not Alipay's (支付宝公钥): copy 支付宝公钥 from the open platform's 接口加签方式 page`);
    }
  } catch (error) {
    problems.push(`ALIPAY_PUBLIC_KEY_FILE=${alipayPublicKeyFile} is not a readable public key (${error instanceof Error ? error.message : String(error)}): it is 支付宝公钥 from the open platform`);
  }
  return problems;
}

/** Alipay's tools hand out bare base64 as often as PEM; both are accepted, as alipay-sdk does. */
function pemOf(text: string, label: 'PRIVATE KEY' | 'PUBLIC KEY'): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) return trimmed;
  return `-----BEGIN ${label}-----\n${trimmed.replace(/\s+/g, '').replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----`;
}

/** A channel calls back one public HTTPS path of ours, as given: with no query or fragment to lose on the way. */
function callbackUrlProblems(name: string, value: string, expectedPath: string, caller: string): string[] {
  const url = new URL(value);
  if (url.protocol !== 'https:') return [`${name}=${value} must be https:// (${caller} calls only HTTPS URLs; terminate TLS at your proxy, see docs/deploy.md)`];
  if (isPrivateHost(url.hostname)) return [`${name}=${value} names a local or private host that ${caller} cannot reach; use your public domain`];
  if (url.pathname !== expectedPath) return [`${name}=${value} must end in ${expectedPath}, the path the server answers`];
  if (url.search || url.hash) return [`${name}=${value} must have no query or fragment`];
  return [];
}

/** Development credentials on an address others can reach would let anyone who has the simulator's keys pay. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** WeChat's own API origins, or ones an operator named on purpose. */
export function wechatOriginProblems(config: Pick<ProductionInputs, 'WECHATPAY_BASE_URL' | 'WECHAT_LOGIN_BASE_URL' | 'WECHAT_BASE_URL_OVERRIDE'>): string[] {
  const problems: string[] = [];
  const allowed = (origins: string[]) => [...origins, ...(config.WECHAT_BASE_URL_OVERRIDE ?? [])].map(origin);
  if (config.WECHATPAY_BASE_URL && !allowed(WECHATPAY_ORIGINS).includes(origin(config.WECHATPAY_BASE_URL))) {
    problems.push(`WECHATPAY_BASE_URL=${config.WECHATPAY_BASE_URL} is not WeChat Pay (${WECHATPAY_ORIGINS.join(' or ')}); unset it, or name it in WECHAT_BASE_URL_OVERRIDE if it really is a proxy to WeChat`);
  }
  if (config.WECHAT_LOGIN_BASE_URL && !allowed(WECHAT_LOGIN_ORIGINS).includes(origin(config.WECHAT_LOGIN_BASE_URL))) {
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
  return callbackUrlProblems('WECHATPAY_NOTIFY_URL', notifyUrl, WECHATPAY_NOTIFY_PATH, 'WeChat');
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
