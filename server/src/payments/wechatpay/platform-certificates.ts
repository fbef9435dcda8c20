import { type KeyObject, X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { decryptAes256Gcm } from './aead';
import { WechatPayApiError } from './gateway';
import type { MerchantSigner } from './signer';
import { type VerifyingTransport, errorFromResponse } from './transport';
import { SignatureVerifier, type VerificationKeySource, staticKeySource } from './verifier';

const CERTIFICATES_URL = 'https://api.mch.weixin.qq.com/v3/certificates';
/** How long a serial that stayed unknown after a refresh is answered from memory instead of downloading again. */
const UNKNOWN_SERIAL_MEMORY_MS = 60_000;

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
 * once when an unknown serial shows up (rotation), and trusts only what verifies.
 */
export class PlatformCertificateStore implements VerificationKeySource {
  private keys = new Map<string, KeyObject>();
  private refreshing: Promise<void> | null = null;
  private readonly unknownUntil = new Map<string, number>();

  constructor(private readonly options: PlatformCertificateStoreOptions) {}

  async keyFor(serial: string): Promise<KeyObject | null> {
    const wanted = serial.toUpperCase();
    const known = this.keys.get(wanted);
    if (known) return known;
    const rememberedUntil = this.unknownUntil.get(wanted);
    if (rememberedUntil !== undefined && rememberedUntil > this.options.now().getTime()) return null;

    await this.refresh();
    const fresh = this.keys.get(wanted);
    if (fresh) return fresh;
    this.unknownUntil.set(wanted, this.options.now().getTime() + UNKNOWN_SERIAL_MEMORY_MS);
    return null;
  }

  /** Concurrent callers share one download. */
  refresh(): Promise<void> {
    this.refreshing ??= this.download().finally(() => {
      this.refreshing = null;
    });
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
    this.unknownUntil.clear();
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
