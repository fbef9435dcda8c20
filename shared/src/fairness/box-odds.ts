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
