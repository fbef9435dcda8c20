import type { Box, BoxPage, Cart, Order, OrderPage } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { apiClient } from '../../test/support/api-client';
import { payAtSimulator, prepayIdOf, shopper } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { boxModel } from '../catalog/box.model';
import { boxState, setStock } from '../../test/support/stock';

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

test('the cart keeps the shop rules before checkout: the purchase limit, a sold-out box, a drop not open yet', async () => {
  const fay = await shopper(server, 'dev-cart-fay');
  const first = boxes.find((box) => box.saleMode !== 'SETS')!;
  const Box = boxModel(server.container.db);
  await Box.updateOne({ _id: first.id }, { $set: { purchaseLimit: 2 } });
  try {
    const added = await fay.api.post<Cart>('/api/cart/lines', { boxId: first.id, quantity: 2 });
    expect(added.body.lines[0]).toMatchObject({ quantity: 2, limit: 2, available: true });
    // A third unit, by adding or by the stepper, is refused with the limit it carries; the line keeps 2.
    const over = await fay.api.post<{ code: string; limit: number }>('/api/cart/lines', { boxId: first.id, quantity: 1 });
    expect([over.status, over.body.code, over.body.limit]).toEqual([409, 'PURCHASE_LIMIT_REACHED', 2]);
    expect((await fay.api.put<{ code: string }>(`/api/cart/lines/${first.id}`, { quantity: 3 })).body.code).toBe('PURCHASE_LIMIT_REACHED');
    expect((await fay.api.get<Cart>('/api/cart')).body.lines[0]!.quantity).toBe(2);
    // Fewer is always allowed.
    expect((await fay.api.put<Cart>(`/api/cart/lines/${first.id}`, { quantity: 1 })).body.lines[0]!.quantity).toBe(1);

    // A drop not open yet: refused with its opening time, and a line already held shows unavailable.
    const opensAt = new Date(Date.now() + 3_600_000);
    await Box.updateOne({ _id: first.id }, { $set: { onSaleAt: opensAt } });
    const early = await fay.api.put<{ code: string; onSaleAt: string }>(`/api/cart/lines/${first.id}`, { quantity: 2 });
    expect([early.body.code, early.body.onSaleAt]).toEqual(['NOT_ON_SALE_YET', opensAt.toISOString()]);
    expect((await fay.api.get<Cart>('/api/cart')).body.lines[0]!.available).toBe(false);
  } finally {
    await Box.updateOne({ _id: first.id }, { $set: { purchaseLimit: null, onSaleAt: null } });
  }

  // Sold out: nothing to add.
  const second = boxes.filter((box) => box.saleMode !== 'SETS')[1]!;
  const before = await boxState(server, second.id);
  await setStock(server, second.id, 0);
  try {
    const soldOut = await fay.api.post<{ code: string }>('/api/cart/lines', { boxId: second.id, quantity: 1 });
    expect([soldOut.status, soldOut.body.code]).toEqual([409, 'SOLD_OUT']);
  } finally {
    await setStock(server, second.id, before.stock);
  }
});
