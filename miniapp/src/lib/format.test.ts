import { couponOffText, formatDateTime, formatOdds, orderStatusText, totalLabel } from './format';

describe('display formatting', () => {
  it('shows published odds as percentages with two decimals', () => {
    expect(formatOdds(0.5)).toBe('50.00%');
    expect(formatOdds(0.0125)).toBe('1.25%');
    expect(formatOdds(1 / 3)).toBe('33.33%');
    expect(formatOdds(0)).toBe('0.00%');
  });

  it('shows timestamps in Beijing time whatever the device zone, and leaves unparseable text alone', () => {
    // 08:14 UTC is 16:14 in Beijing; 20:30 UTC is the next day there.
    expect(formatDateTime('2026-12-01T08:14:00.000Z')).toBe('2026-12-01 16:14');
    expect(formatDateTime('2026-12-31T20:30:00.000Z')).toBe('2027-01-01 04:30');
    expect(formatDateTime('soon')).toBe('soon');
  });

  it('says what a coupon takes off: an amount, or a percentage as 折 with its cap', () => {
    expect(couponOffText({ amountOffFen: 500, percentOffBp: null, maxOffFen: null })).toBe('减 ¥5.00');
    expect(couponOffText({ amountOffFen: 0, percentOffBp: 1000, maxOffFen: null })).toBe('享 9折');
    expect(couponOffText({ amountOffFen: 0, percentOffBp: 1500, maxOffFen: 2000 })).toBe('享 8.5折（最高减 ¥20.00）');
  });
});

describe('order words', () => {
  const closedBy = (reason: string, actor: string) => ({ status: 'CLOSED' as const, audit: [{ from: 'TO_BE_PAID' as const, to: 'CLOSED' as const, reason, actor, at: '2026-12-01T08:00:00Z' }] });

  it('says a cancelled order was cancelled and an expired one timed out', () => {
    expect(orderStatusText(closedBy('cancelled by the user', 'user:6b12'))).toBe('已取消');
    expect(orderStatusText(closedBy('expired', 'sweep'))).toBe('已超时关闭');
    expect(orderStatusText({ status: 'TO_BE_PAID', audit: [] })).toBe('待支付');
  });

  it('shows 应付 for unpaid and closed orders, 实付 once paid', () => {
    expect(totalLabel('TO_BE_PAID')).toBe('应付');
    expect(totalLabel('CLOSED')).toBe('应付');
    expect(totalLabel('TO_BE_DELIVERED')).toBe('实付');
  });
});
