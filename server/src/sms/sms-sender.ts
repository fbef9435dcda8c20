/**
 * The SMS port: what the shop asks of an SMS provider (one verification-code message to one mainland number).
 * The adapter (tencent-sms.ts) knows how the provider speaks, signs and fails.
 */
export interface SmsSender {
  /** Resolves once the provider accepted the message; throws SmsSendError otherwise. */
  sendCode(message: { phone: string; code: string; ttlMinutes: number }): Promise<void>;
}

/**
 * Why a message was not sent, in the shop's terms: RECIPIENT_LIMITED (the provider's own per-number limits),
 * RECIPIENT_REFUSED (a number that cannot receive: malformed, blocked), QUOTA_EXCEEDED (the merchant's package or
 * daily quota is used up), MISCONFIGURED (keys, sign name, template: ours to fix), UNAVAILABLE (the provider is
 * failing; it was not sent), UNKNOWN (no answer: it may have been sent).
 */
export type SmsFailure = 'RECIPIENT_LIMITED' | 'RECIPIENT_REFUSED' | 'QUOTA_EXCEEDED' | 'MISCONFIGURED' | 'UNAVAILABLE' | 'UNKNOWN';

export class SmsSendError extends Error {
  constructor(
    readonly reason: SmsFailure,
    /** The provider's own code (e.g. LimitExceeded.PhoneNumberDailyLimit); null without an answer. */
    readonly providerCode: string | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SmsSendError';
  }
}
