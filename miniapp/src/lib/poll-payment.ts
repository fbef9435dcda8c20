import type { PaymentStatus, PaymentStatusResponse } from '@blindbox/shared';

export type PollOutcome =
  | { kind: 'SETTLED'; status: Exclude<PaymentStatus, 'PENDING'>; paidAt: string | null }
  | { kind: 'TIMEOUT' }
  | { kind: 'STOPPED' };

/** What a poll needs of an answer: an order's payment-status, or a combined payment's. */
export type PaymentState = Pick<PaymentStatusResponse, 'status' | 'paidAt'>;

export interface PollOptions {
  check: () => Promise<PaymentState>;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** The page went away: stop without another request. */
  isStopped?: () => boolean;
  timeoutMs?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
}

/**
 * Asks the server until the payment settles: PAID or FAILED, the reference payment API's loop. WeChat's callback usually lands within a second or two,
 * so the first checks come quickly and later ones back off to spare the server; a failed check
 * (flaky network) counts as "still pending" rather than ending the wait.
 */
export async function pollPaymentStatus({
  check,
  sleep,
  now,
  isStopped = () => false,
  timeoutMs = 60_000,
  initialDelayMs = 500,
  maxDelayMs = 5_000,
  factor = 2,
}: PollOptions): Promise<PollOutcome> {
  const startedAt = now();
  let delay = initialDelayMs;
  for (;;) {
    if (isStopped()) return { kind: 'STOPPED' };
    try {
      const { status, paidAt } = await check();
      if (status !== 'PENDING') return { kind: 'SETTLED', status, paidAt };
    } catch {
      // Pending until proven otherwise; the deadline below still bounds the wait.
    }
    const elapsed = now() - startedAt;
    if (elapsed >= timeoutMs) return { kind: 'TIMEOUT' };
    await sleep(Math.min(delay, timeoutMs - elapsed));
    delay = Math.min(delay * factor, maxDelayMs);
  }
}
