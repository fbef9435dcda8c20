import type { PaymentStatusResponse } from '@blindbox/shared';
import { pollPaymentStatus, type PollOptions } from './poll-payment';

/** A clock that only moves when the poller sleeps, recording every sleep. */
function fakeClock() {
  let time = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => time,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      time += ms;
    },
  };
}

const orderNo = '0123456789abcdef01234567';
const pending: PaymentStatusResponse = { orderNo, status: 'PENDING', reason: null, paidAt: null };

function answers(...sequence: (PaymentStatusResponse | Error)[]): PollOptions['check'] {
  return jest.fn(async () => {
    const next = sequence.length > 1 ? sequence.shift() : sequence[0];
    if (next instanceof Error) throw next;
    if (!next) throw new Error('no answer scripted');
    return next;
  });
}

describe('pollPaymentStatus', () => {
  it('returns PAID as soon as the server reports it, backing off between checks', async () => {
    const clock = fakeClock();
    const check = answers(pending, pending, pending, { orderNo, status: 'PAID', reason: null, paidAt: '2030-01-01T00:00:00Z' });
    const outcome = await pollPaymentStatus({ check, ...clock });
    expect(outcome).toEqual({ kind: 'SETTLED', status: 'PAID', paidAt: '2030-01-01T00:00:00Z' });
    expect(check).toHaveBeenCalledTimes(4);
    expect(clock.sleeps).toEqual([500, 1000, 2000]);
  });

  it('reports FAILED without waiting', async () => {
    const clock = fakeClock();
    const outcome = await pollPaymentStatus({ check: answers({ orderNo, status: 'FAILED', reason: 'EXPIRED', paidAt: null }), ...clock });
    expect(outcome).toEqual({ kind: 'SETTLED', status: 'FAILED', paidAt: null });
    expect(clock.sleeps).toEqual([]);
  });

  it('caps the delay and gives up at the deadline after one last check', async () => {
    const clock = fakeClock();
    const check = answers(pending);
    const outcome = await pollPaymentStatus({ check, ...clock, timeoutMs: 20_000, initialDelayMs: 1000, maxDelayMs: 4000 });
    expect(outcome).toEqual({ kind: 'TIMEOUT' });
    // 1+2+4+4+4+4 = 19 s, then only the 1 s left is slept before the final check at exactly 20 s.
    expect(clock.sleeps).toEqual([1000, 2000, 4000, 4000, 4000, 4000, 1000]);
    expect(check).toHaveBeenCalledTimes(8);
  });

  it('treats a failed check as still pending', async () => {
    const clock = fakeClock();
    const check = answers(new Error('offline'), new Error('offline'), { orderNo, status: 'PAID', reason: null, paidAt: null });
    await expect(pollPaymentStatus({ check, ...clock })).resolves.toMatchObject({ kind: 'SETTLED', status: 'PAID' });
    expect(check).toHaveBeenCalledTimes(3);
  });

  it('stops without another request once the page is gone', async () => {
    const clock = fakeClock();
    let stopped = false;
    const check = jest.fn(async () => {
      stopped = true;
      return pending;
    });
    await expect(pollPaymentStatus({ check, ...clock, isStopped: () => stopped })).resolves.toEqual({ kind: 'STOPPED' });
    expect(check).toHaveBeenCalledTimes(1);
  });
});
