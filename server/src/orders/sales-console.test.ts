import { beijingTime, salesResponseSchema, type SalesResponse } from '@blindbox/shared';
import { Types } from 'mongoose';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { mechaBoy, paidOrderOfBoxes, starryCat } from '../../test/support/sales';
import { createStaff, loginAs, type ConsoleClient } from '../../test/support/console';
import { shopper } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { JOB_TEST_ENV, orderDoc } from '../../test/support/job-test-support';
import { orderModel, type OrderDoc } from './order.model';

let server: TestServer;
let viewer: ConsoleClient;
const DAY_MS = 86_400_000;
const dayOf = (at: Date) => beijingTime(at).slice(0, 10);

const paidOrder = (code: string, items: Parameters<typeof paidOrderOfBoxes>[2], withCoupon = false) => paidOrderOfBoxes(server, code, items, withCoupon);

let earlier: string, refunded: string, partly: string, mixed: string;
beforeAll(async () => {
  server = await startTestServer({ env: { ...JOB_TEST_ENV, RECONCILE_INTERVAL_SECONDS: '3600', RECONCILE_GRACE_SECONDS: '3600', EXPIRY_SWEEP_INTERVAL_SECONDS: '3600' } });
  viewer = await loginAs(server, await createStaff(server, 'sales-viewer', 'viewer'));
  const owner = await loginAs(server, await createStaff(server, 'sales-owner', 'owner'));
  earlier = await paidOrder('dev-csales-alice', (b) => [{ boxId: starryCat(b), quantity: 2 }]);
  refunded = await paidOrder('dev-csales-bob', (b) => [{ boxId: mechaBoy(b), quantity: 1 }]);
  partly = await paidOrder('dev-csales-dora', (b) => [{ boxId: starryCat(b), quantity: 3 }]);
  // ¥59 + ¥69 with the welcome coupon's ¥5 off: the ¥123 paid splits 56.69 / 66.31 by the lines' shares.
  mixed = await paidOrder('dev-csales-carol', (b) => [{ boxId: starryCat(b), quantity: 1 }, { boxId: mechaBoy(b), quantity: 1 }], true);
  await shopper(server, 'dev-csales-dave').then((dave) => dave.placeOrder());
  expect((await owner.post(`/orders/${refunded}/refunds`, { mode: 'full', reason: '不想要了' })).status).toBe(200);
  expect((await owner.post(`/orders/${partly}/refunds`, { mode: 'units', units: [{ itemIndex: 0, quantity: 1 }], reason: '破损' })).status).toBe(200);
  await waitUntil(async () => ((await orderDoc(server, refunded)).status === 'REFUNDED' ? true : null), 20_000, 'the refund');
  await waitUntil(async () => ((await orderDoc(server, partly)).refunds.every((refund: { status: string }) => refund.status === 'SUCCESS') ? true : null), 20_000, 'the unit refund');
  // Paid two days ago: a day of its own.
  await orderModel(server.container.db).updateOne({ _id: new Types.ObjectId(earlier) }, { $set: { paidAt: new Date(Date.now() - 2 * DAY_MS) } });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

const sales = async (query: string) => salesResponseSchema.parse((await viewer.get<SalesResponse>(`/sales?${query}`)).body);

test('sales per Beijing day and box add up to what the paid orders brought and what their refunds gave back', async () => {
  const today = dayOf(new Date());
  const twoDaysAgo = dayOf(new Date(Date.now() - 2 * DAY_MS));
  const report = await sales(`from=${twoDaysAgo}&to=${today}`);
  expect(report.days.map((day) => day.day)).toEqual([twoDaysAgo, dayOf(new Date(Date.now() - DAY_MS)), today]);
  expect(report.rows.map((row) => [row.day, row.slug, row.units, row.revenueFen, row.refundedUnits, row.refundsFen])).toEqual(
    expect.arrayContaining([
      [twoDaysAgo, 'starry-cat', 2, 11800, 0, 0],
      [today, 'mecha-boy', 2, 6900 + 6631, 1, 6900],
      [today, 'starry-cat', 4, 3 * 5900 + 5669, 1, 5900],
    ]),
  );
  expect(report.rows).toHaveLength(3);

  // Against the orders themselves: every paid order's total, every succeeded refund of its own payment.
  const orders = await orderModel(server.container.db).find({ _id: { $in: [earlier, refunded, partly, mixed].map((id) => new Types.ObjectId(id)) } }).lean<OrderDoc[]>();
  const paidFen = orders.reduce((sum, order) => sum + order.totalFen, 0);
  const refundFen = orders.flatMap((order) => order.refunds).reduce((sum, refund) => sum + refund.amountFen, 0);
  expect(report.total).toEqual({ units: 2 + 1 + 3 + 2, revenueFen: paidFen, refundedUnits: 2, refundsFen: refundFen });
  expect(report.days.reduce((sum, day) => sum + day.revenueFen, 0)).toBe(paidFen);
  expect(report.boxes.reduce((sum, box) => sum + box.refundsFen, 0)).toBe(refundFen);
  expect(report.boxes.map((box) => box.slug).sort()).toEqual(['mecha-boy', 'starry-cat']);

  // One day, one box; the CSV has the same figures in yuan.
  const catId = report.boxes.find((box) => box.slug === 'starry-cat')!.boxId;
  const todays = await sales(`from=${today}&to=${today}&boxId=${catId}`);
  expect(todays.total).toEqual({ units: 4, revenueFen: 3 * 5900 + 5669, refundedUnits: 1, refundsFen: 5900 });
  const csv = await viewer.get<string>(`/sales/export.csv?from=${today}&to=${today}&boxId=${catId}`);
  expect(csv.headers.get('content-type')).toContain('text/csv');
  expect(csv.body.replace(/^\uFEFF/, '').split('\r\n')).toEqual(['日期(北京),系列,系列标识,件数,收入(元),退款件数,退款(元),净收入(元)', `${today},星空猫咪,starry-cat,4,233.69,1,59.00,174.69`, '']);
});

test('a range backwards or longer than a year is refused in words staff read', async () => {
  const backwards = await viewer.get<{ code: string; message: string }>('/sales?from=2026-03-02&to=2026-03-01');
  expect([backwards.status, backwards.body.code]).toEqual([400, 'INVALID_SALES_RANGE']);
  expect(backwards.body.message).toContain('开始不能晚于结束');
  expect((await viewer.get<{ code: string }>('/sales?from=2024-01-01&to=2026-01-01')).body.code).toBe('INVALID_SALES_RANGE');
  expect((await viewer.get<{ code: string }>('/sales?from=yesterday&to=2026-01-01')).body.code).toBe('VALIDATION_ERROR');
});
