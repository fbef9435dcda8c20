/** WECHATPAY2-SHA256-RSA2048: checking merchants' request signatures and signing what WeChat sends back. */
import { createSign, createVerify, randomUUID, type KeyObject } from 'node:crypto';
import { randomNonce } from './aead';
import { WxError } from './errors';
import type { KeyRing, Signer } from './keys';

const AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';
const MAX_CLOCK_SKEW_SECONDS = 300;

export interface MerchantRequest {
  method: string;
  /** Path and query exactly as sent, which is what the merchant signed. */
  url: string;
  body: string;
  authorization: string | undefined;
}

export function verifyMerchantRequest(request: MerchantRequest, keys: KeyRing, nowSeconds = Date.now() / 1000): void {
  const fields = parseAuthorization(request.authorization);
  const { mchid, nonce_str: nonce, signature, timestamp, serial_no: serial } = fields;
  if (!mchid || !nonce || !signature || !timestamp || !serial) {
    throw signError('Authorization 缺少 mchid, nonce_str, signature, timestamp 或 serial_no');
  }
  if (mchid !== keys.credentials.mchid) throw signError(`商户号 ${mchid} 与签名不匹配`);
  if (!keys.isMerchantSerial(serial)) throw signError(`商户证书序列号 ${serial} 无效`);
  const ts = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - ts) > MAX_CLOCK_SKEW_SECONDS) {
    throw signError('时间戳与当前时间相差超过5分钟');
  }
  const message = `${request.method}\n${request.url}\n${timestamp}\n${nonce}\n${request.body}\n`;
  if (!verifySha256Rsa(message, signature, keys.merchantPublicKey)) throw signError('签名错误');
}

/** `k1="v1",k2=v2` after the scheme; SDKs differ on quoting, WeChat accepts both. */
function parseAuthorization(header: string | undefined): Record<string, string> {
  if (!header) throw signError('缺少 Authorization 头');
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space) !== AUTH_SCHEME) throw signError(`认证类型必须是 ${AUTH_SCHEME}`);
  const fields: Record<string, string> = {};
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return fields;
}

function signError(message: string): WxError {
  return new WxError(401, 'SIGN_ERROR', message);
}

function signSha256Rsa(message: string, key: KeyObject): string {
  return createSign('RSA-SHA256').update(message).sign(key, 'base64');
}

function verifySha256Rsa(message: string, signature: string, key: KeyObject): boolean {
  try {
    return createVerify('RSA-SHA256').update(message).verify(key, signature, 'base64');
  } catch {
    return false;
  }
}

/** The Wechatpay-* headers over `timestamp\nnonce\nbody\n`, as on API answers and callbacks. */
export function wechatpayHeaders(body: string, signer: Signer, nowMs = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  const nonce = randomNonce(32);
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Serial': signer.serial,
    'Wechatpay-Signature': signSha256Rsa(`${timestamp}\n${nonce}\n${body}\n`, signer.key),
    'Wechatpay-Signature-Type': AUTH_SCHEME,
  };
}

export function requestId(): string {
  return randomUUID().replaceAll('-', '').toUpperCase();
}
