import { type KeyObject, X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { decryptAes256Gcm } from './aead';
import { WechatPayApiError } from './gateway';
import type { MerchantSigner } from './signer';
import { type VerifyingTransport, errorFromResponse } from './transport';
import { SignatureVerifier, type VerificationKeySource, staticKeySource } from './verifier';

const CERTIFICATES_URL = 'https://api.mch.weixin.qq.com/v3/certificates';
/**
 * An unknown serial on a callback downloads the list at most this often, whatever the serial: anyone can send
 * callbacks with made-up serials, and each must not cost a request to WeChat. WeChat retries a callback it got
 * no 2xx for, so one signed with a certificate newer than our list gets through on a later try.
 */
const UNKNOWN_SERIAL_REFRESH_INTERVAL_MS = 60_000;
/** After a failed download (WeChat unreachable) the next try comes sooner, so a restart soon trusts WeChat again. */
const FAILED_REFRESH_RETRY_MS = 5_000;

const certificatesResponseSchema = z.object({
  data: z.array(
    z.object({
      serial_no: z.string().min(1),
      effective_time: z.string().optional(),
      expire_time: z.string().optional(),
      encrypt_certificate: z.object({
        algorithm: z.literal('AEAD_AES_256_GCM'),
        nonce: z.string(),
        associated_data: z.string().default(''),
        ciphertext: z.string(),
      }),
    }),
  ),
});

export interface PlatformCertificateStoreOptions {
  transport: VerifyingTransport;
  signer: MerchantSigner;
  apiV3Key: string;
  now: () => Date;
  logger: Logger;
}

/**
 * Platform certificates for one gateway, downloaded on demand. wechatpay-node-v3 keeps its certificates in a
 * static, process-wide map (Pay.certificates) and never verifies the download; this store is per gateway, refreshes
 * when an unknown serial shows up (rotation) at most once per interval, and trusts only what verifies.
 */
export class PlatformCertificateStore implements VerificationKeySource {
  private keys = new Map<string, KeyObject>();
  private refreshing: Promise<void> | null = null;
  private nextRefreshAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: PlatformCertificateStoreOptions) {}

  /** For WeChat's answers to our own requests: an unknown serial there is WeChat's, so it always refreshes. */
  async keyFor(serial: string): Promise<KeyObject | null> {
    const known = this.keys.get(serial.toUpperCase());
    if (known) return known;
    await this.refresh();
    return this.keys.get(serial.toUpperCase()) ?? null;
  }

  /**
   * For callbacks, which anyone can send with a made-up serial: an unknown one refreshes at most once per
   * interval. Callers arriving while a download runs wait for it (single flight) rather than being refused.
   */
  readonly forCallbacks: VerificationKeySource = {
    keyFor: async (serial) => {
      const known = this.keys.get(serial.toUpperCase());
      if (known || (!this.refreshing && this.options.now().getTime() < this.nextRefreshAt)) return known ?? null;
      return this.keyFor(serial);
    },
  };

  /** Concurrent callers share one download. */
  private refresh(): Promise<void> {
    if (!this.refreshing) {
      this.nextRefreshAt = this.options.now().getTime() + FAILED_REFRESH_RETRY_MS;
      this.refreshing = this.download().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async download(): Promise<void> {
    const { transport, signer, apiV3Key, now, logger } = this.options;
    const response = await transport.exchange('GET', CERTIFICATES_URL, signer.signedHeaders('GET', CERTIFICATES_URL));
    if (response.status !== 200) {
      // No certificate is known yet to check an error answer with, so only report-or-retry codes come through.
      throw errorFromResponse(response, { ok: false, reason: 'UNKNOWN_SERIAL', detail: 'certificates not yet known' }, 'GET /v3/certificates');
    }
    let parsed: z.infer<typeof certificatesResponseSchema>;
    try {
      parsed = certificatesResponseSchema.parse(JSON.parse(response.body.toString('utf8')));
    } catch (error) {
      throw new WechatPayApiError('BAD_RESPONSE', response.status, `GET /v3/certificates: ${(error as Error).message}`);
    }

    const downloaded = new Map<string, KeyObject>();
    for (const entry of parsed.data) {
      const certificate = decryptCertificate(apiV3Key, entry);
      if (new Date(certificate.validTo).getTime() < now().getTime()) {
        logger.warn({ event: 'wechatpay.platform_certificate_expired', serial: entry.serial_no }, 'skipping expired platform certificate');
        continue;
      }
      downloaded.set(entry.serial_no.toUpperCase(), certificate.publicKey);
    }

    // The list is only as trustworthy as its encryption with our APIv3 key; the response must also be signed by
    // one of the certificates in it, or someone between us and WeChat chose what we trust.
    const check = await new SignatureVerifier(staticKeySource(downloaded), now).verify(
      (name) => response.headers.get(name) ?? undefined,
      response.body,
    );
    if (!check.ok) {
      throw new WechatPayApiError('BAD_RESPONSE_SIGNATURE', response.status, `GET /v3/certificates: ${check.reason}: ${check.detail}`);
    }

    // The download is the authoritative list: a certificate WeChat stopped listing is no longer trusted.
    this.keys = downloaded;
    this.nextRefreshAt = now().getTime() + UNKNOWN_SERIAL_REFRESH_INTERVAL_MS;
    logger.info({ event: 'wechatpay.platform_certificates_refreshed', serials: [...downloaded.keys()] }, 'platform certificates refreshed');
  }
}

function decryptCertificate(
  apiV3Key: string,
  entry: z.infer<typeof certificatesResponseSchema>['data'][number],
): X509Certificate {
  let certificate: X509Certificate;
  try {
    const pem = decryptAes256Gcm(apiV3Key, {
      ciphertext: entry.encrypt_certificate.ciphertext,
      nonce: entry.encrypt_certificate.nonce,
      associatedData: entry.encrypt_certificate.associated_data,
    });
    certificate = new X509Certificate(pem);
  } catch (error) {
    // Its own code: with WeChat's answer signed and well-formed, a wrong APIv3 key is by far the likeliest cause.
    throw new WechatPayApiError(
      'CERTIFICATE_DECRYPT_FAILED',
      200,
      `GET /v3/certificates: certificate ${entry.serial_no} does not decrypt to a certificate (${(error as Error).message})`,
    );
  }
  if (certificate.serialNumber.toUpperCase().replace(/^0+/, '') !== entry.serial_no.toUpperCase().replace(/^0+/, '')) {
    throw new WechatPayApiError('BAD_RESPONSE', 200, `GET /v3/certificates: serial_no ${entry.serial_no} does not match its certificate`);
  }
  return certificate;
}
