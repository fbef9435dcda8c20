import { Types } from 'mongoose';
import { pickByTicket } from '@blindbox/shared';
import { publishedOdds, toBoxDto, toBoxProductDtos } from './box-view';

describe('publishedOdds', () => {
  const productsOf = (weights: number[]) => weights.map((weight, index) => ({ productId: `p${index}`, rarity: 'COMMON' as const, weight }));
  it('is each weight over the total weight of what is in stock', () => {
    expect(publishedOdds(productsOf([60, 25, 10, 5]))).toEqual([0.6, 0.25, 0.1, 0.05]);
    expect(publishedOdds(productsOf([1, 2]))).toEqual([1 / 3, 2 / 3]);
    expect(publishedOdds(productsOf([60, 25, 10, 5]), ['p0'])).toEqual([0, 25 / 40, 10 / 40, 5 / 40]);
  });

  it('gives nothing any odds when nothing is left to draw', () => {
    expect(publishedOdds(productsOf([1, 2]), ['p0', 'p1'])).toEqual([0, 0]);
  });

  it('matches the draw exactly: every ticket the draw can pick maps to a product in these proportions', () => {
    const products = [3, 1, 2].map((weight, index) => ({ productId: `p${index}`, name: `p${index}`, rarity: 'COMMON' as const, imageUrl: '', weight }));
    const total = 6;
    const hits = new Map<string, number>();
    for (let ticket = 0; ticket < total; ticket += 1) {
      const picked = pickByTicket(products, ticket).productId;
      hits.set(picked, (hits.get(picked) ?? 0) + 1);
    }
    const odds = publishedOdds(products);
    products.forEach((product, index) => expect((hits.get(product.productId) ?? 0) / total).toBe(odds[index]));
  });
});

describe('toBoxDto', () => {
  it('exposes the box with per-product odds and hides storage details', () => {
    const _id = new Types.ObjectId();
    const dto = toBoxDto({
      _id,
      guarantee: { minRarity: 'SECRET', within: 72 },
      name: '星空猫咪',
      description: 'd',
      coverUrl: 'c',
      priceFen: 5900,
      version: 2,
      products: [
        { productId: 'a', name: 'A', rarity: 'COMMON', imageUrl: 'ia', weight: 3, valueFen: 4900 },
        // Stored before item values were kept: published as null (待公示), not left out.
        { productId: 'b', name: 'B', rarity: 'SECRET', imageUrl: 'ib', weight: 1 },
      ],
      onSaleAt: new Date('2026-12-01T12:00:00Z'),
      dropCancelledAt: null,
      createdAt: new Date('2026-11-20T08:00:00Z'),
    }, { stock: 7, items: null, purchaseLimit: 2, paymentWindowMinutes: 5, now: new Date('2026-12-01T11:59:00Z') });
    expect(dto).toEqual({
      id: _id.toHexString(),
      saleMode: 'WEIGHTED',
      name: '星空猫咪',
      description: 'd',
      coverUrl: 'c',
      priceFen: 5900,
      stock: 7,
      purchaseLimit: 2,
      paymentWindowMinutes: 5,
      guarantee: { minRarity: 'SECRET', within: 72 },
      version: 2,
      products: [
        { id: 'a', name: 'A', rarity: 'COMMON', imageUrl: 'ia', weight: 3, valueFen: 4900, odds: 0.75 },
        { id: 'b', name: 'B', rarity: 'SECRET', imageUrl: 'ib', weight: 1, valueFen: null, odds: 0.25 },
      ],
      onSaleAt: '2026-12-01T12:00:00.000Z',
      dropCancelled: false,
      launchedAt: '2026-12-01T12:00:00.000Z',
      serverTime: '2026-12-01T11:59:00.000Z',
    });
  });
});

describe('toBoxProductDtos', () => {
  const products = [
    { productId: 'a', name: 'A', rarity: 'COMMON', imageUrl: 'ia', weight: 3 },
    { productId: 'b', name: 'B', rarity: 'RARE', imageUrl: 'ib', weight: 1 },
    { productId: 'c', name: 'C', rarity: 'SECRET', imageUrl: 'ic', weight: 1 },
  ] as const;

  it('shows the live odds: an item with nothing left takes no tickets, the rest share them by weight', () => {
    const dtos = toBoxProductDtos([...products], { a: 5, b: 2, c: 0 });
    expect(dtos.map((dto) => [dto.id, dto.odds, dto.soldOut])).toEqual([['a', 0.75, false], ['b', 0.25, false], ['c', 0, true]]);
  });

  it('without item counts shows the published weights', () => {
    expect(toBoxProductDtos([...products]).map((dto) => dto.odds)).toEqual([0.6, 0.2, 0.2]);
  });
});
