import { Types } from 'mongoose';
import { liveDropSchema, type DropBox, type DropListResponse, type LiveDrop } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { createStaff, loginAs, type ConsoleClient } from '../../test/support/console';
import { buyer } from '../../test/fault/fault-support';
import { setStock } from '../../test/support/stock';
import { payAndWait } from '../../test/support/sets';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { boxModel } from './box.model';

let server: TestServer;
let owner: ConsoleClient;
let operator: ConsoleClient;
beforeAll(async () => {
  server = await startTestServer({ env: { PURCHASE_LIMIT_PER_BOX: '5' } });
  owner = await loginAs(server, await createStaff(server, 'drop-owner', 'owner'));
  operator = await loginAs(server, await createStaff(server, 'drop-operator', 'operator'));
});
afterEach(() => server.clock.reset());
afterAll(async () => {
  await server?.stop();
});

async function newBox(units = 20): Promise<{ id: string; slug: string }> {
  const slug = `console-drop-${new Types.ObjectId().toHexString()}`;
  const [box] = await boxModel(server.container.db).create([
    { slug, name: '控制台限定', coverUrl: '/c.png', priceFen: 6900, products: [{ productId: `${slug}-a`, name: 'A', rarity: 'COMMON', imageUrl: '/a.png', weight: 1 }] },
  ]);
  await setStock(server, box!._id.toHexString(), units);
  return { id: box!._id.toHexString(), slug };
}

const auditOf = async (slug: string) => (await server.container.audit.find({ target: `box:${slug}`, from: new Date(0), to: new Date(Date.now() + 86_400_000) }, 0, 50)).entries;

test('a drop scheduled in the console opens exactly at its time by the server\'s clock; a time in the past is refused and changes nothing', async () => {
  const box = await newBox();
  const shopper = await buyer(server, 'dev-console-drop');
  const order = () => shopper.api.post<{ code?: string }>('/api/orders', { items: [{ boxId: box.id, quantity: 1 }], addressId: shopper.addressId });
  // Ten minutes ahead: the clock moves there and back within the staff session's idle timeout.
  const opensAt = new Date(Math.ceil((Date.now() + 600_000) / 1000) * 1000);

  // The server's clock says it is already past that time: refused, the box untouched, nothing audited.
  server.clock.freezeAt(new Date(opensAt.getTime() + 1000));
  const before = await boxModel(server.container.db).findById(box.id).lean();
  const past = await operator.post<{ code: string; message: string }>(`/drops/${box.id}`, { onSaleAt: opensAt.toISOString(), paymentWindowMinutes: 5, purchaseLimit: 2 });
  expect([past.status, past.body.code]).toEqual([400, 'DROP_IN_PAST']);
  expect(past.body.message).toBe('开售时间必须晚于当前时间');
  expect(await boxModel(server.container.db).findById(box.id).lean()).toEqual(before);
  expect(await auditOf(box.slug)).toEqual([]);
  server.clock.reset();

  const out = await operator.post<{ code: string }>(`/drops/${box.id}`, { onSaleAt: opensAt.toISOString(), paymentWindowMinutes: 1 });
  expect([out.status, out.body.code]).toEqual([400, 'VALIDATION_ERROR']);

  const scheduled = await operator.post<DropBox>(`/drops/${box.id}`, { onSaleAt: opensAt.toISOString(), paymentWindowMinutes: 5, purchaseLimit: 1 });
  expect(scheduled.status).toBe(200);
  expect(scheduled.body).toMatchObject({ state: 'SCHEDULED', onSaleAt: opensAt.toISOString(), paymentWindowMinutes: 5, purchaseLimit: 1, available: 20 });
  const [entry] = await auditOf(box.slug);
  expect(entry).toMatchObject({ actor: 'staff:drop-operator', command: 'drop', after: { onSaleAt: opensAt.toISOString(), paymentWindowMinutes: 5, purchaseLimit: 1 } });

  server.clock.freezeAt(new Date(opensAt.getTime() - 1000));
  expect((await order()).body.code).toBe('NOT_ON_SALE_YET');
  const list = (await owner.get<DropListResponse>('/drops')).body;
  expect(list.items.find((row) => row.boxId === box.id)).toMatchObject({ state: 'SCHEDULED' });
  expect(list.serverTime).toBe(new Date(opensAt.getTime() - 1000).toISOString());

  server.clock.freezeAt(opensAt);
  expect((await order()).status).toBe(201);
  expect((await order()).body.code).toBe('PURCHASE_LIMIT_REACHED');
  expect((await owner.get<DropListResponse>('/drops')).body.items.find((row) => row.boxId === box.id)).toMatchObject({ state: 'ON_SALE', available: 19 });
});

test('cancelling from the console stops the drop, is audited with the staff member, and cancelling again changes nothing', async () => {
  const box = await newBox();
  const opensAt = new Date(Date.now() + 600_000);
  expect((await owner.post(`/drops/${box.id}`, { onSaleAt: opensAt.toISOString() })).status).toBe(200);
  const cancelled = await owner.post<DropBox>(`/drops/${box.id}/cancel`);
  expect(cancelled.body).toMatchObject({ state: 'CANCELLED', onSaleAt: opensAt.toISOString() });
  expect(cancelled.body.dropCancelledAt).not.toBeNull();
  expect((await owner.post<DropBox>(`/drops/${box.id}/cancel`)).body.state).toBe('CANCELLED');
  expect((await auditOf(box.slug)).map((entry) => [entry.actor, entry.command])).toEqual([
    ['staff:drop-owner', 'drop cancel'],
    ['staff:drop-owner', 'drop'],
  ]);
  // A box never scheduled has no drop to cancel.
  const plain = await newBox();
  const refused = await owner.post<{ code: string }>(`/drops/${plain.id}/cancel`);
  expect([refused.status, refused.body.code]).toEqual([409, 'NO_DROP_SCHEDULED']);
  expect((await owner.post<{ code: string }>('/drops/not-an-id/cancel')).body.code).toBe('INVALID_ID');
});

test('the live page counts units left, held and sold, orders per second and the sold-out time from the drop\'s own holds', async () => {
  const box = await newBox(3);
  // Opens on the real clock (orders are stamped with it) two seconds from now.
  const opensAt = new Date(Date.now() + 2_000);
  expect((await owner.post(`/drops/${box.id}`, { onSaleAt: opensAt.toISOString(), paymentWindowMinutes: 5, purchaseLimit: 3 })).status).toBe(200);
  const live = async () => liveDropSchema.parse((await owner.get<LiveDrop>(`/drops/${box.id}/live`)).body);
  expect(await live()).toMatchObject({ unitsLeft: 3, heldUnits: 0, soldUnits: 0, orders: 0, soldOutAt: null, series: [] });

  const alice = await buyer(server, 'dev-live-alice');
  const bob = await buyer(server, 'dev-live-bob');
  const placed = await waitUntil(async () => {
    const answer = await alice.api.post<{ id: string }>('/api/orders', { items: [{ boxId: box.id, quantity: 2 }], addressId: alice.addressId });
    return answer.status === 201 ? answer.body : null;
  }, 20_000, 'the drop to open');
  const unpaid = await bob.orderNow([{ boxId: box.id, quantity: 1 }]);
  let figures = await live();
  expect(figures).toMatchObject({ unitsLeft: 0, heldUnits: 3, soldUnits: 0, orders: 2, soldOutAt: null });
  expect(figures.ordersPerSecond).toBeGreaterThan(0);
  expect(figures.series.reduce((sum, bucket) => sum + bucket.orders, 0)).toBe(2);

  await payAndWait(server, alice.api, placed.id);
  await payAndWait(server, bob.api, unpaid.id);
  figures = await live();
  expect(figures).toMatchObject({ unitsLeft: 0, heldUnits: 0, soldUnits: 3, orders: 2 });
  expect(figures.series.reduce((sum, bucket) => sum + bucket.soldUnits, 0)).toBe(3);
  // Sold out when the last unit was paid: after the opening, not later than now.
  expect(figures.soldOutAt).not.toBeNull();
  expect(new Date(figures.soldOutAt!).getTime()).toBeGreaterThanOrEqual(opensAt.getTime());
  expect(new Date(figures.soldOutAt!).getTime()).toBeLessThanOrEqual(Date.now());
}, 90_000);

test('operators schedule and cancel but support and viewers get 403 and change nothing', async () => {
  const box = await newBox();
  const before = await boxModel(server.container.db).findById(box.id).lean();
  for (const role of ['support', 'viewer'] as const) {
    const client = await loginAs(server, await createStaff(server, `drop-${role}`, role));
    for (const [path, body] of [[`/drops/${box.id}`, { onSaleAt: new Date(Date.now() + 600_000).toISOString() }], [`/drops/${box.id}/cancel`, {}]] as const) {
      const refused = await client.post<{ code: string }>(path, body);
      expect([role, path, refused.status, refused.body.code]).toEqual([role, path, 403, 'FORBIDDEN']);
    }
    // Watching is reading: every role may.
    expect((await client.get(`/drops/${box.id}/live`)).status).toBe(200);
  }
  expect(await boxModel(server.container.db).findById(box.id).lean()).toEqual(before);
  expect(await auditOf(box.slug)).toEqual([]);
});
