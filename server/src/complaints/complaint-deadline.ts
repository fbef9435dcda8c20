import type { ComplaintState, NegotiationEntry } from './complaint-channel';

/**
 * WeChat Pay asks the merchant to answer a complaint within 24 hours (回复时限), and again after each new message
 * of the shopper; a complaint left unanswered is taken over by WeChat (平台介入) and counts against the merchant.
 */
export const REPLY_WITHIN_MS = 24 * 3_600_000;

/** The shopper's own words; each one asks for an answer. */
const SHOPPER_MESSAGES = new Set(['USER_CREATE_COMPLAINT', 'USER_CONTINUE_COMPLAINT', 'USER_RESPONSE']);
/** What counts as the shop's answer. */
const MERCHANT_ANSWERS = new Set(['MERCHANT_RESPONSE', 'MERCHANT_CONFIRM_COMPLETE', 'MERCHANT_APPROVE_REFUND', 'MERCHANT_REFUSE_RERUND']);

/** When the shop must answer by; null when nothing waits on it (handled, or the last word is the shop's). */
export function replyDueAt(state: ComplaintState, complaintTime: Date, history: readonly Pick<NegotiationEntry, 'operateType' | 'operateTime'>[]): Date | null {
  if (state === 'PROCESSED') return null;
  let waitingSince: Date | null = history.length === 0 ? complaintTime : null;
  for (const entry of history) {
    if (SHOPPER_MESSAGES.has(entry.operateType)) waitingSince ??= entry.operateTime;
    else if (MERCHANT_ANSWERS.has(entry.operateType)) waitingSince = null;
  }
  return waitingSince && new Date(waitingSince.getTime() + REPLY_WITHIN_MS);
}
