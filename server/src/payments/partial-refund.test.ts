import type { OrderDetail } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { JOB_TEST_ENV, orderDoc } from '../../test/support/job-test-support';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { createStaff, loginAs, paidOrderOf, type ConsoleClient } from '../../test/support/console';
import { runAdminCommand } from '../admin/run-admin-command';
import { heldForRefundsFen } from './refund-amounts';

let server: TestServer;
let owner: ConsoleClient;
let support: ConsoleClient;
const SUPPORT_LIMIT_FEN = 10_000;

beforeAll(async () => {
  server = await startTestServer({
    env: { ...JOB_TEST_ENV, RECONCILE_INTERVAL_SECONDS: '3600', RECONCILE_GRACE_SECONDS: '3600', CONSOLE_SUPPORT_REFUND_LIMIT_FEN: String(SUPPORT_LIMIT_FEN), CONSOLE_LOGIN_PER_ADDRESS_PER_MINUTE: '0' },
  });
  owner = await loginAs(server, await createStaff(server, 'refund-owner', 'owner'));
  support = await loginAs(server, await createStaff(server, 'refund-support', 'support'));
});
afterAll(async () => {
  await server?.stop();
});

async function settled(orderId: string, status: string) {
  return waitUntil(
    async () => {
      const order = await orderDoc(server, orderId);
      return order.status === status && order.refunds.every((refund) => refund.status === 'SUCCESS') ? order : null;
    },
    30_000,
    `order ${orderId} ${status} with every refund confirmed`,
  );
}

test('one unit of a three-unit order: its share back, the order stays paid, the rest still refundable; audited', async () => {
  const order = await paidOrderOf(server, 'partial-one-unit', 3);
  const refunded = await support.post<{ order: OrderDetail }>(`/orders/${order.id}/refunds`, { mode: 'units', units: [{ itemIndex: 0, quantity: 1 }], reason: '手办破损' });
  expect(refunded.status).toBe(200);
  const unitFen = Math.floor(order.totalFen / 3);
  expect(refunded.body.order.refunds).toEqual([expect.objectContaining({ amountFen: unitFen, units: [{ itemIndex: 0, quantity: 1 }], reason: '手办破损', actor: 'staff:refund-support' })]);
  const after = await settled(order.id, 'TO_BE_DELIVERED');
  expect(after.refunds[0]!.outRefundNo).toBe(`RF${after.payment.transactionId}`);

  const detail = (await owner.get<OrderDetail>(`/orders/${order.id}`)).body;
  expect(detail.items[0]!.refundedUnits).toBe(1);
  expect(detail.refundable.amountFen).toBe(order.totalFen - unitFen);
  expect(detail.refundable.units[0]!.quantity).toBe(2);
  expect(detail.audit.map((entry) => `${entry.actor} ${entry.command}`)).toContain('staff:refund-support refund');
  expect(detail.history.at(-1)!.reason).toContain('partial refund');

  // More units than are left, or a line that does not exist: refused, nothing changes.
  const tooMany = await owner.post<{ code: string }>(`/orders/${order.id}/refunds`, { mode: 'units', units: [{ itemIndex: 0, quantity: 3 }], reason: 'x' });
  const noLine = await owner.post<{ code: string }>(`/orders/${order.id}/refunds`, { mode: 'units', units: [{ itemIndex: 4, quantity: 1 }], reason: 'x' });
  expect([tooMany.body.code, noLine.body.code]).toEqual(['REFUND_UNITS_INVALID', 'REFUND_UNITS_INVALID']);

  // The rest by unit: every unit back gives back exactly what was paid, and the order is REFUNDED.
  expect((await owner.post(`/orders/${order.id}/refunds`, { mode: 'units', units: [{ itemIndex: 0, quantity: 2 }], reason: '整单退' })).status).toBe(200);
  const done = await settled(order.id, 'REFUNDED');
  expect(done.refunds.map((refund) => refund.amountFen).reduce((a, b) => a + b, 0)).toBe(order.totalFen);
  expect(done.refunds[1]!.outRefundNo).toBe(`RF${done.payment.transactionId}_2`);
}, 90_000);

test('amounts: never more than is left; support only up to its limit; a full refund after a partial one gives back the rest', async () => {
  const order = await paidOrderOf(server, 'partial-amounts', 3);
  const over = await owner.post<{ code: string; message: string }>(`/orders/${order.id}/refunds`, { mode: 'amount', amountFen: order.totalFen + 1, reason: 'x' });
  expect(over.status).toBe(409);
  expect(over.body).toMatchObject({ code: 'REFUND_EXCEEDS_REFUNDABLE', message: '退款金额超过可退金额' });
  const aboveLimit = await support.post<{ code: string }>(`/orders/${order.id}/refunds`, { mode: 'full', reason: 'x' });
  expect(aboveLimit.status).toBe(403);
  expect(aboveLimit.body.code).toBe('REFUND_OVER_ROLE_LIMIT');
  expect((await orderDoc(server, order.id)).refunds).toEqual([]);

  expect((await support.post(`/orders/${order.id}/refunds`, { mode: 'amount', amountFen: 100, reason: '运费补偿' })).status).toBe(200);
  expect((await owner.post(`/orders/${order.id}/refunds`, { mode: 'full', reason: '退余款' })).status).toBe(200);
  const done = await settled(order.id, 'REFUNDED');
  expect(done.refunds.map((refund) => refund.amountFen)).toEqual([100, order.totalFen - 100]);
}, 90_000);

test('N concurrent partial refunds never exceed what was paid; each has its own out_refund_no', async () => {
  const order = await paidOrderOf(server, 'partial-concurrent', 3);
  const each = Math.floor(order.totalFen * 0.3);
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => owner.post<{ code?: string }>(`/orders/${order.id}/refunds`, { mode: 'amount', amountFen: each, reason: `click ${i}` })));
  const won = answers.filter((answer) => answer.status === 200).length;
  expect(won).toBe(3);
  expect(answers.filter((answer) => answer.status !== 200).every((answer) => answer.body.code === 'REFUND_EXCEEDS_REFUNDABLE')).toBe(true);
  const after = await settled(order.id, 'TO_BE_DELIVERED');
  expect(after.refunds).toHaveLength(3);
  expect(new Set(after.refunds.map((refund) => refund.outRefundNo)).size).toBe(3);
  expect(heldForRefundsFen(after)).toBe(3 * each);
  expect(after.refundReservedFen).toBe(3 * each);

  // The refund notification (or a query) reported again changes nothing.
  const again = after.refunds[0]!;
  await server.container.payments.applyRefundResult({ outRefundNo: again.outRefundNo, outTradeNo: again.outTradeNo, refundId: 'again', status: 'SUCCESS', refundFen: again.amountFen, raw: {} }, 'test:replay');
  const replayed = await orderDoc(server, order.id);
  expect(replayed.refunds).toEqual(after.refunds);
  expect(replayed.audit).toHaveLength(after.audit.length);

  // What is left, all at once from both sides: exactly one wins.
  const rest = order.totalFen - 3 * each;
  const last = await Promise.all([0, 1, 2, 3].map(() => owner.post(`/orders/${order.id}/refunds`, { mode: 'amount', amountFen: rest, reason: 'rest' })));
  expect(last.filter((answer) => answer.status === 200)).toHaveLength(1);
  const done = await settled(order.id, 'REFUNDED');
  expect(heldForRefundsFen(done)).toBe(order.totalFen);
}, 120_000);

test('the CLI refunds units through the same service, and sales counts the refunded unit', async () => {
  const order = await paidOrderOf(server, 'partial-cli', 3);
  const result = await runAdminCommand(server.container, ['refund', order.id, '--units', '1:1', '--reason', 'cli partial', '--yes'], { osUser: 'ops' });
  expect(result.exitCode).toBe(0);
  const after = await settled(order.id, 'TO_BE_DELIVERED');
  expect(after.refunds[0]).toMatchObject({ units: [{ itemIndex: 0, quantity: 1 }], actor: 'admin:ops', amountFen: Math.floor(order.totalFen / 3) });
  const [entry] = await server.container.audit.since(new Date(Date.now() - 60_000), 1);
  expect(entry).toMatchObject({ actor: 'ops', command: 'refund', target: `order:${order.id}` });
  const sales = JSON.parse((await runAdminCommand(server.container, ['sales', '--json'])).output) as Array<{ refundedUnits: number; refundsFen: number }>;
  expect(sales.reduce((sum, row) => sum + row.refundedUnits, 0)).toBeGreaterThanOrEqual(1);
  const bad = await runAdminCommand(server.container, ['refund', order.id, '--units', 'one', '--yes']);
  expect(bad.exitCode).toBe(2);
}, 90_000);
