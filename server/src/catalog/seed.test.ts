import { startTestServer } from '../../test/support/test-server';
import { boxModel } from './box.model';
import { publishedOdds } from './box-view';
import { seedCatalog } from './seed';
import { holdModel } from './stock.model';
import { stockDatabase } from '../db/databases';
import { Types } from 'mongoose';
import { boxSetModel } from '../sets/set.model';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ seed: false });
});
afterAll(() => server.stop());

describe('seedCatalog', () => {
  it('loads 3+ demo boxes of 4–8 weighted products with stock and fen prices', async () => {
    await seedCatalog(server.container.db, server.container.fairness.seeds);
    const boxes = await boxModel(server.container.db).find({ slug: { $in: ['starry-cat', 'mecha-boy', 'dessert-elf', 'forest-friends'] } }).lean();
    expect(boxes.length).toBeGreaterThanOrEqual(3);
    for (const box of boxes) {
      expect(box.products.length).toBeGreaterThanOrEqual(4);
      expect(box.products.length).toBeLessThanOrEqual(8);
      expect(Number.isInteger(box.priceFen)).toBe(true);
      const stock = (await server.container.stock.available([box._id])).get(box._id.toHexString());
      expect(stock).toBeGreaterThanOrEqual(100);
      expect(stock).toBeLessThanOrEqual(500);
      expect(new Set(box.products.map((product) => product.rarity))).toEqual(new Set(['COMMON', 'RARE', 'EPIC', 'SECRET']));
      expect(new Set(box.products.map((product) => product.productId)).size).toBe(box.products.length);
      for (const product of box.products) expect(Number.isInteger(product.weight)).toBe(true);
      expect(publishedOdds(box.products).reduce((sum, odds) => sum + odds, 0)).toBeCloseTo(1, 12);
    }
  });

  it('is idempotent and never resets the stock or holds of existing boxes', async () => {
    const Box = boxModel(server.container.db);
    await seedCatalog(server.container.db, server.container.fairness.seeds);
    const countAfterFirst = await Box.countDocuments();
    const starry = (await Box.findOne({ slug: 'starry-cat' }).lean())!;
    const ledger = server.container.stock;
    await ledger.setAvailable(starry._id, 7);
    const orderId = new Types.ObjectId('65f0c0ffee0000000000abcd');
    await holdModel(stockDatabase(server.container.db)).create({
      _id: `${orderId.toHexString()}:${starry._id.toHexString()}`, boxId: starry._id, orderId, quantity: 3, state: 'HELD', expiresAt: new Date(Date.now() + 60_000), updatedAt: new Date(),
    });

    const setBox = (await Box.findOne({ slug: 'moon-rabbit-set' }).lean())!;
    const commitments = async () => (await boxSetModel(server.container.db).find({ boxId: setBox._id }).sort({ number: 1 }).lean()).map((set) => set.commitment);
    const firstSets = await commitments();

    const summary = await seedCatalog(server.container.db, server.container.fairness.seeds);
    expect(summary.created).toBe(0);
    // The whole-set box's first sets (its file's firstSets) were made once, and are never remade.
    expect(setBox.saleMode).toBe('SETS');
    expect(firstSets).toHaveLength(3);
    expect(await commitments()).toEqual(firstSets);
    expect(summary.boxes.find((seeded) => seeded.slug === 'moon-rabbit-set')?.stock).toBe(18);
    expect(await Box.countDocuments()).toBe(countAfterFirst);
    expect((await ledger.available([starry._id])).get(starry._id.toHexString())).toBe(7);
    expect(await ledger.openHolds(starry._id)).toEqual(['65f0c0ffee0000000000abcd:3']);
    expect(summary.boxes.find((seeded) => seeded.slug === 'starry-cat')?.stock).toBe(7);
  });
});
