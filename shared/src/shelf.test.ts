import { beijingMonthDayTime } from './beijing-time';
import { LOW_STOCK_THRESHOLD, NEW_ARRIVAL_DAYS, shelfSectionOf, stockWordOf } from './shelf';

describe('stockWordOf', () => {
  it('says 已售罄 at none, 仅剩 N at or under the threshold, nothing above it', () => {
    expect(stockWordOf(0).text).toBe('已售罄');
    expect(stockWordOf(1).text).toBe('仅剩 1');
    expect(stockWordOf(LOW_STOCK_THRESHOLD)).toEqual({ kind: 'LOW', text: `仅剩 ${LOW_STOCK_THRESHOLD}` });
    expect(stockWordOf(LOW_STOCK_THRESHOLD + 1)).toEqual({ kind: 'PLENTY', text: null });
  });
});

describe('shelfSectionOf', () => {
  const now = new Date('2026-12-04T08:00:00Z');
  const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();

  it('puts a drop not open yet under 即将开售, unless it was cancelled', () => {
    const box = { onSaleAt: '2026-12-05T08:00:00.000Z', launchedAt: '2026-12-05T08:00:00.000Z', dropCancelled: false };
    expect(shelfSectionOf(box, now)).toBe('COMING');
    expect(shelfSectionOf({ ...box, dropCancelled: true }, now)).not.toBe('COMING');
  });

  it('calls a box new for NEW_ARRIVAL_DAYS after it went on sale', () => {
    expect(shelfSectionOf({ onSaleAt: null, launchedAt: daysAgo(NEW_ARRIVAL_DAYS - 1), dropCancelled: false }, now)).toBe('NEW');
    expect(shelfSectionOf({ onSaleAt: null, launchedAt: daysAgo(NEW_ARRIVAL_DAYS + 1), dropCancelled: false }, now)).toBe('ON_SALE');
  });
});

describe('beijingMonthDayTime', () => {
  it('reads the time in Beijing, across the date line of UTC', () => {
    expect(beijingMonthDayTime(new Date('2026-12-04T08:14:00Z'))).toBe('12 月 4 日 16:14');
    expect(beijingMonthDayTime(new Date('2026-01-31T17:05:00Z'))).toBe('2 月 1 日 01:05');
  });
});
