import { aftersalesDetailSchema, aftersalesQueueResponseSchema, aftersalesViewSchema, orderChannelViewSchema, type AftersalesDetail, type AftersalesView, type OrderDetail } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { JOB_TEST_ENV, orderDoc } from '../../test/support/job-test-support';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { createStaff, loginAs, paidOrderOf, type ConsoleClient } from '../../test/support/console';
import { shopper, simulatorControl } from '../../test/support/shop';
import { devNotifyEnv } from '../../dev/subscribe-templates';
import { DEV_SUBSCRIBE_TEMPLATES } from '../../simulator/src/routes/subscribe-messages';
import { aftersalesModel } from './aftersales.model';
import { CLEAN_SVG, photograph } from '../../test/support/pictures';

let server: TestServer;
let owner: ConsoleClient;
let support: ConsoleClient;
let viewer: ConsoleClient;

beforeAll(async () => {
  server = await startTestServer({
    env: { ...JOB_TEST_ENV, ...devNotifyEnv(), NOTIFY_SWEEP_INTERVAL_SECONDS: '1', RECONCILE_INTERVAL_SECONDS: '3600', RECONCILE_GRACE_SECONDS: '3600', CONSOLE_SUPPORT_REFUND_LIMIT_FEN: '1000000', CONSOLE_LOGIN_PER_ADDRESS_PER_MINUTE: '0' },
  });
  owner = await loginAs(server, await createStaff(server, 'as-owner', 'owner'));
  support = await loginAs(server, await createStaff(server, 'as-support', 'support'));
  viewer = await loginAs(server, await createStaff(server, 'as-viewer', 'viewer'));
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

/** A shopper's order of `quantity` units, paid at the simulator and shipped by staff: what after-sales is for. */
async function deliveredOrder(code: string, quantity = 3) {
  const order = await paidOrderOf(server, code, quantity);
  const shipped = await owner.post<{ order: OrderDetail }>(`/orders/${order.id}/ship`, { trackingNo: 'SF1234567890', carrier: 'SF' });
  expect(shipped.body.order.status).toBe('DELIVERED');
  return { ...order, buyer: await shopper(server, code) };
}

type Buyer = Awaited<ReturnType<typeof deliveredOrder>>['buyer'];

async function open(buyer: Buyer, orderId: string, itemIndex = 0, kind = 'DAMAGED') {
  return buyer.api.post<AftersalesView & { code?: string }>('/api/aftersales', { orderId, itemIndex, kind, description: '收到时盒子压坏了，手办断了一只手', photos: [] });
}

const detail = async (id: string) => aftersalesDetailSchema.parse((await support.get<AftersalesDetail>(`/aftersales/${id}`)).body);

test('a damaged figure: opened, one request per line, a thread both ways, resolved by a partial refund that reaches WeChat Pay; audited', async () => {
  const { id: orderId, totalFen, buyer } = await deliveredOrder('as-refund');
  const opened = await open(buyer, orderId);
  expect(opened.status).toBe(201);
  const request = aftersalesViewSchema.parse(opened.body);
  expect(request).toMatchObject({ status: 'OPEN', kind: 'DAMAGED', itemIndex: 0, resolution: null });

  // The same line again, even at once from two taps: refused while the first is in progress.
  const again = await Promise.all([open(buyer, orderId), open(buyer, orderId)]);
  expect(again.map((answer) => [answer.status, answer.body.code])).toEqual([
    [409, 'AFTERSALES_ALREADY_OPEN'],
    [409, 'AFTERSALES_ALREADY_OPEN'],
  ]);

  // The queue shows it; staff ask, the shopper answers.
  const queue = aftersalesQueueResponseSchema.parse((await support.get('/aftersales')).body);
  expect(queue.items.find((row) => row.id === request.id)).toMatchObject({ orderId, status: 'OPEN', kind: 'DAMAGED' });
  const asked = await support.post<{ request: AftersalesDetail }>(`/aftersales/${request.id}/messages`, { text: '您好，请问是哪一款手办破损？' });
  expect(asked.status).toBe(200);
  expect(asked.body.request.status).toBe('AWAITING_SHOPPER');
  const answered = await buyer.api.post<AftersalesView>(`/api/aftersales/${request.id}/messages`, { text: '是隐藏款，右手断了' });
  expect(answered.body.status).toBe('AWAITING_STAFF');
  expect(answered.body.messages.map((message) => message.from)).toEqual(['STAFF', 'SHOPPER']);

  // A refund above the cap (the line's share of what was paid) is refused and changes nothing.
  const cap = (await detail(request.id)).order.refundCapFen;
  expect(cap).toBe(totalFen);
  const over = await support.post<{ code: string }>(`/aftersales/${request.id}/resolve`, { kind: 'REFUND', amountFen: cap + 1 });
  expect([over.status, over.body.code]).toEqual([409, 'AFTERSALES_REFUND_OVER_CAP']);
  expect((await orderDoc(server, orderId)).refunds).toEqual([]);

  const amountFen = Math.floor(totalFen / 3);
  const resolved = await support.post<{ request: AftersalesDetail }>(`/aftersales/${request.id}/resolve`, { kind: 'REFUND', amountFen, note: '补偿一只' });
  expect(resolved.status).toBe(200);
  expect(resolved.body.request).toMatchObject({ status: 'RESOLVED', resolution: { kind: 'REFUND', amountFen } });

  // The refund reached the simulator (asked live through the channel) and the order shows it, still delivered.
  await waitUntil(async () => ((await orderDoc(server, orderId)).refunds[0]?.status === 'SUCCESS' ? true : null), 30_000, 'the refund confirmed');
  const live = orderChannelViewSchema.parse((await owner.get(`/orders/${orderId}/channel`)).body);
  expect(live.refunds).toEqual([expect.objectContaining({ status: 'SUCCESS' })]);
  const order = (await owner.get<OrderDetail>(`/orders/${orderId}`)).body;
  expect(order).toMatchObject({ status: 'DELIVERED', refundedFen: amountFen });
  expect(order.refunds).toEqual([expect.objectContaining({ amountFen, reason: '售后商品破损：补偿一只', actor: 'staff:as-support', status: 'SUCCESS' })]);
  expect((await buyer.api.get<AftersalesView>(`/api/aftersales/${request.id}`)).body.resolution).toMatchObject({ kind: 'REFUND', amountFen, refundStatus: 'SUCCESS' });

  // Every staff step is in the audit under the request; the thread is closed, the line takes a new request.
  expect((await detail(request.id)).audit.map((entry) => `${entry.actor} ${entry.command}`).sort()).toEqual(['staff:as-support aftersales reply', 'staff:as-support aftersales resolve']);
  const late = await buyer.api.post<{ code: string }>(`/api/aftersales/${request.id}/messages`, { text: '谢谢' });
  expect(late.body.code).toBe('AFTERSALES_CLOSED');
  expect((await open(buyer, orderId, 0, 'MISSING_ITEM')).status).toBe(201);
}, 120_000);

test('a double click on resolve refunds once', async () => {
  const { id: orderId, totalFen, buyer } = await deliveredOrder('as-double', 2);
  const request = (await open(buyer, orderId)).body;
  const amountFen = Math.floor(totalFen / 4);
  const clicks = await Promise.all([0, 1, 2].map(() => owner.post<{ code?: string }>(`/aftersales/${request.id}/resolve`, { kind: 'REFUND', amountFen })));
  expect(clicks.some((click) => click.status === 200)).toBe(true);
  expect(clicks.filter((click) => click.status !== 200).every((click) => click.body.code === 'AFTERSALES_ALREADY_RESOLVED')).toBe(true);
  const later = await owner.post<{ code: string }>(`/aftersales/${request.id}/resolve`, { kind: 'REFUND', amountFen });
  expect([later.status, later.body.code]).toEqual([409, 'AFTERSALES_ALREADY_RESOLVED']);
  const order = await orderDoc(server, orderId);
  expect(order.refunds.map((refund) => refund.amountFen)).toEqual([amountFen]);
  expect(order.refundReservedFen).toBe(amountFen);
}, 90_000);

test('a refund interrupted after the decision is finished by the next resolve, still once', async () => {
  const { id: orderId, totalFen, buyer } = await deliveredOrder('as-heal', 1);
  const request = (await open(buyer, orderId)).body;
  // As if the server stopped right after the decision was written: RESOLVING, no refund on the order yet.
  await aftersalesModel(server.container.db).updateOne(
    { _id: request.id },
    { $set: { status: 'RESOLVING', resolution: { kind: 'REFUND', actor: 'staff:as-owner', at: new Date(), amountFen: 100, outRefundNo: null, note: '' } } },
  );
  const resumed = await support.post<{ request: AftersalesDetail }>(`/aftersales/${request.id}/resolve`, { kind: 'REFUSE', reason: '不是这个决定' });
  expect(resumed.body.request).toMatchObject({ status: 'RESOLVED', resolution: { kind: 'REFUND', amountFen: 100 } });
  expect((await orderDoc(server, orderId)).refunds.map((refund) => refund.amountFen)).toEqual([100]);
  expect(totalFen).toBeGreaterThan(100);
}, 90_000);

test('refused with a reason, and a reshipment tracked by carrier and number', async () => {
  const { id: orderId, buyer } = await deliveredOrder('as-refuse-reship', 2);
  const refused = (await open(buyer, orderId, 0, 'WRONG_ITEM')).body;
  const noReason = await support.post<{ code: string }>(`/aftersales/${refused.id}/resolve`, { kind: 'REFUSE', reason: '' });
  expect([noReason.status, noReason.body.code]).toEqual([400, 'VALIDATION_ERROR']);
  expect((await support.post(`/aftersales/${refused.id}/resolve`, { kind: 'REFUSE', reason: '盲盒款式随机，收到的款式无误' })).status).toBe(200);
  const seen = (await buyer.api.get<AftersalesView>(`/api/aftersales/${refused.id}`)).body;
  expect(seen).toMatchObject({ status: 'RESOLVED', resolution: { kind: 'REFUSE', reason: '盲盒款式随机，收到的款式无误' } });

  const reship = (await open(buyer, orderId, 0, 'NOT_RECEIVED')).body;
  const badCarrier = await support.post<{ code: string }>(`/aftersales/${reship.id}/resolve`, { kind: 'RESHIP', carrier: 'NOPE', trackingNo: 'SF99887766' });
  expect(badCarrier.body.code).toBe('UNKNOWN_CARRIER');
  const badNumber = await support.post<{ code: string }>(`/aftersales/${reship.id}/resolve`, { kind: 'RESHIP', carrier: 'SF', trackingNo: '<b>' });
  expect(badNumber.body.code).toBe('VALIDATION_ERROR');
  const shipped = await support.post<{ request: AftersalesDetail }>(`/aftersales/${reship.id}/resolve`, { kind: 'RESHIP', carrier: 'ZTO', trackingNo: 'ZT1234567890', note: '补发一盒' });
  expect(shipped.body.request).toMatchObject({ status: 'RESOLVED', resolution: { kind: 'RESHIP', carrier: 'ZTO', carrierName: '中通快递', trackingNo: 'ZT1234567890' } });
  expect((await buyer.api.get<{ items: AftersalesView[] }>(`/api/aftersales?orderId=${orderId}`)).body.items.map((item) => item.resolution?.kind)).toEqual(['RESHIP', 'REFUSE']);
  // Neither gave money back.
  expect((await orderDoc(server, orderId)).refunds).toEqual([]);
}, 90_000);

test('who may: a viewer reads but cannot reply or resolve (403, nothing changes); a shopper sees only their own; only shipped orders take requests', async () => {
  const { id: orderId, buyer } = await deliveredOrder('as-perms', 1);
  const request = (await open(buyer, orderId)).body;
  expect((await viewer.get(`/aftersales/${request.id}`)).status).toBe(200);
  const reply = await viewer.post<{ code: string }>(`/aftersales/${request.id}/messages`, { text: '你好' });
  const resolve = await viewer.post<{ code: string }>(`/aftersales/${request.id}/resolve`, { kind: 'REFUND', amountFen: 1 });
  expect([reply.status, reply.body.code, resolve.status, resolve.body.code]).toEqual([403, 'FORBIDDEN', 403, 'FORBIDDEN']);
  const after = await detail(request.id);
  expect(after).toMatchObject({ status: 'OPEN', messages: [], resolution: null, audit: [] });
  expect((await orderDoc(server, orderId)).refunds).toEqual([]);

  const stranger = await shopper(server, 'as-stranger');
  expect((await stranger.api.get<{ code: string }>(`/api/aftersales/${request.id}`)).status).toBe(404);
  expect((await stranger.api.post<{ code: string }>(`/api/aftersales/${request.id}/messages`, { text: '我也要' })).status).toBe(404);
  expect((await open(stranger, orderId)).status).toBe(404);

  const unshipped = await paidOrderOf(server, 'as-unshipped', 1);
  const early = await open(await shopper(server, 'as-unshipped'), unshipped.id);
  expect([early.status, early.body.code]).toEqual([409, 'AFTERSALES_NOT_ALLOWED']);
  const noLine = await open(buyer, orderId, 5);
  expect(noLine.status).toBe(404);
}, 90_000);

test('the shopper hears of a reply and of the decision through the subscribe message they granted', async () => {
  const { id: orderId, totalFen, buyer } = await deliveredOrder('as-notice', 1);
  const openid = (await orderDoc(server, orderId)).openid;
  const template = DEV_SUBSCRIBE_TEMPLATES.serviceUpdate.id;
  // Two taps on 允许 (as the request page asks when it is opened and again when the shopper replies).
  await simulatorControl(server.simulatorUrl, 'POST', '/sim/subscribe-messages/grants', { openid, templateIds: [template, template] });
  expect((await buyer.api.post('/api/notifications/grants', { answers: { [template]: 'accept' } })).status).toBe(201);
  expect((await buyer.api.post('/api/notifications/grants', { answers: { [template]: 'accept' } })).status).toBe(201);
  const request = (await open(buyer, orderId)).body;
  await support.post(`/aftersales/${request.id}/messages`, { text: '请补充一张破损处的照片' });
  await support.post(`/aftersales/${request.id}/resolve`, { kind: 'REFUND', amountFen: Math.min(100, totalFen) });
  type Send = { touser: string; templateId: string; page: string | null; data: Record<string, { value: string }> };
  const sent = await waitUntil(
    async () => {
      const { sends } = (await simulatorControl(server.simulatorUrl, 'GET', '/sim/subscribe-messages')) as { sends: Send[] };
      const mine = sends.filter((send) => send.touser === openid && send.templateId === template);
      return mine.length >= 2 ? mine : null;
    },
    30_000,
    'two service-update messages',
  );
  // The dev template's status is its phrase2 field (DEFAULT_FIELDS).
  expect(sent.map((send) => send.data.phrase2?.value)).toEqual(['客服已回复', '同意退款']);
  expect(sent[0]!.page).toContain(orderId);
}, 90_000);

/** What the mini-program's Taro.uploadFile does in the end: the photo's bytes, with the shopper's session. */
async function uploadPhoto(token: string, bytes: Buffer | string): Promise<{ status: number; body: { url?: string; code?: string } }> {
  const response = await fetch(`${server.url}/api/aftersales/photos`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' }, body: bytes });
  return { status: response.status, body: (await response.json()) as { url?: string; code?: string } };
}

test('photos: stored through the picture handling without their metadata, named only by the shopper who uploaded them', async () => {
  const { id: orderId, buyer } = await deliveredOrder('as-photos', 1);
  const uploaded = await uploadPhoto(buyer.token, await photograph('jpeg'));
  expect(uploaded.status).toBe(201);
  expect(uploaded.body.url).toMatch(/^\/images\/[0-9a-f]{24}\.jpg$/);
  const served = Buffer.from(await (await fetch(`${server.url}${uploaded.body.url}`)).arrayBuffer());
  expect(served.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  expect(served.includes('secret-owner')).toBe(false);
  // Markup is no photograph; no session, no upload.
  expect((await uploadPhoto(buyer.token, CLEAN_SVG)).body.code).toBe('PICTURE_REFUSED');
  expect((await uploadPhoto('not-a-token', await photograph('png'))).status).toBe(401);

  const stranger = await shopper(server, 'as-photo-stranger');
  const borrowed = await stranger.api.post<{ code: string }>(`/api/aftersales/${'0'.repeat(24)}/messages`, { text: '看我的照片', photos: [uploaded.body.url] });
  expect(borrowed.status).toBe(404);
  const theirs = await paidOrderOf(server, 'as-photo-stranger', 1);
  expect((await owner.post(`/orders/${theirs.id}/ship`, { trackingNo: 'SF1234567890', carrier: 'SF' })).status).toBe(200);
  const stolen = await stranger.api.post<{ code: string }>('/api/aftersales', { orderId: theirs.id, itemIndex: 0, kind: 'DAMAGED', description: '用别人的照片申请售后', photos: [uploaded.body.url] });
  expect([stolen.status, stolen.body.code]).toEqual([400, 'AFTERSALES_PHOTO_UNKNOWN']);

  const opened = await buyer.api.post<AftersalesView>('/api/aftersales', { orderId, itemIndex: 0, kind: 'DAMAGED', description: '照片里是破损的位置', photos: [uploaded.body.url] });
  expect(opened.status).toBe(201);
  expect(opened.body.photos).toEqual([uploaded.body.url]);
  expect((await detail(opened.body.id)).photos).toEqual([uploaded.body.url]);
  const four = await buyer.api.post<{ code: string }>(`/api/aftersales/${opened.body.id}/messages`, { text: '再补充几张', photos: Array(4).fill(uploaded.body.url) });
  expect(four.body.code).toBe('VALIDATION_ERROR');
}, 90_000);
