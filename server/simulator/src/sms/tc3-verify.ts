/**
 * Checking a Tencent Cloud API 3.0 request signature (TC3-HMAC-SHA256) as Tencent Cloud does, written from the
 * signing document (https://cloud.tencent.com/document/api/382/52072) independently of the server's signer, so a
 * mistake in one is caught by the other.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface Tc3Request {
  method: string;
  path: string;
  query: string;
  /** Header names lower-case. */
  headers: Record<string, string | undefined>;
  body: string;
}

/** The API 3.0 error code a request earns, or null when its signature holds. */
export function tc3Problem(request: Tc3Request, keys: { secretId: string; secretKey: string }, nowSeconds: number): string | null {
  const match = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([a-z]+)\/tc3_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(request.headers.authorization ?? '');
  if (!match) return 'AuthFailure.InvalidAuthorization';
  const [, secretId, date, service, signedHeaders, signature] = match as unknown as [string, string, string, string, string, string];
  if (secretId !== keys.secretId) return 'AuthFailure.SecretIdNotFound';
  const timestamp = Number(request.headers['x-tc-timestamp']);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > 300) return 'AuthFailure.SignatureExpire';
  const names = signedHeaders.split(';');
  if (!names.includes('host') || !names.includes('content-type')) return 'AuthFailure.InvalidAuthorization';
  // The credential's date is the UTC day of X-TC-Timestamp; another day signs with another key.
  if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date) return 'AuthFailure.SignatureFailure';

  const canonicalHeaders = names.map((name) => `${name}:${(request.headers[name] ?? '').trim().toLowerCase()}\n`).join('');
  const canonical = [request.method, request.path, request.query, canonicalHeaders, signedHeaders, sha256(request.body)].join('\n');
  const toSign = ['TC3-HMAC-SHA256', String(timestamp), `${date}/${service}/tc3_request`, sha256(canonical)].join('\n');
  let key: Buffer = createHmac('sha256', `TC3${keys.secretKey}`).update(date).digest();
  for (const part of [service, 'tc3_request']) key = createHmac('sha256', key).update(part).digest();
  const expected = createHmac('sha256', key).update(toSign).digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex')) ? null : 'AuthFailure.SignatureFailure';
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
