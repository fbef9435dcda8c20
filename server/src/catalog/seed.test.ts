import { startTestServer } from '../../test/support/test-server';
import { boxModel } from './box.model';
import { publishedOdds } from './box-view';
import { seedCatalog } from './seed';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ seed: false });
});
afterAll(() => server.stop());

describe('seedCatalog', () => {
  it('loads 3+ demo boxes of 4–8 weighted products with stock and fen prices', async () => {
    await seedCatalog(server.container.db);
    const boxes = await boxModel(server.container.db).find({ slug: { $in: ['starry-cat', 'mecha-boy', 'dessert-elf', 'forest-friends'] } }).lean();
    expect(boxes.length).toBeGreaterThanOrEqual(3);
    for (const box of boxes) {
      expect(box.products.length).toBeGreaterThanOrEqual(4);
      expect(box.products.length).toBeLessThanOrEqual(8);
      expect(Number.isInteger(box.priceFen)).toBe(true);
      expect(box.stock).toBeGreaterThanOrEqual(100);
      expect(box.stock).toBeLessThanOrEqual(500);
      expect(new Set(box.products.map((product) => product.rarity))).toEqual(new Set(['COMMON', 'RARE', 'EPIC', 'SECRET']));
      expect(new Set(box.products.map((product) => product.productId)).size).toBe(box.products.length);
      for (const product of box.products) expect(Number.isInteger(product.weight)).toBe(true);
      expect(publishedOdds(box.products).reduce((sum, odds) => sum + odds, 0)).toBeCloseTo(1, 12);
    }
  });

  it('is idempotent and never resets the stock or holds of existing boxes', async () => {
    const Box = boxModel(server.container.db);
    await seedCatalog(server.container.db);
    const countAfterFirst = await Box.countDocuments();
    await Box.updateOne({ slug: 'starry-cat' }, { $set: { stock: 7, holds: ['65f0c0ffee0000000000abcd:3'] } });

    const summary = await seedCatalog(server.container.db);
    expect(summary.created).toBe(0);
    expect(await Box.countDocuments()).toBe(countAfterFirst);
    const box = await Box.findOne({ slug: 'starry-cat' }).lean();
    expect(box).toMatchObject({ stock: 7, holds: ['65f0c0ffee0000000000abcd:3'] });
    expect(summary.boxes.find((seeded) => seeded.slug === 'starry-cat')?.stock).toBe(7);
  });
});
