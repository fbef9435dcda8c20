import { CONSOLE_SESSION_COOKIE, type ComplaintDetail, type DashboardResponse } from '@blindbox/shared';
import { encryptWithApiV3Key } from '../../simulator/src/aead';
import { createStaff, loginAs, paidOrderOf, type ConsoleClient } from '../../test/support/console';
import { simulatorControl } from '../../test/support/shop';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { wechatCallbacks } from '../../test/support/wechat-callbacks';
import { freshRsaKey, waitUntil } from '../../test/support/wechatpay-harness';
import { adminAuditEntryModel } from '../admin/admin-audit';
import { runAdminCommand } from '../admin/run-admin-command';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { WECHATPAY_COMPLAINT_NOTIFY_PATH } from '../payments/callback-paths';
import { REPLY_WITHIN_MS } from './complaint-deadline';
import { complaintModel } from './complaint.model';

jest.setTimeout(120_000);

let server: TestServer;
let staff: ConsoleClient;

beforeAll(async () => {
  server = await startTestServer();
  staff = await loginAs(server, await createStaff(server, 'kefu', 'support'));
});
afterAll(async () => {
  await server?.stop();
});

interface SimComplaint {
  complaint_state: string;
  history: { operate_type: string; operate_details: string }[];
}

const sim = <T>(method: string, path: string, body?: unknown) => simulatorControl(server.simulatorUrl, method, path, body) as Promise<T>;

/** A complaint raised by the simulator about a paid order of this shop; its id. */
async function raiseComplaint(code: string, extra: Record<string, unknown> = {}): Promise<{ complaintId: string; orderId: string; totalFen: number; notified: boolean }> {
  const order = await paidOrderOf(server, code, 2);
  const outTradeNo = (await orderModel(server.container.db).findById(order.id).lean<OrderDoc>())!.payment.outTradeNo!;
  const raised = await sim<{ complaintId: string; notified: boolean }>('POST', '/sim/complaints', { outTradeNo, images: 2, ...extra });
  return { ...raised, orderId: order.id, totalFen: order.totalFen };
}

async function storedDetail(complaintId: string, ready: (detail: ComplaintDetail) => boolean = () => true): Promise<ComplaintDetail> {
  let last: unknown = null;
  return waitUntil(
    async () => {
      const answer = await staff.get<ComplaintDetail>(`/complaints/${complaintId}`);
      last = answer.body;
      return answer.status === 200 && ready(answer.body) ? answer.body : null;
    },
    30_000,
    `complaint ${complaintId}`,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last answer ${JSON.stringify(last)}`);
  });
}

const auditOf = (target: string) => adminAuditEntryModel(server.container.db).find({ target }).sort({ at: 1 }).lean();

test('a complaint missed by the notifications (none registered yet) is found by the sync', async () => {
  const { complaintId, notified } = await raiseComplaint('complaint-missed');
  expect(notified).toBe(false);
  expect(await complaintModel(server.container.db).findById(complaintId).lean()).toBeNull();
  const synced = await staff.post<{ complaints: number }>('/complaints/sync');
  expect(synced.status).toBe(200);
  expect(synced.body.complaints).toBe(1);
  expect((await storedDetail(complaintId)).history).toHaveLength(1);
  expect((await auditOf('wechatpay:complaints')).map((entry) => entry.command)).toEqual(['complaints sync']);
});

test('the notification URL is registered once through the complaint-notifications API', async () => {
  const register = await runAdminCommand(server.container, ['complaints', 'register-url', '--as', 'ops']);
  expect(register.exitCode).toBe(0);
  expect(register.output).toContain(`created: ${server.url}${WECHATPAY_COMPLAINT_NOTIFY_PATH}`);
  const again = await runAdminCommand(server.container, ['complaints', 'register-url', '--as', 'ops']);
  expect(again.output).toContain('unchanged');
  const check = await runAdminCommand(server.container, ['complaints', 'url']);
  expect(check.exitCode).toBe(0);
  expect(await auditOf('wechatpay:complaint-notifications')).toHaveLength(1);
});

test('a complaint is notified, read with its history and pictures, answered, refunded and completed through the real API', async () => {
  const { complaintId, orderId, totalFen, notified } = await raiseComplaint('complaint-happy', { applyRefundAmount: 500 });
  expect(notified).toBe(true);

  // The simulator's signed, encrypted notification brought it in: detail, history, pictures, deadline (read whole
  // after the notification was taken: wait for the detail, not only the complaint's first record).
  const detail = await storedDetail(complaintId, (stored) => stored.amountFen !== null && stored.history.length > 0);
  expect(detail).toMatchObject({ state: 'PENDING', orderId, amountFen: totalFen, applyRefundFen: 500, payerPhone: '13812345678' });
  expect(detail.history.map((entry) => entry.operateType)).toEqual(['USER_CREATE_COMPLAINT']);
  expect(detail.history[0]!.imageUrls).toHaveLength(2);
  expect(detail.imageUrls).toHaveLength(2);
  expect(new Date(detail.replyDueAt!).getTime() - new Date(detail.complaintTime).getTime()).toBe(REPLY_WITHIN_MS);

  // The shopper's picture, downloaded through the signed media API and served to staff only.
  const picture = await fetch(`${server.url}${detail.imageUrls[0]}`, { headers: { cookie: `${CONSOLE_SESSION_COOKIE}=${staff.cookie}` } });
  expect(picture.headers.get('content-type')).toBe('image/png');
  expect(Buffer.from(await picture.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
  expect((await fetch(`${server.url}${detail.imageUrls[0]}`)).status).toBe(401);

  const list = await staff.get<{ items: { id: string }[] }>('/complaints?state=PENDING');
  expect(list.body.items.map((item) => item.id)).toContain(complaintId);

  // WeChat wants an answer before "handled": its refusal is shown, nothing changes.
  const early = await staff.post<{ code: string }>(`/complaints/${complaintId}/complete`);
  expect(early.status).toBe(422);
  expect(early.body.code).toBe('WECHATPAY_REFUSED');

  const replied = await staff.post<ComplaintDetail>(`/complaints/${complaintId}/reply`, { content: '非常抱歉给您带来不便，已为您安排退款。' });
  expect(replied.status).toBe(200);
  expect(replied.body.state).toBe('PROCESSING');
  expect(replied.body.replyDueAt).toBeNull();
  expect(replied.body.history.at(-1)).toMatchObject({ operateType: 'MERCHANT_RESPONSE', details: '非常抱歉给您带来不便，已为您安排退款。' });

  // More than the order holds is refused by the refund service; nothing refunded.
  const tooMuch = await staff.post<{ code: string }>(`/complaints/${complaintId}/refund`, { amountFen: totalFen + 1, reason: '投诉退款' });
  expect(tooMuch.body.code).toBe('REFUND_EXCEEDS_REFUNDABLE');
  expect((await orderModel(server.container.db).findById(orderId).lean<OrderDoc>())!.refunds).toHaveLength(0);

  // A refund from the complaint already on its way: a second one is refused until it is done.
  await complaintModel(server.container.db).updateOne({ _id: complaintId }, { $set: { refundingSince: new Date() } });
  const busy = await staff.post<{ code: string }>(`/complaints/${complaintId}/refund`, { amountFen: 500, reason: '投诉退款' });
  expect(busy.body.code).toBe('COMPLAINT_BUSY');
  await complaintModel(server.container.db).updateOne({ _id: complaintId }, { $set: { refundingSince: null } });

  const refunded = await staff.post<ComplaintDetail>(`/complaints/${complaintId}/refund`, { amountFen: 500, reason: '投诉退款：手办破损' });
  expect(refunded.status).toBe(200);
  expect(refunded.body.refunds).toEqual([expect.objectContaining({ amountFen: 500, by: 'staff:kefu' })]);
  expect(refunded.body.history.map((entry) => entry.operateType)).toContain('MERCHANT_APPROVE_REFUND');
  const order = (await orderModel(server.container.db).findById(orderId).lean<OrderDoc>())!;
  expect(order.refunds).toEqual([expect.objectContaining({ amountFen: 500, outRefundNo: refunded.body.refunds[0]!.outRefundNo })]);

  const completed = await staff.post<ComplaintDetail>(`/complaints/${complaintId}/complete`);
  expect(completed.status).toBe(200);
  expect(completed.body).toMatchObject({ state: 'PROCESSED', allowed: { reply: false, refund: false, complete: false } });
  const atWechat = await sim<SimComplaint>('GET', `/sim/complaints/${complaintId}`);
  expect(atWechat.complaint_state).toBe('PROCESSED');
  expect(atWechat.history.map((entry) => entry.operate_type)).toEqual(expect.arrayContaining(['MERCHANT_RESPONSE', 'MERCHANT_APPROVE_REFUND', 'MERCHANT_CONFIRM_COMPLETE']));

  const closed = await staff.post<{ code: string }>(`/complaints/${complaintId}/reply`, { content: '还有问题吗？' });
  expect(closed.status).toBe(409);
  expect(closed.body.code).toBe('COMPLAINT_CLOSED');

  const commands = (await auditOf(`complaint:${complaintId}`)).map((entry) => entry.command);
  expect(commands).toEqual(['complaint notified', 'complaint reply', 'complaint refund', 'complaint complete']);
  expect((await auditOf(`order:${orderId}`)).map((entry) => entry.command)).toContain('refund');
});

test('a shopper message reopens the deadline, and a complaint due within hours is on the dashboard', async () => {
  const twentyHoursAgo = new Date(Date.now() - 20 * 3_600_000).toISOString();
  const { complaintId } = await raiseComplaint('complaint-due', { complaintTime: twentyHoursAgo, problemType: 'OTHERS' });
  await storedDetail(complaintId);
  const dashboard = await staff.get<DashboardResponse>('/dashboard');
  expect(dashboard.body.complaintsDue).toEqual(expect.arrayContaining([expect.objectContaining({ id: complaintId, overdue: false })]));

  await staff.post(`/complaints/${complaintId}/reply`, { content: '您好，请提供一下破损照片。' });
  const answered = await staff.get<DashboardResponse>('/dashboard');
  expect(answered.body.complaintsDue.map((due) => due.id)).not.toContain(complaintId);

  await sim('POST', `/sim/complaints/${complaintId}/messages`, { content: '照片已上传', images: 1 });
  const reopened = await storedDetail(complaintId, (detail) => detail.history.at(-1)?.operateType === 'USER_RESPONSE');
  expect(reopened.replyDueAt).not.toBeNull();
  expect(reopened.incomingUserResponse).toBe(true);
  expect(reopened.history.at(-1)!.imageUrls).toHaveLength(1);
});

test('a forged complaint notification is refused and a resent genuine one changes nothing', async () => {
  const { complaintId } = await raiseComplaint('complaint-forged');
  await storedDetail(complaintId);
  const callbacks = await wechatCallbacks();
  const envelope = {
    id: `EV-complaint-${complaintId}`,
    create_time: new Date().toISOString(),
    resource_type: 'encrypt-resource',
    event_type: 'COMPLAINT.STATE_CHANGE',
    summary: '投诉单状态变化',
    resource: { original_type: 'complaint', ...encryptWithApiV3Key(callbacks.credentials.apiV3Key, JSON.stringify({ complaint_id: complaintId, action_type: 'USER_RESPONSE' }), 'complaint') },
  };
  const post = async (delivery: { raw: string; headers: Record<string, string> }) => {
    const response = await fetch(`${server.url}${WECHATPAY_COMPLAINT_NOTIFY_PATH}`, { method: 'POST', headers: delivery.headers, body: delivery.raw });
    await response.arrayBuffer();
    return response.status;
  };
  const before = await complaintModel(server.container.db).findById(complaintId).lean();

  // Signed by someone else's key, unsigned, or altered after signing: refused, nothing read or written.
  const forged = callbacks.signed(envelope, { serial: callbacks.platformSigner.serial, key: freshRsaKey() });
  expect(await post(forged)).toBe(401);
  expect(await post({ raw: JSON.stringify(envelope), headers: { 'content-type': 'application/json' } })).toBe(401);
  const genuine = callbacks.signed(envelope);
  expect(await post({ ...genuine, raw: genuine.raw.replace('STATE_CHANGE', 'CREATE') })).toBe(401);
  const after = await complaintModel(server.container.db).findById(complaintId).lean();
  expect(after!.eventIds).toEqual(before!.eventIds);
  expect(after!.syncedAt).toEqual(before!.syncedAt);

  // The genuine one, three times: taken in once, audited once.
  for (let n = 0; n < 3; n += 1) expect(await post(callbacks.signed(envelope))).toBe(204);
  const stored = await complaintModel(server.container.db).findById(complaintId).lean();
  expect(stored!.eventIds.filter((id) => id === envelope.id)).toHaveLength(1);
  const notified = (await auditOf(`complaint:${complaintId}`)).filter((entry) => (entry.after as { eventId?: string }).eventId === envelope.id);
  expect(notified).toHaveLength(1);
});

