import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { simulatorControl } from '../../test/support/shop';
import { JOB_TEST_ENV, orderDoc } from '../../test/support/job-test-support';
import { shippedOrder } from '../../test/support/receipt-support';
import { runAdminCommand } from '../admin/run-admin-command';
import { MINIPROGRAM_PUSH_PATH } from '../payments/callback-paths';
import { platformReminderModel } from './platform-reminder.model';

const TOKEN = 'pushTokenPlain42';
let server: TestServer;
const pushUrl = () => `${server.url}${MINIPROGRAM_PUSH_PATH}`;
const sha1 = (...parts: string[]) => createHash('sha1').update([...parts].sort().join('')).digest('hex');
const push = (body: Record<string, unknown>) => simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/push', body) as Promise<{ status: number; body: string; createTime: number }>;

beforeAll(async () => {
  server = await startTestServer({ env: { ...JOB_TEST_ENV, MINIPROGRAM_PUSH_TOKEN: TOKEN } });
  await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/push-config', { url: pushUrl(), token: TOKEN, format: 'json' });
});
afterAll(async () => {
  await server.stop();
});

test('URL verification answers echostr only to WeChat’s signature', async () => {
  const good = await fetch(`${pushUrl()}?signature=${sha1(TOKEN, '1714036504', '1514711492')}&echostr=4375120948345356249&timestamp=1714036504&nonce=1514711492`);
  expect(good.status).toBe(200);
  expect(await good.text()).toBe('4375120948345356249');
  const forged = await fetch(`${pushUrl()}?signature=${sha1('guessed', '1714036504', '1514711492')}&echostr=1&timestamp=1714036504&nonce=1514711492`);
  expect(forged.status).toBe(401);
}, 180_000);

test('a forged or unsigned settlement is refused and changes nothing', async () => {
  const { orderId, transactionId } = await shippedOrder(server, 'dev-push-forger');
  const forged = JSON.stringify({ MsgType: 'event', Event: 'trade_manage_order_settlement', CreateTime: 1, transaction_id: transactionId, settlement_time: 1700000000, confirm_receive_time: 1700000000 });
  const unsigned = await fetch(pushUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: forged });
  expect(unsigned.status).toBe(401);
  const wrongToken = await fetch(`${pushUrl()}?signature=${sha1('notTheToken', '1', '2')}&timestamp=1&nonce=2`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: forged });
  expect(wrongToken.status).toBe(401);
  const order = await orderDoc(server, orderId);
  expect(order.status).toBe('DELIVERED');
  expect(order.settledAt ?? null).toBeNull();
}, 180_000);

test('the settlement is recorded once, however often WeChat pushes it, and completes the order', async () => {
  const { orderId, transactionId } = await shippedOrder(server, 'dev-push-settle');
  const shipped = await push({ event: 'trade_manage_order_settlement', transactionId, stage: 'shipped' });
  expect(shipped).toMatchObject({ status: 200, body: 'success' });
  expect((await orderDoc(server, orderId)).settlementEstimatedAt).toBeInstanceOf(Date);

  const first = await push({ event: 'trade_manage_order_settlement', transactionId });
  expect(first).toMatchObject({ status: 200, body: 'success' });
  const settled = await orderDoc(server, orderId);
  expect(settled.status).toBe('COMPLETED');
  expect(settled.settledAt).toBeInstanceOf(Date);
  expect(settled.receiptConfirmMethod).toBe(1);

  // WeChat's retry of the same push, then the same event again: applied twice = once.
  await push({ event: 'trade_manage_order_settlement', transactionId, createTime: first.createTime });
  await push({ event: 'trade_manage_order_settlement', transactionId });
  const after = await orderDoc(server, orderId);
  expect(after.settledAt).toEqual(settled.settledAt);
  expect(after.audit.filter((entry) => entry.to === 'COMPLETED')).toHaveLength(1);
  expect(after.audit.at(-1)).toMatchObject({ actor: 'wechat:trade-management', reason: 'receipt confirmed at WeChat (automatically)' });

  const shown = await runAdminCommand(server.container, ['show', orderId]);
  expect(shown.output).toMatch(/money: SETTLED .*receipt confirmed .* \(auto\) {2}settled /);
}, 180_000);

test('a shipping reminder in XML is raised to staff once', async () => {
  const { orderId, transactionId } = await shippedOrder(server, 'dev-push-remind');
  await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/push-config', { url: pushUrl(), token: TOKEN, format: 'xml' });
  const first = await push({ event: 'trade_manage_remind_shipping', transactionId });
  expect(first).toMatchObject({ status: 200, body: 'success' });
  await push({ event: 'trade_manage_remind_shipping', transactionId, createTime: first.createTime });
  const reminders = await platformReminderModel(server.container.db).find({ transactionId }).lean();
  expect(reminders).toHaveLength(1);
  expect(reminders[0]).toMatchObject({ event: 'trade_manage_remind_shipping', orderId: new Types.ObjectId(orderId) });
  expect(reminders[0]!.message).toContain('发货信息');
  // Open until staff mark it handled, then gone from the shipping page's list.
  const open = await server.container.pushEvents.openReminders(50);
  expect(open.map((reminder) => reminder._id)).toContain(reminders[0]!._id);
  await server.container.pushEvents.resolveReminder(reminders[0]!._id, 'staff:test');
  expect((await server.container.pushEvents.openReminders(50)).map((reminder) => reminder._id)).not.toContain(reminders[0]!._id);
  await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/push-config', { url: pushUrl(), token: TOKEN, format: 'json' });
}, 180_000);
