import { boxPageSchema, boxSchema, type Box, type BoxPage } from '@blindbox/shared';
import { Types } from 'mongoose';
import { apiClient } from '../../test/support/api-client';
import { startTestServer } from '../../test/support/test-server';
import { boxModel } from './box.model';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

let server: TestServer;
let activeCount: number;

beforeAll(async () => {
  server = await startTestServer({ seed: true });
  const Box = boxModel(server.container.db);
  // Two more boxes sharing a sortOrder (so _id must break the tie) and a hidden one.
  await Box.create([
    { slug: 'test-tie-a', name: 'Tie A', coverUrl: 'c', priceFen: 100, sortOrder: 50, products: [{ productId: 'x', name: 'X', rarity: 'COMMON', imageUrl: 'i', weight: 1 }] },
    { slug: 'test-tie-b', name: 'Tie B', coverUrl: 'c', priceFen: 100, sortOrder: 50, products: [{ productId: 'x', name: 'X', rarity: 'COMMON', imageUrl: 'i', weight: 1 }] },
    { slug: 'test-hidden', name: 'Hidden', coverUrl: 'c', priceFen: 100, active: false, products: [{ productId: 'x', name: 'X', rarity: 'COMMON', imageUrl: 'i', weight: 1 }] },
  ]);
  activeCount = await Box.countDocuments({ active: true });
});
afterAll(() => server.stop());

const get = (path: string) => apiClient(server.url).get(path);

describe('GET /api/boxes', () => {
  it('pages through every active box exactly once, in sortOrder then _id order, without login', async () => {
    const seen: Box[] = [];
    for (let page = 1; ; page += 1) {
      const { status, body } = await get(`/api/boxes?page=${page}&pageSize=2`);
      expect(status).toBe(200);
      const boxPage: BoxPage = boxPageSchema.parse(body);
      expect(boxPage).toMatchObject({ page, pageSize: 2, total: activeCount });
      if (boxPage.items.length === 0) break;
      seen.push(...boxPage.items);
    }
    expect(seen).toHaveLength(activeCount);
    expect(new Set(seen.map((box) => box.id)).size).toBe(activeCount);
    expect(seen.map((box) => box.name)).not.toContain('Hidden');

    const stored = await boxModel(server.container.db).find({ active: true }).lean();
    const sortOrderOf = new Map(stored.map((box) => [box._id.toHexString(), box.sortOrder]));
    const expected = [...seen].sort((a, b) => sortOrderOf.get(a.id)! - sortOrderOf.get(b.id)! || a.id.localeCompare(b.id));
    expect(seen.map((box) => box.id)).toEqual(expected.map((box) => box.id));
  });

  it('defaults to page 1 of 10', async () => {
    const { body } = await get('/api/boxes');
    expect(body).toMatchObject({ page: 1, pageSize: 10, total: activeCount });
  });

  it('publishes odds that are weight over total weight and sum to 1', async () => {
    const { body } = await get('/api/boxes?pageSize=50');
    for (const box of boxPageSchema.parse(body).items) {
      const totalWeight = box.products.reduce((sum, product) => sum + product.weight, 0);
      for (const product of box.products) expect(product.odds).toBe(product.weight / totalWeight);
      expect(box.products.reduce((sum, product) => sum + product.odds, 0)).toBeCloseTo(1, 12);
    }
  });

  it.each(['page=0', 'pageSize=51', 'page=abc', 'pageSize=1.5'])('answers 400 for %s', async (query) => {
    const { status, body } = await get(`/api/boxes?${query}`);
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'VALIDATION_ERROR' });
  });
});

describe('GET /api/boxes/:id', () => {
  it('returns one box with its products', async () => {
    const stored = await boxModel(server.container.db).findOne({ slug: 'starry-cat' }).lean();
    const { status, body } = await get(`/api/boxes/${stored!._id.toHexString()}`);
    expect(status).toBe(200);
    const box = boxSchema.parse(body);
    const stock = (await server.container.stock.available([stored!._id])).get(stored!._id.toHexString());
    expect(box).toMatchObject({ id: stored!._id.toHexString(), name: stored!.name, priceFen: stored!.priceFen, stock, purchaseLimit: 1000, paymentWindowMinutes: 15 });
    expect(box.products.map((product) => product.id)).toEqual(stored!.products.map((product) => product.productId));
  });

  it('answers 404 for an unknown or inactive box and 400 for a malformed id', async () => {
    const hidden = await boxModel(server.container.db).findOne({ slug: 'test-hidden' }).lean();
    expect((await get(`/api/boxes/${new Types.ObjectId().toHexString()}`)).body).toMatchObject({ code: 'NOT_FOUND' });
    expect((await get(`/api/boxes/${hidden!._id.toHexString()}`)).status).toBe(404);
    const malformed = await get('/api/boxes/hello-world!');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'INVALID_ID' });
  });
});
