import { Types } from 'mongoose';
import type { Order } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { buyer } from '../../test/fault/fault-support';
import { shopper } from '../../test/support/shop';
import { boxState, setStock } from '../../test/support/stock';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { JOB_TEST_ENV, expireInDb, orderDoc } from '../../test/support/job-test-support';
import { stockDatabase } from '../db/databases';
import { boxModel } from './box.model';
import { holdModel } from './stock.model';

// The shop's default per-shopper limit (2), and sweeps every second so expired holds come back in the test.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { ...JOB_TEST_ENV, PURCHASE_LIMIT_PER_BOX: '2', RECONCILE_INTERVAL_SECONDS: '3600', RECONCILE_GRACE_SECONDS: '3600' } });
});
afterAll(async () => {
  await server.stop();
});

async function dropBox(units: number, paymentWindowMinutes: number | null = null): Promise<string> {
  const [box] = await boxModel(server.container.db).create([
    {
      slug: `drop-${new Types.ObjectId().toHexString()}`,
      name: '限定款',
      coverUrl: '/c.png',
      priceFen: 9900,
      paymentWindowMinutes,
      products: [{ productId: 'only', name: 'Only', rarity: 'SECRET', imageUrl: '/i.png', weight: 1 }],
    },
  ]);
  await setStock(server, box!._id.toHexString(), units);
  return box!._id.toHexString();
}

test('50 parallel orders from one shopper take at most the per-shopper limit, and a closed order gives its share back', async () => {
  const boxId = await dropBox(100);
  const greedy = await buyer(server, 'dev-drop-greedy');
  const answers = await Promise.all(Array.from({ length: 50 }, () => greedy.api.post<Order & { code?: string }>('/api/orders', { items: [{ boxId, quantity: 1 }], addressId: greedy.addressId })));
  const placed = answers.filter((answer) => answer.status === 201);
  expect(placed).toHaveLength(2);
  expect(answers.filter((answer) => answer.status === 409).map((answer) => answer.body.code)).toEqual(Array(48).fill('PURCHASE_LIMIT_REACHED'));
  expect((await boxState(server, boxId)).stock).toBe(98);

  const cancelled = await greedy.api.post<Order>(`/api/orders/${placed[0]!.body.id}/cancel`);
  expect(cancelled.body.status).toBe('CLOSED');
  expect((await greedy.api.post('/api/orders', { items: [{ boxId, quantity: 1 }], addressId: greedy.addressId })).status).toBe(201);
  expect((await greedy.api.post<{ code: string }>('/api/orders', { items: [{ boxId, quantity: 1 }], addressId: greedy.addressId })).body.code).toBe('PURCHASE_LIMIT_REACHED');
});

test('a drop claimed on the first tap, without an address chosen, goes to the shopper\'s first address; one with none is asked for one and holds nothing', async () => {
  const boxId = await dropBox(5);
  const returning = await buyer(server, 'dev-drop-one-tap');
  await returning.address();
  const claimed = await returning.api.post<Order>('/api/orders', { items: [{ boxId, quantity: 1 }] });
  expect(claimed.status).toBe(201);
  // The first of their addresses, as their address list orders them (the one the confirm page preselects).
  const addresses = (await returning.api.get<{ items: Array<{ id: string; detail: string }> }>('/api/addresses')).body.items;
  expect((await orderDoc(server, claimed.body.id)).address.detail).toBe(addresses[0]!.detail);
  expect((await boxState(server, boxId)).stock).toBe(4);

  const newcomer = await shopper(server, 'dev-drop-one-tap-new');
  const refused = await newcomer.api.post<{ code: string }>('/api/orders', { items: [{ boxId, quantity: 1 }] });
  expect([refused.status, refused.body.code]).toEqual([400, 'ADDRESS_REQUIRED']);
  // Nothing was held for it: the address is read before any hold is taken.
  expect((await boxState(server, boxId)).stock).toBe(4);
});

test('a sold-out box answers 409 SOLD_OUT with when held units may return, never a 5xx', async () => {
  const boxId = await dropBox(3, 5);
  const shoppers = await Promise.all(Array.from({ length: 6 }, (_, i) => buyer(server, `dev-drop-race-${i}`)));
  const answers = await Promise.all(shoppers.map((s) => s.api.post<Order & { code?: string; availableAgainAt?: string }>('/api/orders', { items: [{ boxId, quantity: 1 }], addressId: s.addressId })));
  const won = answers.filter((answer) => answer.status === 201);
  expect(won).toHaveLength(3);
  const lost = answers.filter((answer) => answer.status !== 201);
  expect(lost.map((answer) => [answer.status, answer.body.code])).toEqual(Array(3).fill([409, 'SOLD_OUT']));

  // The box's own payment window (5 minutes) sets when each order stops being payable, and so when its units return.
  const order = await orderDoc(server, won[0]!.body.id);
  expect(order.expiresAt.getTime() - order.createdAt.getTime()).toBeGreaterThan(4.9 * 60_000);
  expect(order.expiresAt.getTime() - order.createdAt.getTime()).toBeLessThanOrEqual(5 * 60_000);
  const earliest = Math.min(...(await Promise.all(won.map(async (answer) => (await orderDoc(server, answer.body.id)).expiresAt.getTime()))));
  const late = await shoppers[0]!.api.post<{ code: string; availableAgainAt: string }>('/api/orders', { items: [{ boxId, quantity: 1 }], addressId: shoppers[0]!.addressId });
  expect(late.status).toBe(409);
  expect(new Date(late.body.availableAgainAt).getTime()).toBe(earliest);
});

test('a sold-out box is answered at the door, before the session check; an order memory cannot refuse still has to say who orders', async () => {
  const soldOut = await dropBox(1);
  const winner = await buyer(server, 'dev-drop-door');
  expect((await winner.api.post('/api/orders', { items: [{ boxId: soldOut, quantity: 1 }], addressId: winner.addressId })).status).toBe(201);
  const anonymous = (boxId: string, path = '/api/orders') =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: [{ boxId, quantity: 1 }], addressId: new Types.ObjectId().toHexString() }) }).then(async (response) => ({ status: response.status, body: (await response.json()) as { code: string; message: string } }));

  // The box page says it is sold out, so anyone may hear it; nothing is read or written for it.
  for (const path of ['/api/orders', '/api/orders/']) expect(await anonymous(soldOut, path)).toEqual({ status: 409, body: expect.objectContaining({ code: 'SOLD_OUT', message: expect.stringContaining(soldOut) as string }) });
  // Counted as the order route's answers.
  expect(await server.container.metrics.registry.getSingleMetricAsString('http_requests_total')).toMatch(/method="POST",route="\/api\/orders",status="409"\} [2-9]/);
  // A box with units left: the door lets it through, and the route asks for a session first.
  expect((await anonymous(await dropBox(5))).status).toBe(401);
  // So does a body the route refuses, and another shopper with a session still hears sold out.
  expect((await anonymous('not-an-id')).status).toBe(401);
  const late = await buyer(server, 'dev-drop-door-late');
  expect((await late.api.post<{ code: string }>('/api/orders', { items: [{ boxId: soldOut, quantity: 1 }], addressId: late.addressId })).body.code).toBe('SOLD_OUT');
  // The confirm page's quote hears it from the same memory, rather than pricing a box that cannot be bought.
  const quoted = await late.api.post<{ code: string }>('/api/orders/quote', { items: [{ boxId: soldOut, quantity: 1 }] });
  expect([quoted.status, quoted.body.code]).toEqual([409, 'SOLD_OUT']);
});

test('expired holds return their units exactly once, and those units can be bought again', async () => {
  const boxId = await dropBox(2, 2);
  const [first, second] = await Promise.all([buyer(server, 'dev-drop-slow-a'), buyer(server, 'dev-drop-slow-b')]);
  const unpaid = await first.orderNow([{ boxId, quantity: 2 }]);
  expect((await boxState(server, boxId)).stock).toBe(0);

  await expireInDb(server, unpaid.id);
  await holdModel(stockDatabase(server.container.db)).updateMany({ orderId: new Types.ObjectId(unpaid.id) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
  await waitUntil(async () => ((await orderDoc(server, unpaid.id)).releasedAt ? true : null), 15_000, 'the sweep to close and release the order');
  // Several more sweeps (and a release run by hand) give nothing back twice.
  await server.container.stock.release(new Types.ObjectId(unpaid.id), [{ boxId: new Types.ObjectId(boxId), quantity: 2 }]);
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  expect(await boxState(server, boxId)).toEqual({ stock: 2, holds: [] });

  const again = await second.orderNow([{ boxId, quantity: 2 }]);
  expect(await boxState(server, boxId)).toEqual({ stock: 0, holds: [`${again.id}:2`] });
});
