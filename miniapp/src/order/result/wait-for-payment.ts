import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../../api/api-error';
import { pollPaymentStatus, type PaymentState } from '../../lib/poll-payment';

export type Phase<T> = { kind: 'WAITING' } | { kind: 'PAID'; paid: T } | { kind: 'CLOSED' } | { kind: 'TIMEOUT' } | { kind: 'ERROR'; message: string };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until the payment named by `key` settles (backing off, see pollPaymentStatus), then loads
 * what it paid from the answer that settled it; stops when the page goes away. `retry` starts the wait over.
 */
export function usePaymentOutcome<S extends PaymentState, T>(key: string, check: () => Promise<S>, load: (settled: S) => Promise<T>): { phase: Phase<T>; retry: () => void } {
  const [phase, setPhase] = useState<Phase<T>>({ kind: 'WAITING' });
  const unmounted = useRef(false);
  // The page passes new functions on every render; the wait restarts only for another payment.
  const calls = useRef({ check, load });
  calls.current = { check, load };

  const waitForPayment = useCallback(async () => {
    setPhase({ kind: 'WAITING' });
    let last: S | undefined;
    const outcome = await pollPaymentStatus({
      check: async () => (last = await calls.current.check()),
      sleep,
      now: Date.now,
      isStopped: () => unmounted.current,
    });
    if (outcome.kind === 'STOPPED') return;
    if (outcome.kind === 'TIMEOUT') return setPhase({ kind: 'TIMEOUT' });
    // FAILED: closed, cancelled or refunded; the page says the order is closed and any money goes back.
    if (outcome.status === 'FAILED') return setPhase({ kind: 'CLOSED' });
    try {
      // Settled means the last check answered, so `last` is that answer.
      setPhase({ kind: 'PAID', paid: await calls.current.load(last as S) });
    } catch (failure) {
      setPhase({ kind: 'ERROR', message: describeError(failure) });
    }
  }, [key]);

  useEffect(() => {
    unmounted.current = false;
    void waitForPayment();
    return () => {
      unmounted.current = true;
    };
  }, [waitForPayment]);

  return { phase, retry: () => void waitForPayment() };
}
