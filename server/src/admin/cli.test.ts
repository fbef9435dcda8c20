import { Types } from 'mongoose';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { shopper, payAtSimulator } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { JOB_TEST_ENV, orderDoc, prepayIdOf, setFaults, clearFaults, expireInDb } from '../../test/support/job-test-support';
import { runAdminCommand } from './run-admin-command';
import { orderModel } from '../orders/order.model';
import { hasUnsafeCharacters } from '@blindbox/shared';

// Jobs are processed by this server (as a worker would); the commands run against the same container.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { ...JOB_TEST_ENV, RECONCILE_INTERVAL_SECONDS: '3600', RECONCILE_GRACE_SECONDS: '3600', EXPIRY_SWEEP_INTERVAL_SECONDS: '3600' } });
});
afterAll(async () => {
  await server.stop();
});

const admin = (...argv: string[]) => runAdminCommand(server.container, argv, { osUser: 'cli-test' });
const audit = async () => JSON.parse((await admin('audit', '--limit', '1000', '--json')).output) as Array<Record<string, unknown>>;

async function paidOrder(code: string): Promise<string> {
  const user = await shopper(server, code);
  const order = await user.placeOrder();
  const params = await user.payJsapi(order.id);
  await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));
  await waitUntil(async () => ((await orderDoc(server, order.id)).status === 'TO_BE_DELIVERED' ? true : null), 15_000, 'payment');
  return order.id;
}

test('orders, show, ship: human and --json output', async () => {
  const orderId = await paidOrder('dev-cli-alice');

  const list = await admin('orders', '--status', 'TO_BE_DELIVERED', '--json');
  expect(list.exitCode).toBe(0);
  const rows = JSON.parse(list.output) as Array<{ id: string; status: string }>;
  expect(rows.map((row) => row.id)).toContain(orderId);
  expect(rows.every((row) => row.status === 'TO_BE_DELIVERED')).toBe(true);
  expect((await admin('orders', '--limit', '5')).output).toContain(orderId);

  const shown = await admin('show', orderId);
  expect(shown.exitCode).toBe(0);
  expect(shown.output).toContain('TO_BE_PAID → TO_BE_DELIVERED');
  expect(shown.output).toMatch(/wechat: \S+ SUCCESS/);
  const shownJson = JSON.parse((await admin('show', orderId, '--json')).output) as { wechat: { tradeState: string }; audit: unknown[] };
  expect(shownJson.wechat.tradeState).toBe('SUCCESS');
  expect(shownJson.audit).toHaveLength(2);

  expect((await admin('ship', orderId)).exitCode).toBe(2);
  const shipped = await admin('ship', orderId, '--note', 'SF123');
  expect(shipped.exitCode).toBe(0);
  expect(shipped.output).toContain('DELIVERED');
  expect((await orderDoc(server, orderId)).trackingNote).toBe('SF123');
  const again = await admin('ship', orderId, '--note', 'SF123');
  expect(again.exitCode).toBe(1);
  expect(again.output).toContain('ORDER_NOT_SHIPPABLE');
});

test('refund a paid order through the CLI; the job finishes it', async () => {
  const orderId = await paidOrder('dev-cli-bob');
  const auditBefore = (await audit()).length;
  // Not in a terminal, a destructive command needs --yes; a dry run says what it would do; neither writes.
  const unconfirmed = await admin('refund', orderId);
  expect(unconfirmed.exitCode).toBe(2);
  expect(unconfirmed.output).toContain('--yes');
  const dryRun = await admin('refund', orderId, '--dry-run', '--json');
  expect(dryRun.exitCode).toBe(0);
  expect(JSON.parse(dryRun.output)).toMatchObject({ dryRun: true, changes: [{ command: 'refund', target: `order:${orderId}`, before: { status: 'TO_BE_DELIVERED' } }] });
  expect((await orderDoc(server, orderId)).status).toBe('TO_BE_DELIVERED');
  expect(await audit()).toHaveLength(auditBefore);

  const result = await admin('refund', orderId, '--reason', 'customer changed their mind', '--json', '--yes', '--as', 'ops-anna');
  expect(result.exitCode).toBe(0);
  expect(['REFUNDING', 'REFUNDED']).toContain((JSON.parse(result.output) as { status: string }).status);
  const refunded = await waitUntil(async () => {
    const current = await orderDoc(server, orderId);
    return current.status === 'REFUNDED' ? current : null;
  }, 15_000, 'the refund');
  expect(refunded.refunds).toHaveLength(1);
  expect(refunded.refunds[0]?.reason).toBe('customer changed their mind');
  expect(refunded.audit.find((entry) => entry.to === 'REFUNDING')?.actor).toBe('admin:ops-anna');
  const entries = await audit();
  expect(entries).toHaveLength(auditBefore + 1);
  expect(entries[0]).toMatchObject({ actor: 'ops-anna', command: 'refund', target: `order:${orderId}`, before: { status: 'TO_BE_DELIVERED' }, after: { status: 'REFUNDING', reason: 'customer changed their mind' } });
  // Refunding again changes nothing, and so adds no audit entry.
  expect((await admin('refund', orderId, '--yes')).exitCode).toBe(0);
  expect(await audit()).toHaveLength(auditBefore + 1);
  expect((await orderDoc(server, orderId)).refunds).toHaveLength(1);
  // Unpaid orders cannot be refunded.
  const carol = await shopper(server, 'dev-cli-carol');
  const unpaid = await carol.placeOrder();
  const refused = await admin('refund', unpaid.id, '--yes');
  expect(refused.exitCode).toBe(1);
  expect(refused.output).toContain('ORDER_NOT_REFUNDABLE');
  expect(await audit()).toHaveLength(auditBefore + 1);
  expect((await admin('audit', '--since', new Date(Date.now() + 60_000).toISOString(), '--json')).output).toBe('[]');
  expect((await admin('audit', '--since', 'yesterday-ish')).exitCode).toBe(2);
});

test('reconcile applies a lost payment now, and closes an expired order', async () => {
  const dave = await shopper(server, 'dev-cli-dave');
  const order = await dave.placeOrder();
  const params = await dave.payJsapi(order.id);
  await setFaults(server.simulatorUrl, { dropNext: 1000 });
  try {
    await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));
    const result = await admin('reconcile', order.id, '--json', '--as', 'ops-ben');
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.output)).toMatchObject({ before: 'TO_BE_PAID', after: 'TO_BE_DELIVERED' });
    expect((await orderDoc(server, order.id)).audit.at(-1)?.actor).toBe('admin:ops-ben');
  } finally {
    await clearFaults(server.simulatorUrl);
  }

  const unpaid = await dave.placeOrder();
  await dave.payJsapi(unpaid.id);
  await expireInDb(server, unpaid.id);
  const closed = await admin('reconcile', unpaid.id);
  expect(closed.output).toContain('TO_BE_PAID → CLOSED');
  expect((await orderDoc(server, unpaid.id)).releasedAt).toBeInstanceOf(Date);
});

test('jobs shows queue health; bad input is a usage error', async () => {
  const health = await admin('jobs', '--json');
  expect(health.exitCode).toBe(0);
  const parsed = JSON.parse(health.output) as { queues: Array<{ name: string; scheduled: number; due: number; running: number }> };
  expect(parsed.queues.map((queue) => queue.name)).toEqual(
    expect.arrayContaining(['expiry-sweep', 'reconcile-payments', 'refund-order', 'daily-reconciliation-report']),
  );
  const sweep = parsed.queues.find((queue) => queue.name === 'expiry-sweep')!;
  expect(sweep.scheduled + sweep.due + sweep.running).toBe(1);
  expect((await admin('jobs')).output).toContain('expiry-sweep');
  expect((await admin('nope')).exitCode).toBe(2);
  expect((await admin('show', 'not-an-id')).exitCode).toBe(1);
  expect((await admin('show', new Types.ObjectId().toHexString())).exitCode).toBe(1);
  expect((await admin('orders', '--status', 'WRONG')).exitCode).toBe(2);
});

test('hostile addresses (forged packing-list lines, ESC/OSC/BEL, bidi) print one line per order with no control byte, in to-ship and show', async () => {
  // Stored before the address schema refused them, or written by anything that skips it: output escapes anyway.
  const hostile = [
    { name: '张三', phone: '13800138000', region: '上海市', detail: '1 号\norder 000000000000000000000000  paid 2026-01-01 00:00:00\n  ship to 李四 13900000000  北京市 假地址\n  1 × 隐藏款' },
    { name: '王\u001b]0;pwned\u0007五', phone: '13800138001', region: '\u001b[2J\u001b[H广州市', detail: '\u009b31m红字\r\n\u202e地址\u0007' },
    { name: '赵六\u001b]8;;https://evil.example/\u001b\\点我\u001b]8;;\u001b\\', phone: '13800138002', region: '深圳市\u2028南山区', detail: '\t科技园\u0000' },
  ];
  const ids: string[] = [];
  for (const [i, address] of hostile.entries()) {
    const orderId = await paidOrder(`dev-cli-hostile-${i}`);
    await orderModel(server.container.db).updateOne({ _id: new Types.ObjectId(orderId) }, { $set: { address } });
    ids.push(orderId);
  }
  const noControlBytes = (output: string) => output.split('\n').every((row) => !hasUnsafeCharacters(row));

  const toShip = await admin('orders', '--to-ship', '--limit', '1000');
  expect(toShip.exitCode).toBe(0);
  expect(noControlBytes(toShip.output)).toBe(true);
  const listed = JSON.parse((await admin('orders', '--to-ship', '--limit', '1000', '--json')).output) as Array<{ id: string; address: unknown; items: unknown[]; draws: unknown[] }>;
  const rows = toShip.output.split('\n');
  // Exactly one "order" line and one "ship to" line per order, and every other line is an item or a draw of one.
  expect(rows.filter((row) => row.startsWith('order '))).toHaveLength(listed.length);
  expect(rows.filter((row) => row.startsWith('  ship to '))).toHaveLength(listed.length);
  expect(rows).toHaveLength(listed.reduce((sum, order) => sum + 2 + order.items.length + order.draws.length, 0));
  expect(rows.filter((row) => row.includes('000000000000000000000000')).every((row) => row.startsWith('  ship to '))).toBe(true);
  for (const id of ids) expect(rows.filter((row) => row.startsWith(`order ${id} `))).toHaveLength(1);
  expect(toShip.output).toContain('\\u001b]0;pwned\\u0007');
  // --json keeps the stored text exactly (JSON's own escapes).
  expect(listed.find((order) => order.id === ids[1])?.address).toEqual(hostile[1]);

  for (const [i, id] of ids.entries()) {
    const shown = await admin('show', id);
    expect(shown.exitCode).toBe(0);
    expect(noControlBytes(shown.output)).toBe(true);
    const shipTo = shown.output.split('\n').filter((row) => row.startsWith('ship to: '));
    expect(shipTo).toHaveLength(1);
    expect(shown.output.split('\n').filter((row) => row.startsWith('order '))).toHaveLength(1);
    expect(shipTo[0]).toContain(hostile[i]!.phone);
    const json = JSON.parse((await admin('show', id, '--json')).output) as { address: unknown };
    expect(json.address).toEqual(hostile[i]);
  }
});
