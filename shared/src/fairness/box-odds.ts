import type { BoxProduct } from '../api';
import { drawOdds, type OddsRow } from './fair-draw';

/**
 * A box page's products as the draw sees them (sold-out items take no tickets): what the rules page shows,
 * from the same function the draw and the verifier use.
 */
export function boxProductOdds(products: readonly BoxProduct[]): OddsRow[] {
  return drawOdds(
    products.map((product) => ({ productId: product.id, rarity: product.rarity, weight: product.weight })),
    products.filter((product) => product.soldOut === true).map((product) => product.id),
  );
}

/** Exact odds of a weight among weights: a reduced fraction ("3/20") and its percent, as the rules page and the series editor show them. */
export function exactOdds(weight: number, total: number): { fraction: string; percent: string } {
  // Nothing left to draw (every item sold out): no item has any chance.
  if (total === 0) return { fraction: '0', percent: '0.00%' };
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const divisor = gcd(weight, total) || 1;
  return { fraction: `${weight / divisor}/${total / divisor}`, percent: `${((weight / total) * 100).toFixed(2)}%` };
}
