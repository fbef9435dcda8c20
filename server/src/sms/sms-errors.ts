import { ruleError } from '../domain-error';

/** Another code for this number within the minute: `retryAfterSeconds` says when one may be asked. */
export const SmsTooSoon = ruleError('LIMITED', 'SMS_TOO_SOON');
/** This number's hourly or daily codes, or this client address's, are used up. */
export const SmsSendLimited = ruleError('LIMITED', 'SMS_SEND_LIMITED');
/** No message can go out now: the shop's daily SMS budget is spent, or the provider refused or failed. */
export const SmsUnavailable = ruleError('UNAVAILABLE', 'SMS_UNAVAILABLE');
/** Phone sign-in is not set up on this server (no SMS provider configured). */
export const PhoneSignInOff = ruleError('UNAVAILABLE', 'PHONE_SIGN_IN_OFF');
/** Wrong, expired, used or tried too often: one answer for all, so a guesser learns nothing. */
export const InvalidSmsCode = ruleError('INVALID', 'INVALID_SMS_CODE');
