import { dropStateAt, formatCountdown, nextTickMs } from './drop-countdown';

const box = { onSaleAt: '2026-12-01T12:00:00.000Z', dropCancelled: false, serverTime: '2026-12-01T11:59:50.000Z' };

test('the countdown runs on the server\'s clock: the phone\'s own time only measures how long since the answer', () => {
  const phoneFiveMinutesFast = Date.parse('2026-12-01T12:04:50.000Z');
  expect(dropStateAt(box, phoneFiveMinutesFast, phoneFiveMinutesFast)).toEqual({ state: 'SCHEDULED', msLeft: 10_000 });
  expect(dropStateAt(box, phoneFiveMinutesFast, phoneFiveMinutesFast + 9_999)).toEqual({ state: 'SCHEDULED', msLeft: 1 });
  expect(dropStateAt(box, phoneFiveMinutesFast, phoneFiveMinutesFast + 10_000)).toEqual({ state: 'OPEN' });
  expect(dropStateAt({ ...box, onSaleAt: null }, 0, 0)).toEqual({ state: 'OPEN' });
  expect(dropStateAt({ ...box, dropCancelled: true }, 0, 0)).toEqual({ state: 'CANCELLED' });
});

test('the countdown reads whole seconds rounded up and ticks on each second', () => {
  expect(formatCountdown(1)).toBe('00:00:01');
  expect(formatCountdown(0)).toBe('00:00:00');
  expect(formatCountdown(3_723_000)).toBe('01:02:03');
  expect(formatCountdown(2 * 86_400_000 + 5_000)).toBe('2天 00:00:05');
  expect(nextTickMs(10_250)).toBe(250);
  expect(nextTickMs(10_000)).toBe(1000);
});
