import type { Fen, Rarity } from '@blindbox/shared';

// Zod-free copies of the few runtime values the pages need from @blindbox/shared. Importing any
// value from shared loads its zod schemas (money.ts builds one at module load), which would add
// about 95 KB to the 512 KB main package. shared-lite.test.ts pins every copy to the original.

export const RARITIES: readonly Rarity[] = ['COMMON', 'RARE', 'EPIC', 'SECRET'];

export const MAX_QUANTITY_PER_ITEM = 20;

const MAX_FEN = 1_000_000_000_00;

/** Same output as shared's formatFen, e.g. 1999 → "¥19.99"; integer arithmetic, throws on a non-amount. */
export function formatFen(fen: Fen): string {
  if (!Number.isSafeInteger(fen) || fen < 0 || fen > MAX_FEN) throw new RangeError(`not an amount in fen: ${fen}`);
  const yuan = String(Math.trunc(fen / 100)).replace(/\B(?=(\d{3})+$)/g, ',');
  const cents = String(fen % 100).padStart(2, '0');
  // Grouping by hand: some mini-program JS engines ship without the locale data toLocaleString needs.
  return `¥${yuan}.${cents}`;
}
