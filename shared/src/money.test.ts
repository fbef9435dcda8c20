import { MAX_FEN, formatFen, multiplyFen, parseYuan, sumFen } from './money';

test('formats fen as yuan with two decimals and thousands separators', () => {
  expect(formatFen(0)).toBe('¥0.00');
  expect(formatFen(5)).toBe('¥0.05');
  expect(formatFen(1999)).toBe('¥19.99');
  expect(formatFen(123_456_700)).toBe('¥1,234,567.00');
  expect(formatFen(MAX_FEN)).toBe('¥1,000,000,000.00');
});

test('refuses anything that is not an amount in fen', () => {
  for (const bad of [-1, 1.5, Number.NaN, MAX_FEN + 1]) expect(() => formatFen(bad)).toThrow(RangeError);
  expect(() => multiplyFen(100, 1.5)).toThrow(RangeError);
  expect(() => sumFen([1, 0.1])).toThrow(RangeError);
});

test('sums and products stay exact integers', () => {
  expect(sumFen([multiplyFen(1999, 3), 1])).toBe(5998);
});

test('reads yuan with two decimals as exact fen', () => {
  expect(parseYuan('0.29')).toBe(29);
  expect(parseYuan('12.3')).toBe(1230);
  expect(parseYuan('7')).toBe(700);
  expect(parseYuan('1299.02')).toBe(129902);
  for (const bad of ['', '-1.00', '1.234', '1,000.00', '1e3', ' 1.00']) expect(() => parseYuan(bad)).toThrow(RangeError);
});
