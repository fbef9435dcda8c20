import type { Logger } from '../logger';
import type { Clock } from '../clock';
import { SmsSendError, type SmsSender } from './sms-sender';
import type { SmsCodes } from './sms-codes';
import { SMS_CODE_TTL_MINUTES } from './sms-codes';
import type { SmsSendLimits } from './sms-send-limits';
import { SMS_GAP_SECONDS } from './sms-send-limits';
import { PhoneSignInOff, SmsSendLimited, SmsUnavailable } from './sms-errors';

/** The last four digits only: a log line must not carry a shopper's number. */
export const maskedPhone = (phone: string) => `${phone.slice(0, 3)}****${phone.slice(-4)}`;

/**
 * Sending a sign-in code and checking it: the limits, the code store and the provider together. Nothing here
 * asks whether the number belongs to a shopper, so every answer is the same for known and unknown numbers.
 */
export function phoneCodes({ sender, codes, limits, clock, logger }: { sender: SmsSender | null; codes: SmsCodes; limits: SmsSendLimits; clock: Clock; logger: Logger }) {
  const log = logger.child({ component: 'sms' });
  return {
    enabled: sender !== null,

    async send(phone: string, address: string): Promise<{ resendAfterSeconds: number; expiresInSeconds: number }> {
      if (!sender) throw new PhoneSignInOff('no SMS provider is configured');
      const now = clock.now();
      const taken = await limits.take(phone, address, now);
      // Stored before it is sent, so the code can never arrive before the server knows it.
      const code = await codes.issue(phone, now);
      try {
        await sender.sendCode({ phone, code, ttlMinutes: SMS_CODE_TTL_MINUTES });
      } catch (error) {
        if (!(error instanceof SmsSendError)) throw error;
        // Certainly not sent: nothing of the number's, the address's or the shop's budget is spent. Without an
        // answer it may have gone out, so it stays counted.
        if (error.reason !== 'UNKNOWN') await limits.giveBack(taken);
        const level = error.reason === 'MISCONFIGURED' || error.reason === 'QUOTA_EXCEEDED' ? 'error' : 'warn';
        log[level]({ event: 'sms.send_failed', reason: error.reason, providerCode: error.providerCode, phone: maskedPhone(phone), err: error }, 'sign-in code not sent');
        if (error.reason === 'RECIPIENT_LIMITED') throw new SmsSendLimited('the provider refused more messages to this number', { scope: 'PROVIDER' });
        throw new SmsUnavailable('the sign-in code could not be sent');
      }
      log.info({ event: 'sms.code_sent', phone: maskedPhone(phone) }, 'sign-in code sent');
      return { resendAfterSeconds: SMS_GAP_SECONDS, expiresInSeconds: SMS_CODE_TTL_MINUTES * 60 };
    },

    /** Throws InvalidSmsCode unless `code` is the live one; it is then used up. */
    consume: (phone: string, code: string) => codes.consume(phone, code, clock.now()),
  };
}

export type PhoneCodes = ReturnType<typeof phoneCodes>;
