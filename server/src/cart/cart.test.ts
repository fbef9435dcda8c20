import type { Box, BoxPage, Cart, Order, OrderPage } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { apiClient } from '../../test/support/api-client';
import { payAtSimulator, prepayIdOf, shopper } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { boxModel } from '../catalog/box.model';

let server: TestServer;
let boxes: Box[];
beforeAll(async () => {
  server = await startTestServer();
  const anyone = await shopper(server, 'dev-cart-catalog');
  boxes = (await anyone.api.get<BoxPage>('/api/boxes')).body.items;
  expect(boxes.length).toBeGreaterThanOrEqual(2);
});
afterAll(async () => {
  await server.stop();
});

test('add, change quantity and remove lines; the cart survives a new session and is priced from the catalog', async () => {
  const alice = await shopper(server, 'dev-cart-alice');
  const [first, second] = boxes as [Box, Box];
  expect((await alice.api.get<Cart>('/api/cart')).body).toEqual({ lines: [], count: 0, totalFen: 0 });

  expect((await alice.api.post<Cart>('/api/cart/lines', { boxId: first.id, quantity: 1 })).status).toBe(200);
  await alice.api.post<Cart>('/api/cart/lines', { boxId: first.id, quantity: 2 });
  const added = await alice.api.post<Cart>('/api/cart/lines', { boxId: second.id, quantity: 1, priceFen: 1 });
  expect(added.body.lines.map((line) => [line.boxId, line.quantity, line.priceFen])).toEqual([
    [first.id, 3, first.priceFen],
    [second.id, 1, second.priceFen],
  ]);
  expect(added.body.totalFen).toBe(first.priceFen * 3 + second.priceFen);

  expect((await alice.api.put<Cart>(`/api/cart/lines/${first.id}`, { quantity: 2 })).body.count).toBe(3);
  expect((await alice.api.put(`/api/cart/lines/${first.id}`, { quantity: 0 })).status).toBe(400);

  // A new login (a reload, another device) sees the same cart, at the price the catalog asks now.
  await boxModel(server.container.db).updateOne({ _id: second.id }, { $set: { priceFen: second.priceFen + 100 } });
  const again = apiClient(server.url, await server.login('dev-cart-alice'));
  const reloaded = (await again.get<Cart>('/api/cart')).body;
  expect(reloaded.lines.map((line) => [line.boxId, line.quantity, line.priceFen])).toEqual([
    [first.id, 2, first.priceFen],
    [second.id, 1, second.priceFen + 100],
  ]);
  await boxModel(server.container.db).updateOne({ _id: second.id }, { $set: { priceFen: second.priceFen } });

  const removed = await again.delete<Cart>(`/api/cart/lines/${second.id}`);
  expect(removed.body.lines.map((line) => line.boxId)).toEqual([first.id]);
  expect((await again.delete<Cart>(`/api/cart/lines/${second.id}`)).status).toBe(200);
  expect((await again.put(`/api/cart/lines/${second.id}`, { quantity: 1 })).status).toBe(404);
  expect((await alice.api.post('/api/cart/lines', { boxId: 'ffffffffffffffffffffffff', quantity: 1 })).status).toBe(404);
  // A whole-set box is bought by picking positions on its grid, never as a cart line.
  const setBox = boxes.find((box) => box.saleMode === 'SETS');
  expect(setBox).toBeDefined();
  const refused = await alice.api.post<{ code: string }>('/api/cart/lines', { boxId: setBox!.id, quantity: 1 });
  expect([refused.status, refused.body.code]).toEqual([400, 'INVALID_SET_PICK']);
  expect((await alice.api.get<Cart>('/api/cart')).body.lines.map((line) => line.boxId)).toEqual([first.id]);
});

test('concurrent adds of different boxes all land (the guarded write loses none)', async () => {
  const bob = await shopper(server, 'dev-cart-bob');
  const answers = await Promise.all(boxes.slice(0, 4).map((box) => bob.api.post('/api/cart/lines', { boxId: box.id, quantity: 1 })));
  expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
  const cart = (await bob.api.get<Cart>('/api/cart')).body;
  expect(cart.lines.map((line) => line.boxId).sort()).toEqual(boxes.slice(0, 4).map((box) => box.id).sort());
});

test('checkout of two boxes places one order with both lines and one payment pays it; the ordered lines leave the cart', async () => {
  const carol = await shopper(server, 'dev-cart-carol');
  const [first, second] = boxes as [Box, Box];
  const address = await carol.address();
  expect((await carol.api.post('/api/cart/checkout', { addressId: address.id })).body).toMatchObject({ code: 'CART_EMPTY' });
  await carol.api.post('/api/cart/lines', { boxId: first.id, quantity: 2 });
  await carol.api.post('/api/cart/lines', { boxId: second.id, quantity: 1 });

  const placed = await carol.api.post<Order>('/api/cart/checkout', { addressId: address.id, totalFen: 1 });
  expect(placed.status).toBe(201);
  const order = placed.body;
  expect(order.items.map((item) => [item.boxId, item.quantity])).toEqual([
    [first.id, 2],
    [second.id, 1],
  ]);
  expect(order.totalFen).toBe(first.priceFen * 2 + second.priceFen);
  expect((await carol.api.get<Cart>('/api/cart')).body.lines).toEqual([]);
  expect((await carol.api.get<OrderPage>('/api/orders')).body.total).toBe(1);

  const params = await carol.payJsapi(order.id);
  await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));
  const paid = await waitUntil(async () => {
    const current = await carol.order(order.id);
    return current.status === 'TO_BE_DELIVERED' ? current : null;
  }, 15_000, 'the payment to fulfil the cart order');
  expect(paid.draws).toHaveLength(3);
});

test('a refused checkout leaves the cart as it was', async () => {
  const dave = await shopper(server, 'dev-cart-dave');
  const [first] = boxes as [Box];
  await dave.api.post('/api/cart/lines', { boxId: first.id, quantity: 1 });
  expect((await dave.api.post('/api/cart/checkout', { addressId: 'ffffffffffffffffffffffff' })).status).toBe(404);
  expect((await dave.api.get<Cart>('/api/cart')).body.count).toBe(1);
  // Someone else's cart is their own: a second shopper starts empty.
  expect((await (await shopper(server, 'dev-cart-erin')).api.get<Cart>('/api/cart')).body.count).toBe(0);
});
