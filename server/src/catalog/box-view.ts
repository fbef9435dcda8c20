import { drawOdds, type Box, type BoxProduct, type FairProduct } from '@blindbox/shared';
import type { BoxDoc, BoxProductDoc } from './box.model';
import type { SaleTerms } from './sale-terms';
import type { ItemCounts } from './item-stock';

/**
 * The probability of each product, in order, as the draw uses it: tickets / total of shared drawOdds (the one
 * odds function of the box page, the rules page, the draw and the verifier); 0 for an exhausted product.
 */
export function publishedOdds(products: readonly FairProduct[], exhausted: readonly string[] = []): number[] {
  return drawOdds(products, exhausted).map(({ tickets, total }) => (total === 0 ? 0 : tickets / total));
}

/**
 * Products with the odds a draw would use now: with item counts, an item with nothing left takes no tickets
 * (the draw excludes the same items, see fairness/order-draws.ts); without (an order's snapshot, a box keeping
 * no counts), the published weights.
 */
export function toBoxProductDtos(products: readonly BoxProductDoc[], counts: Readonly<ItemCounts> | null = null): BoxProduct[] {
  const soldOut = (product: BoxProductDoc) => counts !== null && (counts[product.productId] ?? 0) <= 0;
  const odds = publishedOdds(products, products.filter(soldOut).map((product) => product.productId));
  return products.map((product, index) => ({
    id: product.productId,
    name: product.name,
    rarity: product.rarity,
    imageUrl: product.imageUrl,
    weight: product.weight,
    valueFen: product.valueFen ?? null,
    odds: odds[index] ?? 0,
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
