import type { Logger } from 'pino';
import { z } from 'zod';
import { decryptAes256Gcm } from './aead';
import {
  type NotificationHeaders,
  NotificationRejectedError,
  type VerifiedNotification,
} from './gateway';
import type { SignatureVerifier } from './verifier';
import { toPaymentTransaction, toRefundResult } from './wire';

const envelopeSchema = z.looseObject({
  id: z.string().min(1),
  event_type: z.string().min(1),
  resource_type: z.string().optional(),
  resource: z.looseObject({
    original_type: z.string(),
    algorithm: z.string(),
    ciphertext: z.string(),
    associated_data: z.string().nullish(),
    nonce: z.string(),
  }),
});

/**
 * Turns a callback into a trusted, decrypted event, in the order that keeps untrusted bytes away from
 * everything else: headers, probe, timestamp, serial, signature over the raw body, then JSON, then AEAD.
 * A certificate download failure while looking up the serial propagates as WechatPayApiError: the callback is
 * not known to be bad, so the endpoint should answer 5xx and let WeChat retry.
 */
export class NotificationHandler {
  constructor(
    private readonly verifier: SignatureVerifier,
    private readonly apiV3Key: string,
    private readonly logger: Logger,
  ) {}

  async verify(headers: NotificationHeaders, rawBody: Buffer): Promise<VerifiedNotification> {
    const check = await this.verifier.verify((name) => singleHeader(headers[name]), rawBody);
    if (!check.ok) throw this.reject(check.reason, check.detail);

    let envelope: z.infer<typeof envelopeSchema>;
    try {
      envelope = envelopeSchema.parse(JSON.parse(rawBody.toString('utf8')));
    } catch (error) {
      throw this.reject('MALFORMED_BODY', `not a notification envelope: ${(error as Error).message}`);
    }
    const { resource } = envelope;
    if (resource.algorithm !== 'AEAD_AES_256_GCM') {
      throw this.reject('DECRYPTION_FAILED', `unsupported algorithm ${resource.algorithm}`, envelope.id);
    }

    let plaintext: string;
    try {
      plaintext = decryptAes256Gcm(this.apiV3Key, {
        ciphertext: resource.ciphertext,
        nonce: resource.nonce,
        associatedData: resource.associated_data ?? '',
      });
    } catch (error) {
      throw this.reject('DECRYPTION_FAILED', `resource does not decrypt: ${(error as Error).message}`, envelope.id);
    }

    try {
      const decrypted: unknown = JSON.parse(plaintext);
      switch (resource.original_type) {
        case 'transaction':
          return { kind: 'transaction', eventId: envelope.id, eventType: envelope.event_type, transaction: toPaymentTransaction(decrypted) };
        case 'refund':
          return { kind: 'refund', eventId: envelope.id, eventType: envelope.event_type, refund: toRefundResult(decrypted) };
        default:
          throw new Error(`unknown original_type ${resource.original_type}`);
      }
    } catch (error) {
      throw this.reject('MALFORMED_BODY', `decrypted resource unusable: ${(error as Error).message}`, envelope.id);
    }
  }

  private reject(reason: NotificationRejectedError['reason'], detail: string, eventId?: string): NotificationRejectedError {
    this.logger.warn({ event: 'wechatpay.notification_rejected', reason, detail, eventId }, 'WeChat Pay notification rejected');
    return new NotificationRejectedError(reason, detail);
  }
}

// Several values for one signature header cannot be told apart from an attack, so they count as absent.
function singleHeader(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
  return value;
}
