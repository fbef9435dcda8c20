import { collectionSchema, type Collection, type Order } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { shopper, payAtSimulator, prepayIdOf } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

async function paidOrder(alice: Awaited<ReturnType<typeof shopper>>, boxId: string, quantity: number): Promise<Order> {
  const order = await alice.placeOrder([{ boxId, quantity }]);
  await payAtSimulator(server.simulatorUrl, prepayIdOf((await alice.payJsapi(order.id)).package));
  return waitUntil(async () => {
    const current = await alice.order(order.id);
    return current.status === 'TO_BE_DELIVERED' ? current : null;
  }, 15_000, 'the callback to fulfil the order');
}

test('login is required', async () => {
  expect((await fetch(`${server.url}/api/me/collection`)).status).toBe(401);
});

test('a new shopper has an empty collection', async () => {
  const carol = await shopper(server, 'dev-carol');
  const { status, body } = await carol.api.get<Collection>('/api/me/collection');
  expect(status).toBe(200);
  expect(body).toEqual({ series: [], owned: 0, total: 0 });
});

test('lists what paid orders drew, by series, with the missing kinds as silhouettes and the orders that drew each', async () => {
  const alice = await shopper(server, 'dev-alice');
  const box = await alice.firstBox();
  const first = await paidOrder(alice, box.id, 3);
  const second = await paidOrder(alice, box.id, 2);
  // An unpaid order draws nothing and must not count.
  await alice.placeOrder([{ boxId: box.id, quantity: 1 }]);

  const { body } = await alice.api.get<Collection>('/api/me/collection');
  expect(collectionSchema.parse(body)).toEqual(body);
  expect(body.series).toHaveLength(1);
  const [series] = body.series;
  expect(series).toMatchObject({ boxId: box.id, name: box.name, coverUrl: box.coverUrl, total: box.products.length });
  expect(series!.items.map((item) => item.productId)).toEqual(box.products.map((product) => product.id));

  const drawn = [...first.draws.map((draw) => [draw.productId, first.id]), ...second.draws.map((draw) => [draw.productId, second.id])];
  for (const item of series!.items) {
    const product = box.products.find((candidate) => candidate.id === item.productId)!;
    const expectedOrders = drawn.filter(([productId]) => productId === item.productId).map(([, orderId]) => orderId);
    expect(item.draws.map((draw) => draw.orderId).sort()).toEqual(expectedOrders.sort());
    expect(item.imageUrl).toBe(expectedOrders.length > 0 ? product.imageUrl : product.imageUrl.replace(/\.svg$/, '-silhouette.svg'));
  }
  expect(series!.owned).toBe(new Set(drawn.map(([productId]) => productId)).size);
  expect(body).toMatchObject({ owned: series!.owned, total: series!.total });

  // Another shopper's collection does not see Alice's draws.
  const bob = await shopper(server, 'dev-bob');
  expect((await bob.api.get<Collection>('/api/me/collection')).body.series).toEqual([]);
}, 60_000);
