import {
  auditResponseSchema,
  billListResponseSchema,
  dashboardResponseSchema,
  orderActionResponseSchema,
  orderChannelViewSchema,
  orderDetailSchema,
  orderSearchResponseSchema,
  reconcileResponseSchema,
  staffListResponseSchema,
  toShipResponseSchema,
  type OrderDetail,
  type OrderRow,
} from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { JOB_TEST_ENV, orderDoc } from '../../test/support/job-test-support';
import { createStaff, loginAs, paidOrderOf, type ConsoleClient } from '../../test/support/console';
import { shopper } from '../../test/support/shop';

let server: TestServer;
let support: ConsoleClient;
beforeAll(async () => {
  server = await startTestServer({ env: { ...JOB_TEST_ENV, RECONCILE_INTERVAL_SECONDS: '3600', RECONCILE_GRACE_SECONDS: '3600', CONSOLE_LOGIN_PER_ADDRESS_PER_MINUTE: '0' } });
  support = await loginAs(server, await createStaff(server, 'orders-support', 'support'));
});
afterAll(async () => {
  await server?.stop();
});

const found = async (query: string) => (await support.get<{ items: OrderRow[]; total: number }>(`/orders?${query}`)).body;

test('an order is found by its id, out_trade_no, transaction id, openid and shipping phone', async () => {
  const order = await paidOrderOf(server, 'search-me', 2);
  const doc = await orderDoc(server, order.id);
  for (const q of [order.id, doc.payment.outTradeNo!, doc.payment.transactionId!, doc.openid, doc.address.phone]) {
    const page = await found(`q=${encodeURIComponent(q)}`);
    expect([q, page.items.some((row) => row.id === order.id)]).toEqual([q, true]);
  }
  const byTransaction = orderSearchResponseSchema.parse(await found(`q=${doc.payment.transactionId}`));
  expect(byTransaction.total).toBe(1);
  expect(byTransaction.items[0]).toMatchObject({ id: order.id, status: 'TO_BE_DELIVERED', transactionId: doc.payment.transactionId, units: 2, receiverName: '张三' });
  expect((await found(`q=${doc.payment.transactionId}&status=CLOSED`)).total).toBe(0);
  expect((await found('q=4200000000000000000000000000')).total).toBe(0);
}, 60_000);

test('filters, paging and sorting; bad filters are refused in Chinese', async () => {
  const unpaid = await (await shopper(server, 'search-unpaid')).placeOrder();
  const page = await found('status=TO_BE_PAID&pageSize=5&sort=createdAt&order=desc');
  expect(page.items.every((row) => row.status === 'TO_BE_PAID')).toBe(true);
  expect(page.items[0]!.id).toBe(unpaid.id);
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  expect((await found(`from=${today}&to=${today}`)).total).toBeGreaterThan(0);
  expect((await found('from=2001-01-01&to=2001-01-02')).total).toBe(0);
  const bad = await support.get<{ code: string; message: string }>('/orders?status=NOPE');
  expect(bad.status).toBe(400);
  expect(bad.body.message).toMatch(/^输入有误/);
}, 60_000);

test('CSV export: a BOM, a header, one line per order, formula-looking cells defused', async () => {
  const shopperWithFormula = await shopper(server, 'csv-formula');
  const address = await shopperWithFormula.api.post<{ id: string }>('/api/addresses', { name: '=HYPERLINK("x")', phone: '13900139000', region: '北京市 朝阳区', detail: '某路 1 号' });
  const box = await shopperWithFormula.firstBox();
  await shopperWithFormula.api.post('/api/orders', { items: [{ boxId: box.id, quantity: 1 }], addressId: address.body.id });
  const response = await support.call<string>('GET', '/orders/export.csv?q=13900139000');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/csv');
  const lines = response.body.replace(/^\uFEFF/, '').trim().split('\r\n');
  expect(lines[0]).toMatch(/^订单号,状态/);
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain(`"'=HYPERLINK(""x"")"`);
}, 60_000);

test('detail, a new address, ship with a tracking number, cancel an unpaid order; each in the audit', async () => {
  const order = await paidOrderOf(server, 'detail-ship', 1);
  // Every answer holds to the shared contract the console web app parses it with.
  const detail = orderDetailSchema.parse((await support.get<OrderDetail>(`/orders/${order.id}`)).body);
  expect(detail.allowed).toEqual({ refund: true, ship: true, cancel: false, reconcile: true, markReceived: false, readdress: true });
  expect(detail.draws[0]!.proofUrl).toBe(`/api/console/orders/${order.id}/proofs/0`);
  expect((await support.get(detail.draws[0]!.proofUrl!.replace('/api/console', ''))).status).toBe(200);
  const live = await support.get<{ tradeState: string }>(`/orders/${order.id}/channel`);
  expect(orderChannelViewSchema.parse(live.body).tradeState).toBe('SUCCESS');

  // The shopper moved after paying and called: the parcel goes to the new address, the reason in its history.
  const moved = { name: '李四', phone: '13900001111', region: '上海市 上海市 徐汇区', detail: '漕溪北路 1 号 2 室' };
  const badPhone = await support.post<{ code: string; message: string }>(`/orders/${order.id}/address`, { address: { ...moved, phone: '123' }, reason: '顾客来电' });
  expect(badPhone.status).toBe(400);
  expect(badPhone.body.message).toContain('手机号');
  expect((await support.post(`/orders/${order.id}/address`, { address: moved, reason: ' ' })).status).toBe(400);
  expect((await orderDoc(server, order.id)).address).not.toMatchObject(moved);
  const readdressed = await support.post<{ order: OrderDetail }>(`/orders/${order.id}/address`, { address: moved, reason: '顾客来电：已搬家' });
  expect(readdressed.status).toBe(200);
  expect(orderActionResponseSchema.parse(readdressed.body).order.address).toEqual(moved);
  expect((await orderDoc(server, order.id)).address).toMatchObject(moved);
  expect(readdressed.body.order.history.at(-1)).toMatchObject({ from: 'TO_BE_DELIVERED', to: 'TO_BE_DELIVERED', reason: 'address changed by staff: 顾客来电：已搬家', actor: 'staff:orders-support' });

  const badTracking = await support.post<{ code: string }>(`/orders/${order.id}/ship`, { trackingNo: '<b>', carrier: 'SF' });
  expect(badTracking.status).toBe(400);
  const shipped = await support.post<{ order: OrderDetail }>(`/orders/${order.id}/ship`, { trackingNo: 'SF1234567890', carrier: 'SF' });
  expect(shipped.status).toBe(200);
  orderActionResponseSchema.parse(shipped.body);
  expect(shipped.body.order).toMatchObject({ status: 'DELIVERED', trackingNo: 'SF1234567890' });
  expect(shipped.body.order.shipping?.trackingNo).toBe('SF1234567890');
  const again = await support.post<{ code: string }>(`/orders/${order.id}/ship`, { trackingNo: 'SF1234567890', carrier: 'SF' });
  expect(again.body.code).toBe('ORDER_NOT_SHIPPABLE');
  // Shipped, the parcel is on its way: its address stays.
  expect(shipped.body.order.allowed.readdress).toBe(false);
  const afterShipping = await support.post<{ code: string }>(`/orders/${order.id}/address`, { address: { ...moved, detail: '别处' }, reason: '太晚了' });
  expect([afterShipping.status, afterShipping.body.code]).toEqual([409, 'ADDRESS_NOT_CHANGEABLE']);
  expect((await orderDoc(server, order.id)).address).toMatchObject(moved);

  const unpaid = await (await shopper(server, 'detail-cancel')).placeOrder();
  const notUnpaid = await support.post<{ code: string }>(`/orders/${order.id}/cancel`, { reason: '客户要求' });
  expect(notUnpaid.body.code).toBe('ORDER_NOT_CANCELLABLE');
  const cancelled = await support.post<{ order: OrderDetail }>(`/orders/${unpaid.id}/cancel`, { reason: '客户要求' });
  expect(cancelled.body.order.status).toBe('CLOSED');
  const reconciled = await support.post<{ before: string; after: string; steps: string[] }>(`/orders/${unpaid.id}/reconcile`);
  expect(reconcileResponseSchema.parse(reconciled.body).after).toBe('CLOSED');

  const audit = await support.get<{ items: Array<{ command: string; target: string }> }>('/audit?actor=staff:orders-support');
  expect(audit.body.items.map((entry) => `${entry.command} ${entry.target}`)).toEqual(
    expect.arrayContaining([`address order:${order.id}`, `ship order:${order.id}`, `cancel order:${unpaid.id}`, `reconcile order:${unpaid.id}`]),
  );
  const dashboard = await support.get<{ today: { orders: number; paid: number }; series: unknown[] }>('/dashboard');
  expect(dashboard.status).toBe(200);
  dashboardResponseSchema.parse(dashboard.body);
  auditResponseSchema.parse(audit.body);
  toShipResponseSchema.parse((await support.get('/shipping/queue')).body);
  billListResponseSchema.parse((await support.get('/bills')).body);
  expect((await support.get('/staff')).status).toBe(403);
  const owner = await loginAs(server, await createStaff(server, 'orders-owner', 'owner'));
  staffListResponseSchema.parse((await owner.get('/staff')).body);
  expect(dashboard.body.today.paid).toBeGreaterThan(0);
  expect(dashboard.body.series).toHaveLength(14);
}, 90_000);
