import * as shared from '@blindbox/shared';
import { MAX_QUANTITY_PER_ITEM, RARITIES, formatFen } from './shared-lite';

describe('shared-lite mirrors @blindbox/shared', () => {
  it('formats fen for display exactly like shared formatFen', () => {
    const samples = [0, 1, 9, 10, 99, 100, 101, 1999, 12_345, 99_999, 100_000, 123_456_789, shared.MAX_FEN];
    for (let fen = 0; fen < 300_000; fen += 997) samples.push(fen);
    for (const fen of samples) expect(formatFen(fen)).toBe(shared.formatFen(fen));
  });

  it('shows yuan with two decimals and thousands separators', () => {
    expect(formatFen(0)).toBe('¥0.00');
    expect(formatFen(5)).toBe('¥0.05');
    expect(formatFen(1999)).toBe('¥19.99');
    expect(formatFen(123_456_700)).toBe('¥1,234,567.00');
  });

  it('refuses what is not an amount in fen, as shared does', () => {
    for (const bad of [-1, 1.5, Number.NaN, shared.MAX_FEN + 1]) {
      expect(() => formatFen(bad)).toThrow(RangeError);
      expect(() => shared.formatFen(bad)).toThrow(RangeError);
    }
  });

  it('keeps the same constants', () => {
    expect(RARITIES).toEqual(shared.RARITIES);
    expect(MAX_QUANTITY_PER_ITEM).toBe(shared.MAX_QUANTITY_PER_ITEM);
  });
});
