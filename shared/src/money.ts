// No zod here: the mini-program imports this file directly and must not pull zod into its main package.

/** Money is always an integer number of fen (1 yuan = 100 fen); floats never carry amounts. */
export type Fen = number;

/** Upper bound well inside Number.MAX_SAFE_INTEGER so sums of many line items stay exact. */
export const MAX_FEN = 1_000_000_000_00;

export function assertFen(value: number): Fen {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_FEN) {
    throw new RangeError(`not an amount in fen: ${value}`);
  }
  return value;
}

/** Multiplies an amount by a count without leaving integer fen. */
export function multiplyFen(unit: Fen, quantity: number): Fen {
  if (!Number.isSafeInteger(quantity) || quantity < 0) throw new RangeError(`bad quantity: ${quantity}`);
  return assertFen(unit * quantity);
}

export function sumFen(amounts: readonly Fen[]): Fen {
  return assertFen(amounts.reduce((total, amount) => total + assertFen(amount), 0));
}

/** Formats fen as yuan for display using integer arithmetic only, e.g. 123456 → "¥1,234.56". */
export function formatFen(fen: Fen): string {
  assertFen(fen);
  // Grouped by hand: some mini-program JS engines ship without the locale data toLocaleString needs.
  const yuan = String(Math.trunc(fen / 100)).replace(/\B(?=(\d{3})+$)/g, ',');
  return `¥${yuan}.${String(fen % 100).padStart(2, '0')}`;
}

/** Fen as the yuan string Alipay speaks (two decimals, no grouping), by integer arithmetic: 1990 → "19.90". */
export function fenToYuan(fen: Fen): string {
  assertFen(fen);
  return `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

/**
 * A yuan string ("19.90", "19.9", "20") as fen, parsed digit by digit so no float ever holds the amount;
 * null for anything else (signs, exponents, a third decimal, spaces).
 */
export function yuanToFen(yuan: string): Fen | null {
  const match = /^(0|[1-9]\d{0,11})(?:\.(\d{1,2}))?$/.exec(yuan);
  if (!match?.[1]) return null;
  const fen = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return fen <= MAX_FEN ? fen : null;
}

/**
 * An amount in yuan as WeChat's bills write it ("12.34", "0.5", "7") as fen; throws on anything else, since a
 * bill row that cannot be read must stop the reconciliation rather than count as zero.
 */
export function parseYuan(text: string): Fen {
  const fen = yuanToFen(text);
  if (fen === null) throw new RangeError(`not an amount in yuan: ${JSON.stringify(text)}`);
  return fen;
}
