import type { Logger } from 'pino';
import { z } from 'zod';
import { decryptAes256Gcm } from './aead';
import {
  NotificationIgnoredError,
  type NotificationHeaders,
  NotificationRejectedError,
  type VerifiedNotification,
} from './gateway';
import type { SignatureVerifier } from './verifier';
import { toPaymentTransaction, toRefundResult } from './wire';

/**
 * The events our notify URL is given to (it is the notify_url of prepays and of refunds), each with the one
 * kind of resource it carries. A signed envelope is still only trusted to say what it says: a REFUND.SUCCESS
 * event wrapping a transaction is not a payment.
 */
const HANDLED_EVENTS: Readonly<Record<string, 'transaction' | 'refund'>> = {
  'TRANSACTION.SUCCESS': 'transaction',
  'REFUND.SUCCESS': 'refund',
  'REFUND.ABNORMAL': 'refund',
  'REFUND.CLOSED': 'refund',
};
const RESOURCE_TYPE = 'encrypt-resource';

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
    const opened = await this.open(headers, rawBody, (eventType, originalType) => HANDLED_EVENTS[eventType] === originalType);
    const kind = HANDLED_EVENTS[opened.eventType];
    try {
      return kind === 'transaction'
        ? { kind: 'transaction', eventId: opened.eventId, eventType: opened.eventType, transaction: toPaymentTransaction(opened.resource) }
        : { kind: 'refund', eventId: opened.eventId, eventType: opened.eventType, refund: toRefundResult(opened.resource) };
    } catch (error) {
      throw this.reject('MALFORMED_BODY', `decrypted resource unusable: ${(error as Error).message}`, opened.eventId);
    }
  }

  /**
   * Verifies and decrypts any callback of WeChat Pay's envelope (payments, refunds, complaints): `handles` says
   * which event and resource types the endpoint acts on; others are NotificationIgnoredError. The resource is the
   * decrypted JSON, for the caller's own schema.
   */
  async open(
    headers: NotificationHeaders,
    rawBody: Buffer,
    handles: (eventType: string, originalType: string) => boolean,
  ): Promise<{ eventId: string; eventType: string; resource: unknown }> {
    // Which of two signatures (or timestamps, serials) would be the one WeChat meant cannot be told, and a
    // proxy that joins repeated headers could make a valid one out of them: refuse them outright.
    const repeated = Object.keys(headers).filter((name) => name.startsWith('wechatpay-') && Array.isArray(headers[name]) && headers[name].length > 1);
    if (repeated.length > 0) throw this.reject('DUPLICATE_HEADERS', `repeated ${repeated.join(', ')}`);
    const check = await this.verifier.verify((name) => singleHeader(headers[name]), rawBody);
    if (!check.ok) throw this.reject(check.reason, check.detail);

    let envelope: z.infer<typeof envelopeSchema>;
    try {
      envelope = envelopeSchema.parse(JSON.parse(rawBody.toString('utf8')));
    } catch (error) {
      throw this.reject('MALFORMED_BODY', `not a notification envelope: ${(error as Error).message}`);
    }
    const { resource } = envelope;
    if (!handles(envelope.event_type, resource.original_type) || (envelope.resource_type !== undefined && envelope.resource_type !== RESOURCE_TYPE)) {
      const detail = `event ${envelope.event_type} with a ${envelope.resource_type ?? '(no type)'} ${resource.original_type} resource is not handled here`;
      this.logger.warn({ event: 'wechatpay.notification_ignored', eventId: envelope.id, eventType: envelope.event_type, detail }, 'WeChat Pay notification ignored');
      throw new NotificationIgnoredError(envelope.id, envelope.event_type, detail);
    }
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
      return { eventId: envelope.id, eventType: envelope.event_type, resource: JSON.parse(plaintext) as unknown };
    } catch (error) {
      throw this.reject('MALFORMED_BODY', `decrypted resource is not JSON: ${(error as Error).message}`, envelope.id);
    }
  }

  reject(reason: NotificationRejectedError['reason'], detail: string, eventId?: string): NotificationRejectedError {
    this.logger.warn({ event: 'wechatpay.notification_rejected', reason, detail, eventId }, 'WeChat Pay notification rejected');
    return new NotificationRejectedError(reason, detail);
  }
}

// Node gives repeated headers as arrays only in headersDistinct; repeated ones were refused above.
function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
