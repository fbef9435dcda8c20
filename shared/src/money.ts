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

/**
 * Reads an amount written in yuan with at most two decimals ("12.34", "0.5", "7") as fen, digit by digit:
 * WeChat's bills write yuan, and parseFloat("0.29") * 100 is 28.999999999999996.
 */
export function parseYuan(text: string): Fen {
  const match = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match?.[1]) throw new RangeError(`not an amount in yuan: ${JSON.stringify(text)}`);
  return assertFen(Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0')));
}
