import { couponOffText, formatDateTime, formatOdds } from './format';

describe('display formatting', () => {
  it('shows published odds as percentages with two decimals', () => {
    expect(formatOdds(0.5)).toBe('50.00%');
    expect(formatOdds(0.0125)).toBe('1.25%');
    expect(formatOdds(1 / 3)).toBe('33.33%');
    expect(formatOdds(0)).toBe('0.00%');
  });

  it('shows timestamps in local time and leaves unparseable text alone', () => {
    const local = new Date(2030, 0, 2, 3, 4, 5);
    expect(formatDateTime(local.toISOString())).toBe('2030-01-02 03:04');
    expect(formatDateTime('soon')).toBe('soon');
  });

  it('says what a coupon takes off: an amount, or a percentage as 折 with its cap', () => {
    expect(couponOffText({ amountOffFen: 500, percentOffBp: null, maxOffFen: null })).toBe('减 ¥5.00');
    expect(couponOffText({ amountOffFen: 0, percentOffBp: 1000, maxOffFen: null })).toBe('享 9折');
    expect(couponOffText({ amountOffFen: 0, percentOffBp: 1500, maxOffFen: 2000 })).toBe('享 8.5折（最高减 ¥20.00）');
  });
});
