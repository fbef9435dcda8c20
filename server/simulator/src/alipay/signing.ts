/** Alipay's RSA2 signing rule, as Alipay itself applies it (see /work/shared/alipay.md and alipay-sdk). */
import { createSign, createVerify } from 'node:crypto';

/**
 * The signed string: every non-empty parameter except `sign` (and `sign_type`, for what Alipay sends:
 * notifications and return parameters), sorted by key in ASCII order, `k=v` joined with `&`, not URL-encoded.
 */
export function signContent(params: Record<string, string>, excludeSignType: boolean): string {
  return Object.keys(params)
    .filter((key) => key !== 'sign' && !(excludeSignType && key === 'sign_type') && params[key] !== '')
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&');
}

export const rsa2Sign = (content: string, privateKeyPem: string): string => createSign('RSA-SHA256').update(content, 'utf8').sign(privateKeyPem, 'base64');

export const rsa2Verify = (content: string, signature: string, publicKeyPem: string): boolean =>
  createVerify('RSA-SHA256').update(content, 'utf8').verify(publicKeyPem, signature, 'base64');

/** Parameters Alipay sends (notification, return), signed the V1 way with `sign_type` outside the signature. */
export function signedByAlipay(params: Record<string, string>, alipayPrivateKeyPem: string): Record<string, string> {
  const withType = { ...params, sign_type: 'RSA2' };
  return { ...withType, sign: rsa2Sign(signContent(withType, true), alipayPrivateKeyPem) };
}
