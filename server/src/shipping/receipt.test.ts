import { Types } from 'mongoose';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { simulatorControl } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { JOB_TEST_ENV, orderDoc } from '../../test/support/job-test-support';
import { shippedOrder } from '../../test/support/receipt-support';
import { runAdminCommand } from '../admin/run-admin-command';
import { shippingUploadModel } from './shipping-upload.model';

interface TradeState {
  reminderCalls: number;
  reminders: Record<string, { receivedTime: number }>;
}

let server: TestServer;
const tradeState = async () => (await simulatorControl(server.simulatorUrl, 'GET', '/sim/mini-program/trade')) as TradeState;

beforeAll(async () => {
  server = await startTestServer({ env: { ...JOB_TEST_ENV } });
});
afterAll(async () => {
  await server.stop();
});

test('a mini-program order completes only once get_order reports the receipt confirmed in WeChat’s component', async () => {
  const { buyer, orderId, transactionId } = await shippedOrder(server, 'dev-receipt-alice');
  const shown = await buyer.order(orderId);
  expect(shown).toMatchObject({ status: 'DELIVERED', receiptBy: 'WECHAT', wechatTransactionId: transactionId });

  // Back from the component without confirming (or a forged return): WeChat says 2 已发货, so nothing moves.
  const early = await buyer.api.post<{ code: string }>(`/api/orders/${orderId}/confirm-receipt`);
  expect(early.status).toBe(409);
  expect(early.body.code).toBe('RECEIPT_NOT_CONFIRMED');
  expect((await orderDoc(server, orderId)).status).toBe('DELIVERED');

  await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/receipt', { transactionId });
  const confirmed = await buyer.api.post<{ status: string }>(`/api/orders/${orderId}/confirm-receipt`);
  expect(confirmed.status).toBe(200);
  expect(confirmed.body.status).toBe('COMPLETED');
  // onShow may fire twice: the second confirmation answers the same order and adds nothing.
  const again = await buyer.api.post<{ status: string }>(`/api/orders/${orderId}/confirm-receipt`);
  expect(again.body.status).toBe('COMPLETED');
  const completions = (await orderDoc(server, orderId)).audit.filter((entry) => entry.to === 'COMPLETED');
  expect(completions).toHaveLength(1);
  expect(completions[0]!.actor).toMatch(/^user:/);
}, 180_000);

test('a received parcel gets one receipt reminder at WeChat, even when marked twice or after a crash mid-send', async () => {
  const { orderId, transactionId } = await shippedOrder(server, 'dev-receipt-bob');
  const id = new Types.ObjectId(orderId);
  // The platform is busy once: the reminder is retried by the shipment's job.
  await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/faults', { failNext: 1, errcode: -1 });
  const marked = await runAdminCommand(server.container, ['received', orderId]);
  expect(marked.exitCode).toBe(0);
  expect(marked.output).toContain('receipt reminder PENDING');
  const sent = await waitUntil(async () => {
    const upload = await server.container.shipping.status(id);
    return upload?.reminderStatus === 'SENT' ? upload : null;
  }, 60_000, 'the receipt reminder');
  expect(sent.remindedAt).toBeInstanceOf(Date);
  const afterFirst = await tradeState();
  expect(afterFirst.reminders[transactionId]).toBeDefined();
  const callsAfterFirst = afterFirst.reminderCalls;

  // Marked again (a second carrier update): nothing changes, nothing is sent.
  const twice = await runAdminCommand(server.container, ['received', orderId]);
  expect(twice.exitCode).toBe(0);
  await server.container.shipping.uploadShipping(id, 'test');
  expect((await tradeState()).reminderCalls).toBe(callsAfterFirst);

  // A worker died after WeChat took the reminder but before recording it: its claim lapses, the next attempt is
  // refused by WeChat (one reminder per transaction) and the reminder counts as sent. The shopper got one.
  await shippingUploadModel(server.container.db).updateOne(
    { _id: id },
    { $set: { reminderStatus: 'PENDING', remindedAt: null, reminderClaimedAt: new Date(Date.now() - 10 * 60_000) } },
  );
  const healed = await server.container.shipping.uploadShipping(id, 'test');
  expect(healed?.reminderStatus).toBe('SENT');
  expect(healed?.reminderError).toMatch(/earlier attempt reached WeChat/);
  const final = await tradeState();
  expect(Object.keys(final.reminders).filter((tx) => tx === transactionId)).toHaveLength(1);

  const shown = await runAdminCommand(server.container, ['show', orderId]);
  expect(shown.output).toMatch(/money: FROZEN/);
  expect(shown.output).toMatch(/parcel received .* receipt reminder SENT/);
}, 180_000);

test('set_msg_jump_path and is_trade_managed reach the platform', async () => {
  await server.container.platform.setMsgJumpPath('pages/orders/index');
  expect(((await simulatorControl(server.simulatorUrl, 'GET', '/sim/mini-program/trade')) as { jumpPath: string }).jumpPath).toBe('pages/orders/index');
  const { orderId } = await shippedOrder(server, 'dev-receipt-carol');
  const appid = (await orderDoc(server, orderId)).payment.rawTransaction!.appid as string;
  expect(await server.container.platform.isTradeManaged(appid)).toBe(true);
  await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/trade-managed', { managed: false });
  expect(await server.container.platform.isTradeManaged(appid)).toBe(false);
}, 180_000);
