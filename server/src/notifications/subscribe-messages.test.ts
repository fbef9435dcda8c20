import { Types } from 'mongoose';
import type { NotificationSettings } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { payAtSimulator, prepayIdOf, shopper, simulatorControl } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { JOB_TEST_ENV, orderDoc } from '../../test/support/job-test-support';
import { setStock } from '../../test/support/stock';
import { devNotifyEnv } from '../../dev/subscribe-templates';
import { DEV_SUBSCRIBE_TEMPLATES } from '../../simulator/src/routes/subscribe-messages';
import { runAdminCommand } from '../admin/run-admin-command';
import { boxModel } from '../catalog/box.model';
import { subscribeGrantModel } from './subscribe-grant.model';
import { notificationsDatabase } from '../db/databases';
import { orderDetailSchema } from '@blindbox/shared';
import { createStaff, loginAs } from '../../test/support/console';

interface SendRecord {
  at: number;
  touser: string;
  templateId: string;
  page: string | null;
  data: Record<string, { value: string }>;
  miniprogramState: string | null;
  errcode: number;
}

const SENDS_PER_SECOND = 10;
const DROP = DEV_SUBSCRIBE_TEMPLATES.dropOpening;
const SHIPPED = DEV_SUBSCRIBE_TEMPLATES.orderShipped;
const REFUND = DEV_SUBSCRIBE_TEMPLATES.refundSucceeded;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { ...JOB_TEST_ENV, ...devNotifyEnv(), NOTIFY_SWEEP_INTERVAL_SECONDS: '1', NOTIFY_SENDS_PER_SECOND: String(SENDS_PER_SECOND) } });
});
afterEach(() => server.clock.reset());
afterAll(async () => {
  await server.stop();
});

const sim = (method: string, path: string, body?: unknown) => simulatorControl(server.simulatorUrl, method, path, body);
const sends = async () => ((await sim('GET', '/sim/subscribe-messages')) as { sends: SendRecord[] }).sends;
const admin = (...argv: string[]) => runAdminCommand(server.container, argv, { osUser: 'notify-test' });
const Grant = () => subscribeGrantModel(notificationsDatabase(server.container.db));

/** The session token carries the shopper's openid (what WeChat addresses messages to). */
const openidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { openid: string }).openid;

/**
 * What the mini-program does when the shopper taps 允许: WeChat counts the grant (here: the simulator's control)
 * and the page reports WeChat's answer to the server.
 */
async function subscribe(code: string, templateIds: string[], boxId?: string, answer: 'accept' | 'reject' = 'accept') {
  const buyer = await shopper(server, code);
  const openid = openidOf(buyer.token);
  if (answer === 'accept') await sim('POST', '/sim/subscribe-messages/grants', { openid, templateIds });
  const recorded = await buyer.api.post<{ granted: string[]; dropReminder: boolean; code?: string }>('/api/notifications/grants', {
    answers: Object.fromEntries(templateIds.map((id) => [id, answer])),
    ...(boxId ? { boxId } : {}),
  });
  return { buyer, openid, recorded };
}

async function scheduledBox(name: string, opensAt: Date): Promise<{ id: string; slug: string }> {
  const slug = `notify-${new Types.ObjectId().toHexString()}`;
  const [box] = await boxModel(server.container.db).create([
    { slug, name, coverUrl: '/c.png', priceFen: 5900, products: [{ productId: 'only', name: 'Only', rarity: 'SECRET', imageUrl: '/i.png', weight: 1 }] },
  ]);
  await setStock(server, box!._id.toHexString(), 20);
  expect((await admin('drop', slug, '--at', opensAt.toISOString())).exitCode).toBe(0);
  return { id: box!._id.toHexString(), slug };
}

async function paidOrder(code: string) {
  const { buyer, openid } = await subscribe(code, [SHIPPED.id, REFUND.id]);
  const order = await buyer.placeOrder();
  await payAtSimulator(server.simulatorUrl, prepayIdOf((await buyer.payJsapi(order.id)).package));
  await waitUntil(async () => ((await orderDoc(server, order.id)).status === 'TO_BE_DELIVERED' ? true : null), 20_000, 'the payment callback');
  return { buyer, openid, order };
}

test('the server records what the shopper answered, one drop reminder per shopper and drop, and refuses what it cannot send', async () => {
  const opensAt = new Date(Date.now() + 3_600_000);
  const box = await scheduledBox('记录盒', opensAt);
  const { buyer, openid, recorded } = await subscribe('dev-notify-record', [DROP.id], box.id);
  expect(recorded).toMatchObject({ status: 201, body: { granted: ['drop-opening'], dropReminder: true } });
  const settings = await buyer.api.get<NotificationSettings>(`/api/notifications?boxId=${box.id}`);
  expect(settings.body).toEqual({ templates: { dropOpening: DROP.id, orderShipped: SHIPPED.id, refundSucceeded: REFUND.id, serviceUpdate: DEV_SUBSCRIBE_TEMPLATES.serviceUpdate.id }, dropReminder: true });

  // A second tap is the same reminder; a refusal is kept for the figures and spends nothing.
  expect((await buyer.api.post('/api/notifications/grants', { answers: { [DROP.id]: 'accept' }, boxId: box.id })).status).toBe(201);
  expect((await buyer.api.post('/api/notifications/grants', { answers: { [SHIPPED.id]: 'reject' } })).body).toMatchObject({ granted: [] });
  const grants = await Grant().find({ openid }).lean();
  expect(grants.map((grant) => `${grant.kind} ${grant.state}`).sort()).toEqual(['drop-opening open', 'order-shipped declined']);
  expect(grants.find((grant) => grant.kind === 'drop-opening')?.opensAt?.toISOString()).toBe(opensAt.toISOString());

  const unknown = await buyer.api.post<{ code: string }>('/api/notifications/grants', { answers: { NotOurTemplate_000000000000000: 'accept' } });
  expect(unknown).toMatchObject({ status: 400, body: { code: 'UNKNOWN_TEMPLATE' } });
  const noBox = await buyer.api.post<{ code: string }>('/api/notifications/grants', { answers: { [DROP.id]: 'accept' } });
  expect(noBox).toMatchObject({ status: 409, body: { code: 'NO_DROP_TO_REMIND' } });
  const onSale = (await boxModel(server.container.db).findOne({ onSaleAt: null }).lean())!;
  const opened = await buyer.api.post<{ code: string }>('/api/notifications/grants', { answers: { [DROP.id]: 'accept' }, boxId: onSale._id.toHexString() });
  expect(opened).toMatchObject({ status: 409, body: { code: 'NO_DROP_TO_REMIND' } });
  expect(await Grant().countDocuments({ openid })).toBe(2);

  // A client reporting 'accept' in a loop (the server cannot verify it) banks at most 20 per kind.
  for (let n = 0; n < 22; n++) await buyer.api.post('/api/notifications/grants', { answers: { [SHIPPED.id]: 'accept' } });
  expect(await Grant().countDocuments({ openid, kind: 'order-shipped', state: 'open' })).toBe(20);
});

test('a drop reminder reaches every subscriber exactly once, at the opening, paced; a shopper who unsubscribed is not retried', async () => {
  const opensAt = new Date(Math.ceil((Date.now() + 7_200_000) / 1000) * 1000);
  const box = await scheduledBox('星河漫游限定款', opensAt);
  const subscribers: string[] = [];
  for (let n = 0; n < 6; n++) subscribers.push((await subscribe(`dev-notify-drop-${n}`, [DROP.id], box.id)).openid);
  // One taps twice (WeChat counts two grants): still one reminder.
  await subscribe('dev-notify-drop-0', [DROP.id], box.id);
  // One turned the messages off in WeChat after subscribing: WeChat answers 43101.
  const gone = await subscribe('dev-notify-drop-gone', [DROP.id], box.id);
  await sim('POST', '/sim/subscribe-messages/unsubscribe', { openid: gone.openid, templateId: DROP.id });
  const ours = async () => (await sends()).filter((send) => send.page === `pages/box/index?id=${box.id}`);

  // Before the opening the sender runs and sends nothing (the job runs every second; run it here too).
  server.clock.setTo(new Date(opensAt.getTime() - 60_000));
  await server.container.notifications.sweep();
  expect(await ours()).toHaveLength(0);
  expect(await Grant().countDocuments({ boxId: new Types.ObjectId(box.id), state: 'open' })).toBe(7);

  // WeChat's frequency limit, as the simulator keeps it: a burst beyond the pace would be answered 45011.
  await sim('POST', '/sim/subscribe-messages/limits', { perSecond: SENDS_PER_SECOND });
  const movedAt = Date.now();
  server.clock.setTo(opensAt);
  await waitUntil(async () => ((await Grant().countDocuments({ boxId: new Types.ObjectId(box.id), state: { $in: ['open', 'queued', 'sending'] } })) === 0 ? true : null), 30_000, 'every reminder to be sent');
  const delivered = (await ours()).filter((send) => send.errcode === 0);
  expect(delivered.map((send) => send.touser).sort()).toEqual([...subscribers].sort());
  expect(delivered[0]).toMatchObject({
    templateId: DROP.id,
    miniprogramState: 'developer',
    data: { thing1: { value: '星河漫游限定款' }, time2: { value: expect.stringMatching(/^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$/) }, thing3: { value: '已开售，数量有限，先到先得' } },
  });
  // Paced: the simulator's arrival times, one request at a time, at least 1/NOTIFY_SENDS_PER_SECOND apart.
  const all = await ours();
  expect(all[0]!.at).toBeGreaterThanOrEqual(movedAt);
  for (let i = 1; i < all.length; i++) expect(all[i]!.at - all[i - 1]!.at).toBeGreaterThanOrEqual(1000 / SENDS_PER_SECOND - 1);
  expect(all.filter((send) => send.errcode === 45011)).toHaveLength(0);
  await sim('POST', '/sim/subscribe-messages/limits', { perSecond: 0 });
  // The unsubscribed shopper: one attempt, refused, never again.
  expect(all.filter((send) => send.touser === gone.openid).map((send) => send.errcode)).toEqual([43101]);
  expect(await Grant().findOne({ openid: gone.openid, boxId: box.id }).lean()).toMatchObject({ state: 'refused', lastErrcode: 43101, attempts: 1 });

  // Later sweeps send nothing more.
  await server.container.notifications.sweep();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(await ours()).toHaveLength(all.length);
});

test('a drop moved later reminds at its new opening, not the old one', async () => {
  const first = new Date(Date.now() + 3_600_000);
  const box = await scheduledBox('改期盒', first);
  const { openid } = await subscribe('dev-notify-moved', [DROP.id], box.id);
  const later = new Date(first.getTime() + 3_600_000);
  expect((await admin('drop', box.slug, '--at', later.toISOString())).exitCode).toBe(0);
  // The rescheduled drop has a new key; the shopper's reminder moved with it, so tapping again adds none.
  const again = await subscribe('dev-notify-moved', [DROP.id], box.id);
  expect(again.recorded.body).toMatchObject({ granted: ['drop-opening'], dropReminder: true });
  expect(await Grant().countDocuments({ openid, boxId: new Types.ObjectId(box.id) })).toBe(1);
  server.clock.setTo(first);
  await server.container.notifications.sweep();
  expect((await sends()).filter((send) => send.touser === openid)).toHaveLength(0);
  server.clock.setTo(later);
  await waitUntil(async () => ((await sends()).some((send) => send.touser === openid && send.errcode === 0) ? true : null), 20_000, 'the reminder at the new opening');
  await server.container.notifications.sweep();
  expect((await sends()).filter((send) => send.touser === openid)).toHaveLength(1);
});

test('a failed send is retried with backoff; the shipping notice goes once, however often the order is shipped', async () => {
  const { openid, order } = await paidOrder('dev-notify-ship');
  await sim('POST', '/sim/subscribe-messages/faults', { failNext: 2, errcode: -1 });
  expect((await admin('ship', order.id, '--note', 'SF1234567890')).exitCode).toBe(0);
  const grant = await waitUntil(async () => {
    const spent = await Grant().findOne({ ref: `order-shipped:${order.id}` }).lean();
    return spent?.state === 'sent' ? spent : null;
  }, 30_000, 'the shipping notice');
  expect(grant).toMatchObject({ openid, templateId: SHIPPED.id, attempts: 3, lastErrcode: null });
  const attempts = (await sends()).filter((send) => send.touser === openid && send.templateId === SHIPPED.id);
  expect(attempts.map((send) => send.errcode)).toEqual([-1, -1, 0]);
  // Backoff: each retry waited (JOB_RETRY_BASE_MS 100, doubling).
  expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(100);
  expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(200);
  expect(attempts[2]).toMatchObject({
    page: `order/detail/index?orderId=${order.id}`,
    data: { character_string1: { value: order.id }, thing3: { value: '顺丰速运' }, character_string4: { value: 'SF1234567890' } },
  });

  // Shipping it again (a retried console action) finds the notice already sent.
  await admin('ship', order.id, '--note', 'SF1234567890');
  expect(await server.container.notifications.service.notify(openid, 'order-shipped', { orderId: order.id, itemName: 'x', carrier: 'SF', trackingNo: 'SF1', shippedAt: new Date() })).toBe('duplicate');
  await server.container.notifications.sweep();
  expect((await sends()).filter((send) => send.touser === openid && send.templateId === SHIPPED.id && send.errcode === 0)).toHaveLength(1);
  // The refund grant given at ordering is still there for a refund.
  expect(await Grant().countDocuments({ openid, kind: 'refund-succeeded', state: 'open' })).toBe(1);
});

test("the console's order page says what the shopper was told: the shipping notice sent, or none for want of a grant, and the grants left", async () => {
  const staff = await loginAs(server, await createStaff(server, 'notify-support', 'support'));
  const noticesOf = async (orderId: string) => orderDetailSchema.parse((await staff.get(`/orders/${orderId}`)).body).notices;

  const { order } = await paidOrder('dev-notify-console');
  expect(await noticesOf(order.id)).toEqual({ events: [], openGrants: { 'order-shipped': 1, 'refund-succeeded': 1, 'service-update': 0 }, off: [] });
  expect((await admin('ship', order.id, '--note', 'SF1234567890')).exitCode).toBe(0);
  await waitUntil(async () => ((await Grant().findOne({ ref: `order-shipped:${order.id}` }).lean())?.state === 'sent' ? true : null), 30_000, 'the shipping notice');
  const told = await noticesOf(order.id);
  expect(told.events).toEqual([{ kind: 'order-shipped', ref: `order-shipped:${order.id}`, state: 'sent', sentAt: expect.any(String) as string, error: null }]);
  expect(told.openGrants).toEqual({ 'order-shipped': 0, 'refund-succeeded': 1, 'service-update': 0 });

  // A shopper who never allowed the messages: shipped, and nothing was sent.
  const silent = await shopper(server, 'dev-notify-console-silent');
  const unsubscribed = await silent.placeOrder();
  await payAtSimulator(server.simulatorUrl, prepayIdOf((await silent.payJsapi(unsubscribed.id)).package));
  await waitUntil(async () => ((await orderDoc(server, unsubscribed.id)).status === 'TO_BE_DELIVERED' ? true : null), 20_000, 'the payment callback');
  expect((await admin('ship', unsubscribed.id, '--note', 'SF1234567891')).exitCode).toBe(0);
  expect(await noticesOf(unsubscribed.id)).toEqual({
    events: [{ kind: 'order-shipped', ref: `order-shipped:${unsubscribed.id}`, state: null, sentAt: null, error: null }],
    openGrants: { 'order-shipped': 0, 'refund-succeeded': 0, 'service-update': 0 },
    off: [],
  });
});

test('the refund notice goes once when the refund succeeds', async () => {
  const { openid, order } = await paidOrder('dev-notify-refund');
  expect((await admin('refund', order.id, '--reason', '缺货', '--yes')).exitCode).toBe(0);
  const refunded = await waitUntil(async () => {
    const current = await orderDoc(server, order.id);
    return current.refunds[0]?.status === 'SUCCESS' ? current : null;
  }, 30_000, 'the refund to succeed');
  await waitUntil(async () => ((await Grant().findOne({ ref: `refund-succeeded:${refunded.refunds[0]!.outRefundNo}` }).lean())?.state === 'sent' ? true : null), 30_000, 'the refund notice');
  // Told again of the same refund (a late callback, the refund job's next look): nothing more is sent.
  await server.container.refunds.processRefunds(new Types.ObjectId(order.id), 'test');
  await server.container.notifications.sweep();
  const delivered = (await sends()).filter((send) => send.touser === openid && send.templateId === REFUND.id);
  expect(delivered).toHaveLength(1);
  expect(delivered[0]).toMatchObject({ errcode: 0, data: { character_string1: { value: order.id }, amount2: { value: `¥${(order.totalFen / 100).toFixed(2)}` }, thing3: { value: '缺货' } } });
});

test('after-sales and complaints tell the shopper through notify(): one message per event, on a grant of its own', async () => {
  const { openid } = await subscribe('dev-notify-service', [DEV_SUBSCRIBE_TEMPLATES.serviceUpdate.id]);
  const step = { eventId: `aftersales:${new Types.ObjectId().toHexString()}:resolved`, orderId: null, service: '售后申请（手办破损）', status: '已退款', note: '已为你退款 ¥29.50，请留意到账', at: new Date() };
  const { notify } = server.container.notifications.service;
  expect(await notify(openid, 'service-update', step)).toBe('queued');
  expect(await notify(openid, 'service-update', step)).toBe('duplicate');
  expect(await notify(openid, 'service-update', { ...step, eventId: `${step.eventId}:again` })).toBe('no-grant');
  const sent = await waitUntil(async () => (await sends()).find((send) => send.touser === openid && send.errcode === 0) ?? null, 20_000, 'the service message');
  expect(sent).toMatchObject({ templateId: DEV_SUBSCRIBE_TEMPLATES.serviceUpdate.id, page: 'pages/orders/index', data: { thing1: { value: '售后申请（手办破损）' }, phrase2: { value: '已退款' } } });
  expect([...sent.data.thing3!.value].length).toBeLessThanOrEqual(20);
});

test('a revoked template stops sending without retries: one 40037, every waiting grant of it void', async () => {
  const opensAt = new Date(Date.now() + 3_600_000);
  const box = await scheduledBox('撤回模板盒', opensAt);
  const openids: string[] = [];
  for (let n = 0; n < 3; n++) openids.push((await subscribe(`dev-notify-revoked-${n}`, [DROP.id], box.id)).openid);
  await sim('POST', '/sim/subscribe-messages/templates/revoke', { id: DROP.id });
  try {
    server.clock.setTo(opensAt);
    await waitUntil(async () => ((await Grant().countDocuments({ boxId: new Types.ObjectId(box.id), state: 'refused' })) === 3 ? true : null), 20_000, 'the grants to be void');
    const attempts = (await sends()).filter((send) => openids.includes(send.touser));
    expect(attempts.map((send) => send.errcode)).toEqual([40037]);
    expect(await Grant().find({ boxId: new Types.ObjectId(box.id) }).lean()).toEqual(openids.map(() => expect.objectContaining({ state: 'refused', lastErrcode: 40037 })));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await server.container.notifications.sweep();
    expect((await sends()).filter((send) => openids.includes(send.touser))).toHaveLength(1);
  } finally {
    await sim('POST', '/sim/subscribe-messages/templates', { id: DROP.id, title: DROP.title, content: DROP.content });
  }
});
