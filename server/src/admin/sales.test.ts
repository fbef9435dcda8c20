import { beijingTime } from '@blindbox/shared';
import { Types } from 'mongoose';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { mechaBoy, paidOrderOfBoxes, starryCat } from '../../test/support/sales';
import { shopper } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { JOB_TEST_ENV, orderDoc } from '../../test/support/job-test-support';
import { orderModel } from '../orders/order.model';
import { runAdminCommand } from './run-admin-command';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { ...JOB_TEST_ENV, RECONCILE_INTERVAL_SECONDS: '3600', RECONCILE_GRACE_SECONDS: '3600', EXPIRY_SWEEP_INTERVAL_SECONDS: '3600' } });
});
afterAll(async () => {
  await server.stop();
});

const admin = (...argv: string[]) => runAdminCommand(server.container, argv, { osUser: 'sales-test' });
const DAY_MS = 86_400_000;

const paidOrder = (code: string, items: Parameters<typeof paidOrderOfBoxes>[2], withCoupon = false) => paidOrderOfBoxes(server, code, items, withCoupon);

let earlier: string, refunded: string, mixed: string, unpaid: string;
beforeAll(async () => {
  earlier = await paidOrder('dev-sales-alice', (b) => [{ boxId: starryCat(b), quantity: 2 }]);
  refunded = await paidOrder('dev-sales-bob', (b) => [{ boxId: mechaBoy(b), quantity: 1 }]);
  // ¥59 + ¥69 with the welcome coupon's ¥5 off: the ¥123 paid splits 56.69 / 66.31 by the lines' shares.
  mixed = await paidOrder('dev-sales-carol', (b) => [{ boxId: starryCat(b), quantity: 1 }, { boxId: mechaBoy(b), quantity: 1 }], true);
  const dave = await shopper(server, 'dev-sales-dave');
  unpaid = (await dave.placeOrder()).id;
  expect((await admin('refund', refunded, '--yes')).exitCode).toBe(0);
  await waitUntil(async () => ((await orderDoc(server, refunded)).status === 'REFUNDED' ? true : null), 15_000, 'the refund');
  // Paid two days ago: a day of its own.
  await orderModel(server.container.db).updateOne({ _id: new Types.ObjectId(earlier) }, { $set: { paidAt: new Date(Date.now() - 2 * DAY_MS) } });
}, 60_000);

test('sales add up per box and per Beijing day: units, revenue, refunds; as a table, JSON and CSV', async () => {
  const today = beijingTime(new Date()).slice(0, 10);
  const twoDaysAgo = beijingTime(new Date(Date.now() - 2 * DAY_MS)).slice(0, 10);
  const json = await admin('sales', '--json');
  expect(json.exitCode).toBe(0);
  expect(JSON.parse(json.output)).toEqual([
    { day: twoDaysAgo, box: 'starry-cat', units: 2, revenueFen: 11800, refundedUnits: 0, refundsFen: 0 },
    { day: today, box: 'mecha-boy', units: 2, revenueFen: 6900 + 6631, refundedUnits: 1, refundsFen: 6900 },
    { day: today, box: 'starry-cat', units: 1, revenueFen: 5669, refundedUnits: 0, refundsFen: 0 },
  ]);

  const csv = await admin('sales', '--csv');
  expect(csv.output.split('\n')).toEqual([
    'day,box,units,revenue_yuan,refunded_units,refunds_yuan,net_yuan',
    `${twoDaysAgo},starry-cat,2,118.00,0,0.00,118.00`,
    `${today},mecha-boy,2,135.31,1,69.00,66.31`,
    `${today},starry-cat,1,56.69,0,0.00,56.69`,
  ]);
  expect((await admin('sales', '--csv', '--box', 'starry-cat', '--since', today)).output.split('\n')).toEqual([
    'day,box,units,revenue_yuan,refunded_units,refunds_yuan,net_yuan',
    `${today},starry-cat,1,56.69,0,0.00,56.69`,
  ]);
  const table = await admin('sales');
  expect(table.output).toMatch(/total\s+5\s+310\.00\s+1\s+69\.00\s+241\.00/);
  expect((await admin('sales', '--box', 'no-such-box')).exitCode).toBe(1);
  expect((await admin('sales', '--since', 'last week')).exitCode).toBe(2);
});

test('--to-ship lists exactly the paid unshipped orders with address, items and draws; show prints the address', async () => {
  const listed = async () => JSON.parse((await admin('orders', '--to-ship', '--json')).output) as Array<{ id: string; address: { name: string; detail: string }; items: Array<{ name: string; quantity: number }>; draws: unknown[] }>;
  const rows = await listed();
  // Oldest payment first: the order paid two days ago leads.
  expect(rows.map((row) => row.id)).toEqual([earlier, mixed]);
  expect(rows[0]).toMatchObject({ address: { name: '张三', detail: '世纪大道 1 号' }, items: [{ name: '星空猫咪', quantity: 2 }] });
  expect(rows[0]!.draws).toHaveLength(2);
  expect(rows.map((row) => row.id)).not.toContain(unpaid);
  expect(rows.map((row) => row.id)).not.toContain(refunded);
  const human = (await admin('orders', '--to-ship')).output;
  expect(human).toContain('ship to 张三 13800138000  上海市 浦东新区 世纪大道 1 号');
  expect(human).toContain('1 × 机甲少年');

  expect((await admin('show', mixed)).output).toContain('ship to: 张三 13800138000  上海市 浦东新区 世纪大道 1 号');
  expect((await admin('ship', mixed, '--note', 'SF42')).exitCode).toBe(0);
  expect((await listed()).map((row) => row.id)).toEqual([earlier]);
  expect((await admin('orders', '--to-ship', '--status', 'CLOSED')).exitCode).toBe(2);
});
