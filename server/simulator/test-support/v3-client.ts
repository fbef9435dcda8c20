/**
 * A minimal, independent WeChat Pay v3 merchant client for the simulator's tests: it signs requests and
 * verifies answers straight from the published rules with node:crypto, sharing no code with the simulator.
 */
import { createDecipheriv, createSign, createVerify, randomBytes, X509Certificate, type KeyObject, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DevCredentials } from '../../dev/credentials';

export interface MerchantKeys {
  credentials: DevCredentials;
  privateKeyPem: string;
  /** The keys a merchant downloaded: the bootstrap platform certificate and the WeChat Pay public key. */
  platformCertificatePem: string;
  publicKeyPem: string;
}

export function loadMerchantKeys(dir: string): MerchantKeys {
  const credentials = JSON.parse(readFileSync(path.join(dir, 'credentials.json'), 'utf8')) as DevCredentials;
  const read = (name: string) => readFileSync(path.join(dir, name), 'utf8');
  return {
    credentials,
    privateKeyPem: read(credentials.merchantPrivateKeyFile),
    platformCertificatePem: read(credentials.platformCertificateFile),
    publicKeyPem: read(credentials.publicKeyFile),
  };
}

export interface SignedHeaders {
  timestamp: string;
  nonce: string;
  signature: string;
  serial: string;
}

export interface V3Response<T = Record<string, unknown>> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface SigningTweaks {
  mchid?: string;
  serial?: string;
  timestampOffsetSeconds?: number;
  /** Signs something other than what is sent. */
  signedBody?: string;
}

export function decryptResource(apiV3Key: string, box: { nonce: string; associated_data: string; ciphertext: string }): string {
  const data = Buffer.from(box.ciphertext, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(apiV3Key), Buffer.from(box.nonce));
  decipher.setAAD(Buffer.from(box.associated_data));
  decipher.setAuthTag(data.subarray(-16));
  return Buffer.concat([decipher.update(data.subarray(0, -16)), decipher.final()]).toString('utf8');
}

/** Checks `timestamp\nnonce\nbody\n` against the trusted key for the serial; returns why it fails, or null. */
export function signatureProblem(headers: SignedHeaders, body: string, trust: Map<string, KeyObject>): string | null {
  if (headers.signature.startsWith('WECHATPAY/SIGNTEST/')) return 'signtest probe';
  if (Math.abs(Date.now() / 1000 - Number(headers.timestamp)) > 300) return 'stale timestamp';
  const key = trust.get(headers.serial);
  if (!key) return `unknown serial ${headers.serial}`;
  const ok = createVerify('RSA-SHA256')
    .update(`${headers.timestamp}\n${headers.nonce}\n${body}\n`)
    .verify(key, headers.signature, 'base64');
  return ok ? null : 'bad signature';
}

export function signedHeadersOf(get: (name: string) => string | null | undefined): SignedHeaders {
  return {
    timestamp: get('wechatpay-timestamp') ?? '',
    nonce: get('wechatpay-nonce') ?? '',
    signature: get('wechatpay-signature') ?? '',
    serial: get('wechatpay-serial') ?? '',
  };
}

export class V3Client {
  /** serial → key the merchant trusts for WeChat's signatures. */
  readonly trust = new Map<string, KeyObject>();

  constructor(
    readonly baseUrl: string,
    readonly keys: MerchantKeys,
  ) {
    const bootstrap = new X509Certificate(keys.platformCertificatePem);
    this.trust.set(keys.credentials.platformSerialNo, bootstrap.publicKey);
    this.trust.set(keys.credentials.publicKeyId, createPublicKey(keys.publicKeyPem));
  }

  get credentials(): DevCredentials {
    return this.keys.credentials;
  }

  authorization(method: string, url: string, body: string, tweaks: SigningTweaks = {}): string {
    const timestamp = String(Math.floor(Date.now() / 1000) + (tweaks.timestampOffsetSeconds ?? 0));
    const nonce = randomBytes(16).toString('hex');
    const message = `${method}\n${url}\n${timestamp}\n${nonce}\n${tweaks.signedBody ?? body}\n`;
    const signature = createSign('RSA-SHA256').update(message).sign(this.keys.privateKeyPem, 'base64');
    const mchid = tweaks.mchid ?? this.credentials.mchid;
    const serial = tweaks.serial ?? this.credentials.merchantSerialNo;
    return `WECHATPAY2-SHA256-RSA2048 mchid="${mchid}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${serial}"`;
  }

  /** Sends a signed request and insists the answer carries a valid WeChat signature. */
  async request<T = Record<string, unknown>>(
    method: 'GET' | 'POST',
    url: string,
    payload?: unknown,
    tweaks?: SigningTweaks,
  ): Promise<V3Response<T>> {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const response = await fetch(this.baseUrl + url, {
      method,
      headers: {
        Authorization: this.authorization(method, url, body, tweaks),
        Accept: 'application/json',
        'User-Agent': 'blindbox-sim-test',
        ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: payload === undefined ? undefined : body,
    });
    const text = await response.text();
    const problem = signatureProblem(signedHeadersOf((name) => response.headers.get(name)), text, this.trust);
    if (problem) throw new Error(`answer to ${method} ${url} failed verification: ${problem}`);
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T, text, headers: response.headers };
  }

  /** Fetches /v3/certificates, decrypts them and trusts every one; returns their serials. */
  async refreshCertificates(): Promise<string[]> {
    const url = '/v3/certificates';
    const response = await fetch(this.baseUrl + url, {
      headers: { Authorization: this.authorization('GET', url, ''), Accept: 'application/json' },
    });
    const text = await response.text();
    const { data } = JSON.parse(text) as {
      data: { serial_no: string; encrypt_certificate: { nonce: string; associated_data: string; ciphertext: string; algorithm: string } }[];
    };
    for (const item of data) {
      const pem = decryptResource(this.credentials.apiV3Key, item.encrypt_certificate);
      this.trust.set(item.serial_no, new X509Certificate(pem).publicKey);
    }
    const problem = signatureProblem(signedHeadersOf((name) => response.headers.get(name)), text, this.trust);
    if (problem) throw new Error(`certificate list failed verification: ${problem}`);
    return data.map((item) => item.serial_no);
  }
}
