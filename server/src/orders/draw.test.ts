import { Types } from 'mongoose';
import { drawOne, drawOrder } from './draw';
import type { OrderProductSnapshot } from './order.model';

const products: OrderProductSnapshot[] = [
  { productId: 'c', name: 'common', rarity: 'COMMON', imageUrl: '', weight: 60 },
  { productId: 'r', name: 'rare', rarity: 'RARE', imageUrl: '', weight: 25 },
  { productId: 'e', name: 'epic', rarity: 'EPIC', imageUrl: '', weight: 10 },
  { productId: 's', name: 'secret', rarity: 'SECRET', imageUrl: '', weight: 5 },
];

// Upper tail of chi-square with 3 degrees of freedom at p = 0.001.
const CHI_SQUARE_3DF_P001 = 16.266;

test('observed frequencies match the published odds (chi-square, p > 0.001)', () => {
  const draws = 100_000;
  const counts = new Map<string, number>();
  for (let i = 0; i < draws; i++) {
    const product = drawOne(products);
    counts.set(product.productId, (counts.get(product.productId) ?? 0) + 1);
  }
  const total = products.reduce((sum, product) => sum + product.weight, 0);
  const chiSquare = products.reduce((sum, product) => {
    const expected = (draws * product.weight) / total;
    return sum + ((counts.get(product.productId) ?? 0) - expected) ** 2 / expected;
  }, 0);
  expect(chiSquare).toBeLessThan(CHI_SQUARE_3DF_P001);
});

test('every ticket maps to the product whose weight band holds it', () => {
  expect(drawOne(products, () => 0).productId).toBe('c');
  expect(drawOne(products, () => 59).productId).toBe('c');
  expect(drawOne(products, () => 60).productId).toBe('r');
  expect(drawOne(products, () => 94).productId).toBe('e');
  expect(drawOne(products, () => 99).productId).toBe('s');
});

test('one draw per box bought', () => {
  const boxId = new Types.ObjectId();
  const draws = drawOrder([{ boxId, name: 'b', coverUrl: '', priceFen: 100, quantity: 4, dropKey: 'first', products }]);
  expect(draws).toHaveLength(4);
  expect(draws.every((draw) => draw.boxId.equals(boxId))).toBe(true);
});
