import type { ShippingImportResponse } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { JOB_TEST_ENV, orderDoc } from '../../test/support/job-test-support';
import { createStaff, loginAs, paidOrderOf, type ConsoleClient } from '../../test/support/console';
import { shopper } from '../../test/support/shop';

let server: TestServer;
let operator: ConsoleClient;
beforeAll(async () => {
  server = await startTestServer({ env: { ...JOB_TEST_ENV, RECONCILE_INTERVAL_SECONDS: '3600', RECONCILE_GRACE_SECONDS: '3600', CONSOLE_LOGIN_PER_ADDRESS_PER_MINUTE: '0' } });
  operator = await loginAs(server, await createStaff(server, 'csv-operator', 'operator'));
});
afterAll(async () => {
  await server?.stop();
});

test('a CSV with any bad row ships nothing and lists every error by line; the corrected file ships every order', async () => {
  const [first, second] = [await paidOrderOf(server, 'csv-first', 1), await paidOrderOf(server, 'csv-second', 1)];
  const unpaid = await (await shopper(server, 'csv-unpaid')).placeOrder();
  const csv = [
    'order_id,tracking_no,carrier',
    `${first.id},SF1234567890,SF`,
    `${second.id},x,SF`,
    `${unpaid.id},YT99887766,YTO`,
    'not-an-id,SF1,SF',
    `${first.id},SF5555555,SF`,
    `${'f'.repeat(24)},ZT12345678,ZTO`,
    `${second.id},SF12345678,NOPE`,
  ].join('\n');
  const refused = await operator.post<ShippingImportResponse>('/shipping/import', { csv });
  expect(refused.status).toBe(200);
  expect(refused.body.ok).toBe(false);
  expect(refused.body.applied).toBe(0);
  expect(refused.body.rows).toBe(7);
  expect(refused.body.errors.map((error) => error.row)).toEqual([3, 4, 5, 6, 7, 8]);
  expect(refused.body.errors.find((error) => error.row === 4)!.message).toContain('TO_BE_PAID');
  expect(refused.body.errors.find((error) => error.row === 6)!.message).toContain('第 2 行');
  expect(refused.body.errors.find((error) => error.row === 7)!.message).toBe('订单不存在');
  // Nothing half-applied: the good first row was not shipped either.
  expect((await orderDoc(server, first.id)).status).toBe('TO_BE_DELIVERED');

  const dry = await operator.post<ShippingImportResponse>('/shipping/import', { csv: `order_id,tracking_no\n${first.id},SF1234567890`, dryRun: true });
  expect(dry.body).toMatchObject({ ok: true, applied: 0 });
  expect((await orderDoc(server, first.id)).status).toBe('TO_BE_DELIVERED');

  const good = await operator.post<ShippingImportResponse>('/shipping/import', { csv: `\uFEFForder_id,tracking_no,carrier\n${first.id},SF1234567890,SF\n${second.id},YT99887766,yto\n` });
  expect(good.body).toEqual({ ok: true, rows: 2, applied: 2, errors: [] });
  expect((await orderDoc(server, first.id)).trackingNote).toBe('SF1234567890');
  expect((await orderDoc(server, second.id)).status).toBe('DELIVERED');
  const uploads = await operator.get<{ items: Array<{ orderId: string; expressCompany: string }> }>('/shipping/uploads?status=PENDING');
  const uploaded = await operator.get<{ items: Array<{ orderId: string; expressCompany: string }> }>('/shipping/uploads?status=UPLOADED');
  const all = [...uploads.body.items, ...uploaded.body.items];
  expect(all.find((upload) => upload.orderId === second.id)?.expressCompany).toBe('YTO');
  const audit = await operator.get<{ items: Array<{ command: string; target: string; actor: string }> }>(`/audit?actor=staff:csv-operator`);
  expect(audit.body.items.filter((entry) => entry.command === 'ship').map((entry) => entry.target).sort()).toEqual([`order:${first.id}`, `order:${second.id}`].sort());
}, 90_000);

test('a file without the header, or empty, is refused with a message', async () => {
  const noHeader = await operator.post<ShippingImportResponse>('/shipping/import', { csv: 'abc,def\n1,2' });
  expect(noHeader.body.errors[0]).toMatchObject({ row: 1 });
  const empty = await operator.post<{ code: string }>('/shipping/import', { csv: '' });
  expect(empty.status).toBe(400);
});

test('the to-ship queue lists paid orders, oldest payment first', async () => {
  const older = await paidOrderOf(server, 'queue-older', 1);
  const newer = await paidOrderOf(server, 'queue-newer', 1);
  const queue = await operator.get<{ items: Array<{ id: string }> }>('/shipping/queue?pageSize=100');
  const ids = queue.body.items.map((row) => row.id);
  expect(ids.indexOf(older.id)).toBeGreaterThanOrEqual(0);
  expect(ids.indexOf(older.id)).toBeLessThan(ids.indexOf(newer.id));
}, 60_000);
