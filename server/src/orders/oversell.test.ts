import { startTestServer, type TestServer } from '../../test/support/test-server';
import { shopper } from '../../test/support/shop';
import { boxState, setStock } from '../../test/support/stock';
import { orderModel } from './order.model';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

test('200 concurrent orders for 10 units: exactly 10 succeed, stock ends at 0, never negative', async () => {
  const shoppers = await Promise.all(Array.from({ length: 20 }, (_, i) => shopper(server, `dev-oversell-${i}`)));
  const addresses = await Promise.all(shoppers.map((s) => s.address()));
  const box = await shoppers[0]!.firstBox();
  await setStock(server, box.id, 10);

  const results = await Promise.all(
    Array.from({ length: 200 }, (_, i) => {
      const who = i % shoppers.length;
      return shoppers[who]!.api.post('/api/orders', { items: [{ boxId: box.id, quantity: 1 }], addressId: addresses[who]!.id });
    }),
  );
  const statuses = results.map((result) => result.status);
  expect(statuses.filter((status) => status === 201)).toHaveLength(10);
  expect(statuses.filter((status) => status !== 201).every((status) => status === 409)).toBe(true);
  const stored = await boxState(server, box.id);
  expect(stored.stock).toBe(0);
  expect(stored.holds).toHaveLength(10);
  expect(await orderModel(server.container.db).countDocuments({ 'items.boxId': box.id })).toBe(10);
});

test('the per-box quantity cap also holds when the same box is split over several lines', async () => {
  const buyer = await shopper(server, 'dev-split-lines');
  const address = await buyer.address();
  const box = await buyer.firstBox();
  const split = await buyer.api.post<{ code: string }>('/api/orders', { items: [{ boxId: box.id, quantity: 15 }, { boxId: box.id, quantity: 15 }], addressId: address.id });
  expect(split.status).toBe(400);
  expect(split.body.code).toBe('QUANTITY_TOO_LARGE');
});
