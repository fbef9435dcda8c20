import { MAX_FEN, fenToYuan, formatFen, multiplyFen, parseYuan, sumFen, yuanToFen } from './money';

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

test('Alipay yuan strings round-trip with fen exactly, and anything else is refused', () => {
  expect(fenToYuan(1990)).toBe('19.90');
  expect(fenToYuan(5)).toBe('0.05');
  expect(fenToYuan(MAX_FEN)).toBe('1000000000.00');
  for (const fen of [0, 1, 99, 100, 1990, 123_456_789]) expect(yuanToFen(fenToYuan(fen))).toBe(fen);
  expect(yuanToFen('19.9')).toBe(1990);
  expect(yuanToFen('20')).toBe(2000);
  // 0.1 + 0.2 style float drift would turn these into 1000 ± 1 fen.
  expect(yuanToFen('10.01')).toBe(1001);
  expect(yuanToFen('0.29')).toBe(29);
  for (const bad of ['', '-1.00', '1.001', '1e3', ' 1.00', '1.00 ', '01.00', '1.', '.5', '1,000.00', '1000000000.01']) expect(yuanToFen(bad)).toBeNull();
});

test('reads yuan with two decimals as exact fen', () => {
  expect(parseYuan('0.29')).toBe(29);
  expect(parseYuan('12.3')).toBe(1230);
  expect(parseYuan('7')).toBe(700);
  expect(parseYuan('1299.02')).toBe(129902);
  for (const bad of ['', '-1.00', '1.234', '1,000.00', '1e3', ' 1.00']) expect(() => parseYuan(bad)).toThrow(RangeError);
});
