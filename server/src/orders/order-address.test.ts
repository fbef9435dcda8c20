import type { Address, Order } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { payAtSimulator, prepayIdOf, shopper } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { orderDoc } from '../../test/support/job-test-support';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

async function secondAddress(api: Awaited<ReturnType<typeof shopper>>['api']): Promise<Address> {
  const { status, body } = await api.post<Address>('/api/addresses', { name: '李四', phone: '13900139000', region: '北京市 朝阳区', detail: '建国路 8 号' });
  expect(status).toBe(201);
  return body;
}

test('an unpaid order (a one-tap claim to the first address) is sent to another saved address, the change in its history', async () => {
  const alice = await shopper(server, 'dev-address-change-alice');
  const box = await alice.firstBox();
  const first = await alice.address();
  const second = await secondAddress(alice.api);
  // No addressId: the claim goes to the first address in the list's order.
  const claimed = await alice.api.post<Order>('/api/orders', { items: [{ boxId: box.id, quantity: 1 }] });
  expect(claimed.status).toBe(201);
  expect(claimed.body.address).toMatchObject({ name: first.name });

  const changed = await alice.api.post<Order>(`/api/orders/${claimed.body.id}/address`, { addressId: second.id });
  expect(changed.status).toBe(200);
  expect(changed.body).toMatchObject({ status: 'TO_BE_PAID', totalFen: claimed.body.totalFen, address: { name: '李四', phone: '13900139000', region: '北京市 朝阳区', detail: '建国路 8 号' } });
  const stored = await orderDoc(server, claimed.body.id);
  expect(stored.audit.at(-1)).toMatchObject({ from: 'TO_BE_PAID', to: 'TO_BE_PAID', reason: 'address changed', actor: expect.stringMatching(/^user:/) });
});

test('an address change is refused for another shopper\'s order or address, and once the order is paid; nothing changes', async () => {
  const bob = await shopper(server, 'dev-address-change-bob');
  const eve = await shopper(server, 'dev-address-change-eve');
  const order = await bob.placeOrder([{ boxId: (await bob.firstBox()).id, quantity: 1 }]);
  const bobsOther = await secondAddress(bob.api);
  const evesAddress = await eve.address();

  // Eve can neither move Bob's order nor hand him her address.
  expect((await eve.api.post(`/api/orders/${order.id}/address`, { addressId: evesAddress.id })).status).toBe(404);
  const foreign = await bob.api.post<{ code: string }>(`/api/orders/${order.id}/address`, { addressId: evesAddress.id });
  expect([foreign.status, foreign.body.code]).toEqual([404, 'NOT_FOUND']);
  expect((await bob.api.post<{ code: string }>(`/api/orders/${order.id}/address`, { addressId: 'not-an-id' })).body.code).toBe('VALIDATION_ERROR');
  expect((await bob.order(order.id)).address).toEqual(order.address);

  const params = await bob.payJsapi(order.id);
  await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));
  await waitUntil(async () => ((await bob.order(order.id)).status === 'TO_BE_DELIVERED' ? true : null), 15_000, 'payment');
  const late = await bob.api.post<{ code: string; message: string }>(`/api/orders/${order.id}/address`, { addressId: bobsOther.id });
  expect([late.status, late.body.code]).toEqual([409, 'ADDRESS_NOT_CHANGEABLE']);
  expect((await bob.order(order.id)).address).toEqual(order.address);
});
