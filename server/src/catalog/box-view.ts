import type { Box, BoxProduct } from '@blindbox/shared';
import type { BoxDoc, BoxProductDoc } from './box.model';
import type { SaleTerms } from './sale-terms';
import type { ItemCounts } from './item-stock';

/**
 * The probability of each product, in order: weight / total weight of the box, as a plain division.
 * The draw (fairDraw in shared/) picks a uniform integer ticket below the same total (rejection-sampled, no
 * modulo bias) and walks the same weights, so these are exactly the odds it uses, not a rounded summary.
 */
export function publishedOdds(products: readonly { weight: number }[]): number[] {
  const total = products.reduce((sum, product) => sum + product.weight, 0);
  if (total <= 0) throw new RangeError('a box needs at least one product with a positive weight');
  return products.map((product) => product.weight / total);
}

/**
 * Products with the odds a draw would use now: with item counts, an item with nothing left takes no tickets,
 * so the odds are the published weights of what is still in stock (the draw excludes the same items, see
 * fairness/order-draws.ts); without (an order's snapshot, a box keeping no counts), the published weights.
 */
export function toBoxProductDtos(products: readonly BoxProductDoc[], counts: Readonly<ItemCounts> | null = null): BoxProduct[] {
  const soldOut = (product: BoxProductDoc) => counts !== null && (counts[product.productId] ?? 0) <= 0;
  const inStock = products.filter((product) => !soldOut(product));
  const odds = inStock.length > 0 ? publishedOdds(inStock) : [];
  return products.map((product) => ({
    id: product.productId,
    name: product.name,
    rarity: product.rarity,
    imageUrl: product.imageUrl,
    weight: product.weight,
    valueFen: product.valueFen ?? null,
    odds: odds[inStock.indexOf(product)] ?? 0,
    ...(counts ? { soldOut: soldOut(product) } : {}),
  }));
}

/** What the catalog shows beside the box document: its live stock (a whole-set box's free positions), the terms it is sold under, the server's time. */
export interface BoxSaleView extends SaleTerms {
  stock: number;
  now: Date;
  /** Units left of each item; null when the box keeps no per-item counts. */
  items: ItemCounts | null;
}

export function toBoxDto(
  doc: Pick<BoxDoc, '_id' | 'name' | 'description' | 'coverUrl' | 'priceFen' | 'products' | 'guarantee' | 'version' | 'onSaleAt' | 'dropCancelledAt' | 'saleMode' | 'createdAt'>,
  sale: BoxSaleView,
): Box {
  return {
    id: doc._id.toHexString(),
    saleMode: doc.saleMode ?? 'WEIGHTED',
    name: doc.name,
    description: doc.description,
    coverUrl: doc.coverUrl,
    priceFen: doc.priceFen,
    stock: sale.stock,
    purchaseLimit: sale.purchaseLimit,
    paymentWindowMinutes: sale.paymentWindowMinutes,
    guarantee: doc.guarantee ? { minRarity: doc.guarantee.minRarity, within: doc.guarantee.within } : null,
    version: doc.version ?? 1,
    products: toBoxProductDtos(doc.products, sale.items),
    onSaleAt: doc.onSaleAt ? doc.onSaleAt.toISOString() : null,
    dropCancelled: doc.dropCancelledAt !== null && doc.dropCancelledAt !== undefined,
    launchedAt: (doc.onSaleAt ?? doc.createdAt).toISOString(),
    serverTime: sale.now.toISOString(),
  };
}
