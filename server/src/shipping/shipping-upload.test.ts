import { Types } from 'mongoose';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { payAtSimulator, prepayIdOf, shopper, simulatorControl } from '../../test/support/shop';
import { waitUntil } from '../../test/support/wechatpay-harness';
import { JOB_TEST_ENV, orderDoc } from '../../test/support/job-test-support';
import { jobsDatabase } from '../db/databases';
import { JOBS_COLLECTION } from '../jobs/agenda-scheduler';
import { JOB_NAMES } from '../jobs/job-context';
import { runAdminCommand } from '../admin/run-admin-command';
import { accessTokenModel } from './access-token.model';
import type { PlatformOrderKey } from './mini-program-platform';

interface PlatformState {
  tokenFetches: number;
  forcedRefreshes: number;
  uploads: number;
  currentToken: string | null;
  shipments: Record<string, { uploads: number; items: Array<{ tracking_no: string; express_company: string; contact: { receiver_contact: string } }> }>;
}

let server: TestServer;
const platformState = async () => (await simulatorControl(server.simulatorUrl, 'GET', '/sim/mini-program')) as PlatformState;
let shippedKey: PlatformOrderKey;
let shippedOrderId: string;

beforeAll(async () => {
  server = await startTestServer({ env: { ...JOB_TEST_ENV } });
});
afterAll(async () => {
  await server.stop();
});

test('shipping an order uploads its shipping information, retried with backoff until the platform answers errcode 0', async () => {
  const buyer = await shopper(server, 'dev-ship-alice');
  const order = await buyer.placeOrder();
  await payAtSimulator(server.simulatorUrl, prepayIdOf((await buyer.payJsapi(order.id)).package));
  const paid = await waitUntil(async () => {
    const current = await orderDoc(server, order.id);
    return current.status === 'TO_BE_DELIVERED' ? current : null;
  }, 20_000, 'the payment callback');

  // -1 is the platform's "system busy": the first two uploads fail.
  await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/faults', { failNext: 2, errcode: -1 });
  const shipped = await runAdminCommand(server.container, ['ship', order.id, '--note', 'SF1234567890']);
  expect(shipped.exitCode).toBe(0);
  expect(shipped.output).toContain('upload to WeChat queued (SF)');

  const uploaded = await waitUntil(async () => {
    const upload = await server.container.shipping.status(new Types.ObjectId(order.id));
    return upload?.status === 'UPLOADED' ? upload : null;
  }, 20_000, 'the shipping information to be accepted');
  expect(uploaded.attempts).toBe(3);
  expect(uploaded.lastError).toMatchObject({ errcode: -1 });

  shippedKey = { kind: 'out_trade_no', mchid: paid.payment.rawTransaction!.mchid as string, outTradeNo: paid.payment.outTradeNo! };
  shippedOrderId = order.id;
  const atWechat = await server.container.platform.getOrder(shippedKey);
  expect(atWechat).toMatchObject({ transactionId: paid.payment.transactionId, orderState: 2, shipped: true, trackingNos: ['SF1234567890'], paidAmountFen: paid.totalFen });
  const state = await platformState();
  expect(state.shipments[paid.payment.transactionId!]?.items[0]).toMatchObject({ express_company: 'SF', contact: { receiver_contact: '138****8000' } });

  // The job removes itself once done; the state stays on the order's upload record, shown by the admin CLI.
  const jobs = jobsDatabase(server.container.db).collection(JOBS_COLLECTION);
  await waitUntil(async () => ((await jobs.countDocuments({ name: JOB_NAMES.uploadShippingInfo, 'data.orderId': order.id })) === 0 ? true : null), 10_000, 'the job to be removed');
  const shown = await runAdminCommand(server.container, ['show', order.id]);
  expect(shown.output).toMatch(/shipping info to WeChat: UPLOADED {2}SF SF1234567890 {2}attempts 3/);
  expect(shown.output).toContain('platform: order_state 2  shipped SF1234567890');
});

test('the access token is fetched once, shared by every process through the database, and replaced on 40001 and 42001', async () => {
  const second = await startTestServer({ dbName: server.container.config.MONGODB_DB, simulatorUrl: server.simulatorUrl, seed: false });
  try {
    const before = await platformState();
    expect(before.tokenFetches).toBe(1);
    expect(await second.container.platform.getOrder(shippedKey)).toMatchObject({ shipped: true });
    expect((await platformState()).tokenFetches).toBe(1);

    // Someone force-refreshed: the stored token now earns 40001.
    await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/replace-token');
    expect(await second.container.platform.getOrder(shippedKey)).toMatchObject({ shipped: true });
    expect(await server.container.platform.getOrder(shippedKey)).toMatchObject({ shipped: true });
    let state = await platformState();
    expect(state).toMatchObject({ tokenFetches: 2, forcedRefreshes: 0 });

    // Expired: concurrent calls in one process share one fetch, and the other process reads it from the database.
    await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/expire-token');
    await Promise.all([1, 2, 3].map(async () => expect(await server.container.platform.getOrder(shippedKey)).toMatchObject({ shipped: true })));
    expect(await second.container.platform.getOrder(shippedKey)).toMatchObject({ shipped: true });
    state = await platformState();
    expect(state).toMatchObject({ tokenFetches: 3, forcedRefreshes: 0 });

    // Refused while stable_token keeps returning it: only then is a forced refresh spent.
    await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/revoke-token');
    expect(await second.container.platform.getOrder(shippedKey)).toMatchObject({ shipped: true });
    expect(await server.container.platform.getOrder(shippedKey)).toMatchObject({ shipped: true });
    state = await platformState();
    expect(state).toMatchObject({ tokenFetches: 5, forcedRefreshes: 1 });
    const stored = await accessTokenModel(server.container.db).find({}).lean();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.token).toBe(state.currentToken);
  } finally {
    await second.stop();
  }
});

test('an upload repeated after its answer was lost (10060023 发货信息未更新 at WeChat) counts as accepted', async () => {
  const upload = (await server.container.shipping.status(new Types.ObjectId(shippedOrderId)))!;
  const before = await platformState();
  await expect(
    server.container.platform.uploadShippingInfo({
      orderKey: shippedKey,
      trackingNo: upload.trackingNo,
      expressCompany: upload.expressCompany,
      itemDesc: upload.itemDesc,
      receiverContact: upload.receiverContact,
      uploadTime: new Date(),
      payerOpenid: upload.payerOpenid,
    }),
  ).resolves.toBeUndefined();
  // Nothing changed at WeChat: no second upload, the one re-shipment still unused.
  const after = await platformState();
  expect(after.uploads).toBe(before.uploads);
  expect(after.shipments).toEqual(before.shipments);
});

test('in its last five minutes the token is renewed by one plain fetch, the old one working meanwhile; never a fetch per call', async () => {
  const AccessToken = accessTokenModel(server.container.db);
  const appid = (await AccessToken.findOne().lean())!._id;
  const before = await platformState();
  const oldToken = before.currentToken!;
  // Two hours on: 200 s left at WeChat and in the shop's copy, fetched long before its renewal window.
  await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/age-token', { remainingSeconds: 200 });
  await AccessToken.updateOne({ _id: appid }, { $set: { token: oldToken, expiresAt: new Date(Date.now() + 200_000), fetchedAt: new Date(Date.now() - 7000_000) } });

  await Promise.all([1, 2, 3].map(async () => expect(await server.container.platform.getOrder(shippedKey)).toMatchObject({ shipped: true })));
  for (let i = 0; i < 3; i++) expect(await server.container.platform.getOrder(shippedKey)).toMatchObject({ shipped: true });
  const renewed = await platformState();
  expect(renewed).toMatchObject({ tokenFetches: before.tokenFetches + 1, forcedRefreshes: before.forcedRefreshes });
  expect(renewed.currentToken).not.toBe(oldToken);
  const stored = await AccessToken.findById(appid).lean();
  expect(stored?.token).toBe(renewed.currentToken);
  expect(stored!.expiresAt.getTime() - Date.now()).toBeGreaterThan(7000_000);
  // WeChat keeps the renewed-away token working until its own expiry, so calls already holding it succeed.
  const withOld = await fetch(`${server.simulatorUrl}/wxa/sec/order/get_order?access_token=${oldToken}`, { method: 'POST', body: JSON.stringify({ merchant_id: shippedKey.kind === 'out_trade_no' ? shippedKey.mchid : '', merchant_trade_no: shippedKey.kind === 'out_trade_no' ? shippedKey.outTradeNo : '' }) });
  expect(await withOld.json()).toMatchObject({ errcode: 0 });

  // A token fetched inside its own window is the newest there is: it is used, not fetched again, until it expires.
  await simulatorControl(server.simulatorUrl, 'POST', '/sim/mini-program/age-token', { remainingSeconds: 200 });
  await AccessToken.updateOne({ _id: appid }, { $set: { expiresAt: new Date(Date.now() + 200_000), fetchedAt: new Date() } });
  for (let i = 0; i < 3; i++) expect(await server.container.platform.getOrder(shippedKey)).toMatchObject({ shipped: true });
  expect((await platformState()).tokenFetches).toBe(before.tokenFetches + 1);
});

test('shipping an order again queues an upload that a crash left unqueued', async () => {
  const buyer = await shopper(server, 'dev-ship-bob');
  const order = await buyer.placeOrder();
  await payAtSimulator(server.simulatorUrl, prepayIdOf((await buyer.payJsapi(order.id)).package));
  await waitUntil(async () => ((await orderDoc(server, order.id)).status === 'TO_BE_DELIVERED' ? true : null), 20_000, 'the payment callback');
  // The crash: shipped here, the process died before the upload was recorded.
  await server.container.orders.ship(new Types.ObjectId(order.id), 'YT0000000001', 'test');

  const again = await runAdminCommand(server.container, ['ship', order.id, '--note', 'YT0000000001', '--express', 'YTO']);
  expect(again.exitCode).toBe(1);
  expect(again.output).toContain('ORDER_NOT_SHIPPABLE');
  const uploaded = await waitUntil(async () => {
    const upload = await server.container.shipping.status(new Types.ObjectId(order.id));
    return upload?.status === 'UPLOADED' ? upload : null;
  }, 20_000, 'the repaired upload');
  expect(uploaded).toMatchObject({ expressCompany: 'YTO', trackingNo: 'YT0000000001', attempts: 1 });
});

test('a platform order that does not exist is null, not an error', async () => {
  expect(await server.container.platform.getOrder({ kind: 'transaction_id', transactionId: '4200000000000000000000000009' })).toBeNull();
});
