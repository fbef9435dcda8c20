import { type KeyObject, createPublicKey, verify } from 'node:crypto';

/** Where the key for a Wechatpay-Serial comes from: downloaded platform certificates or the configured public key. */
export interface VerificationKeySource {
  /** null when the serial is not trusted. */
  keyFor(serial: string): Promise<KeyObject | null>;
}

export type SignatureFailure = 'MISSING_HEADERS' | 'SIGNTEST_PROBE' | 'STALE_TIMESTAMP' | 'UNKNOWN_SERIAL' | 'BAD_SIGNATURE';

export type SignatureCheck = { ok: true; serial: string } | { ok: false; reason: SignatureFailure; detail: string };

/** Reads one header by its lower-case name. */
export type HeaderLookup = (name: string) => string | undefined;

const SIGNATURE_TYPE = 'WECHATPAY2-SHA256-RSA2048';
const PROBE_PREFIX = 'WECHATPAY/SIGNTEST/';
const MAX_SKEW_SECONDS = 5 * 60;

/**
 * Checks WeChat's signature on a response or callback: `timestamp\nnonce\nbody\n` over the body bytes exactly
 * as received, a timestamp within five minutes of now, and a key chosen by Wechatpay-Serial.
 */
export class SignatureVerifier {
  constructor(
    private readonly keys: VerificationKeySource,
    private readonly now: () => Date,
  ) {}

  async verify(header: HeaderLookup, rawBody: Buffer): Promise<SignatureCheck> {
    const timestamp = header('wechatpay-timestamp');
    const nonce = header('wechatpay-nonce');
    const signature = header('wechatpay-signature');
    const serial = header('wechatpay-serial');
    if (!timestamp || !nonce || !signature || !serial) {
      return { ok: false, reason: 'MISSING_HEADERS', detail: 'Wechatpay-Timestamp/Nonce/Signature/Serial required' };
    }
    if (signature.startsWith(PROBE_PREFIX)) {
      return { ok: false, reason: 'SIGNTEST_PROBE', detail: 'signature probe' };
    }
    const signatureType = header('wechatpay-signature-type');
    if (signatureType !== undefined && signatureType !== SIGNATURE_TYPE) {
      return { ok: false, reason: 'BAD_SIGNATURE', detail: `unsupported signature type ${signatureType}` };
    }
    if (!/^\d{1,12}$/.test(timestamp)) {
      return { ok: false, reason: 'STALE_TIMESTAMP', detail: `not a unix timestamp: ${timestamp}` };
    }
    const skew = Math.abs(this.now().getTime() / 1000 - Number(timestamp));
    if (skew > MAX_SKEW_SECONDS) {
      return { ok: false, reason: 'STALE_TIMESTAMP', detail: `timestamp ${timestamp} is ${Math.round(skew)}s off` };
    }
    const key = await this.keys.keyFor(serial);
    if (!key) return { ok: false, reason: 'UNKNOWN_SERIAL', detail: `no trusted key for serial ${serial}` };

    const message = Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`), rawBody, Buffer.from('\n')]);
    if (!verify('sha256', message, key, Buffer.from(signature, 'base64'))) {
      return { ok: false, reason: 'BAD_SIGNATURE', detail: `signature does not verify with serial ${serial}` };
    }
    return { ok: true, serial };
  }
}

/** Public key mode: exactly one key, named by its PUB_KEY_ID_... id. */
export function publicKeySource(id: string, pem: string): VerificationKeySource {
  const key = createPublicKey(pem);
  return { keyFor: async (serial) => (serial === id ? key : null) };
}

/** A fixed set of keys, e.g. the certificates inside the response being verified. */
export function staticKeySource(keys: ReadonlyMap<string, KeyObject>): VerificationKeySource {
  return { keyFor: async (serial) => keys.get(serial.toUpperCase()) ?? null };
}
