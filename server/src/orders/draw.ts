import { randomInt } from 'node:crypto';
import type { DrawDoc, OrderItemDoc, OrderProductSnapshot } from './order.model';

/**
 * Picks one product with probability weight / total weight — exactly the published odds — using a
 * cryptographically secure generator, so neither users nor staff can predict a draw.
 */
export function drawOne(products: readonly OrderProductSnapshot[], random: (max: number) => number = randomInt): OrderProductSnapshot {
  const total = products.reduce((sum, product) => sum + product.weight, 0);
  let ticket = random(total);
  for (const product of products) {
    if (ticket < product.weight) return product;
    ticket -= product.weight;
  }
  throw new Error('weights changed during a draw');
}

/** One draw per box bought, from the order's snapshot (not the live catalog). */
export function drawOrder(items: readonly OrderItemDoc[]): DrawDoc[] {
  return items.flatMap((item) =>
    Array.from({ length: item.quantity }, () => {
      const product = drawOne(item.products);
      return { boxId: item.boxId, productId: product.productId, name: product.name, rarity: product.rarity, imageUrl: product.imageUrl };
    }),
  );
}
