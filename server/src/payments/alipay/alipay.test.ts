import { CHANNEL_QUERY_INTERVAL_MS } from '../channel-query-throttle';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { Types } from 'mongoose';
import { fenToYuan, type CombinedAlipayResponse, type CombinedPaymentStatus, type Order, type PaymentStatusResponse } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../../test/support/test-server';
import { testEnv } from '../../../test/support/test-env';
import { payAtSimulator, prepayIdOf, shopper, simulatorControl } from '../../../test/support/shop';
import { waitUntil } from '../../../test/support/wechatpay-harness';
import { boxState } from '../../../test/support/stock';
import { closeHereOnly, expireInDb, orderDoc } from '../../../test/support/job-test-support';
import {
  alipayNotification,
  openAlipayCashier,
  parseAlipayForm,
  payAtAlipayCashier,
  postAlipayNotify,
  testAlipayCredentials,
} from '../../../test/support/alipay';
import { orderModel } from '../../orders/order.model';
import { combinedPaymentModel } from '../combined-payment.model';
import { runExpirySweep } from '../../jobs/expiry-sweep.job';
import { runReconcilePayments } from '../../jobs/reconcile-payments.job';
import { buildReconciliationReport } from '../../jobs/daily-reconciliation-report.job';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});
afterEach(async () => {
  await simulatorControl(server.simulatorUrl, 'DELETE', '/sim/alipay/faults');
});

type AlipayTradeView = { status: string; tradeNo: string; queries: number; refunds: Record<string, { amountFen: number }> };
const simTrade = (outTradeNo: string) => simulatorControl(server.simulatorUrl, 'GET', `/sim/alipay/trades/${outTradeNo}`) as Promise<AlipayTradeView>;
const fault = (body: Record<string, unknown>) => simulatorControl(server.simulatorUrl, 'POST', '/sim/alipay/faults', body);
type AlipayDeliveryView = { tradeStatus: string; outBizNo: string | null; attempt: number; answer: string };
/** The notifications Alipay sent for a trade, once `count` of them have been answered. */
const deliveredNotifications = (outTradeNo: string, count: number) =>
  waitUntil(async () => {
    const { deliveries } = (await simulatorControl(server.simulatorUrl, 'GET', `/sim/alipay/notifications?outTradeNo=${outTradeNo}`)) as { deliveries: AlipayDeliveryView[] };
    return deliveries.length >= count ? deliveries : null;
  }, 15_000, `${count} notification(s) for ${outTradeNo}`);
const paidOrder = (orderId: string) =>
  waitUntil(async () => {
    const order = await orderDoc(server, orderId);
    return order.status === 'TO_BE_DELIVERED' ? order : null;
  }, 15_000, 'the order to be paid');

async function alipayOrder(code: string, quantity = 1) {
  const shop = await shopper(server, code);
  const order = await shop.placeOrder([{ boxId: (await shop.firstBox()).id, quantity }]);
  const { status, body } = await shop.api.post<{ paymentId: string; formHtml: string; code?: string }>(`/api/orders/${order.id}/alipay`);
  if (status !== 200) throw new Error(`alipay page pay failed: ${status} ${JSON.stringify(body)}`);
  return { shop, order, ...body };
}

async function snapshotOrders() {
  return JSON.stringify(await orderModel(server.container.db).find().sort({ _id: 1 }).lean());
}

test('full loop: signed page-pay form → cashier → signed notify → paid once; the return redirects to the result page', async () => {
  const { shop, order, paymentId, formHtml } = await alipayOrder('dev-ali-loop', 2);
  expect(paymentId).toBe(`${order.id}_1`);
  const { action, fields } = parseAlipayForm(formHtml);
  expect(action).toContain(`${server.simulatorUrl}/alipay/gateway.do`);
  expect(action).toContain('method=alipay.trade.page.pay');
  expect(action).toContain('sign_type=RSA2');
  expect(JSON.parse(fields.biz_content!)).toMatchObject({
    out_trade_no: paymentId,
    total_amount: `${Math.trunc(order.totalFen / 100)}.${String(order.totalFen % 100).padStart(2, '0')}`,
    product_code: 'FAST_INSTANT_TRADE_PAY',
  });

  const before = await shop.api.get<PaymentStatusResponse>(`/api/orders/${order.id}/payment-status`);
  expect(before.body).toEqual({ orderNo: order.id, status: 'PENDING', reason: null, paidAt: null });

  const returnUrl = await payAtAlipayCashier(server.simulatorUrl, formHtml);
  const paid = await paidOrder(order.id);
  expect(paid.draws).toHaveLength(2);
  expect(paid.payment.channel).toBe('alipay');
  expect(paid.payment.transactionId).toBe((await simTrade(paymentId)).tradeNo);

  const back = await fetch(returnUrl, { redirect: 'manual' });
  expect(back.status).toBe(302);
  expect(back.headers.get('location')).toBe(`/#/order/result/index?orderId=${order.id}`);

  const after = await shop.api.get<PaymentStatusResponse>(`/api/orders/${order.id}/payment-status`);
  expect(after.body).toMatchObject({ orderNo: order.id, status: 'PAID' });
  expect(after.body.paidAt).not.toBeNull();
  // The order is paid before the answer reaches Alipay, which records it only then.
  const answers = await waitUntil(async () => {
    const log = (await simulatorControl(server.simulatorUrl, 'GET', `/sim/alipay/notifications?outTradeNo=${paymentId}`)) as { deliveries: Array<{ answer: string }> };
    return log.deliveries.length > 0 ? log.deliveries.map((delivery) => delivery.answer) : null;
  }, 15_000, 'Alipay to record the notification\'s answer');
  expect(answers).toEqual(['success']);
});

test('the return alone never marks an order paid, and a forged return is refused', async () => {
  const { order, formHtml, paymentId } = await alipayOrder('dev-ali-return');
  await fault({ kind: 'drop' });
  const returnUrl = await payAtAlipayCashier(server.simulatorUrl, formHtml);
  expect((await fetch(returnUrl, { redirect: 'manual' })).status).toBe(302);
  expect((await orderDoc(server, order.id)).status).toBe('TO_BE_PAID');

  const forged = new URL(returnUrl);
  forged.searchParams.set('out_trade_no', `${new Types.ObjectId().toHexString()}_1`);
  const refused = await fetch(forged, { redirect: 'manual' });
  expect(refused.status).toBe(400);
  expect((await simTrade(paymentId)).status).toBe('TRADE_SUCCESS');
});

test('forged, tampered and not-paid notifications change nothing and get failure', async () => {
  const { order, paymentId, formHtml } = await alipayOrder('dev-ali-forged');
  await openAlipayCashier(formHtml);
  const credentials = await testAlipayCredentials();
  const genuine = {
    app_id: credentials.appId,
    seller_id: credentials.sellerId,
    out_trade_no: paymentId,
    trade_no: '2026120122001400000000000001',
    total_amount: `${Math.trunc(order.totalFen / 100)}.${String(order.totalFen % 100).padStart(2, '0')}`,
    trade_status: 'TRADE_SUCCESS',
  };
  const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const oneFenMore = `${Math.trunc((order.totalFen + 1) / 100)}.${String((order.totalFen + 1) % 100).padStart(2, '0')}`;
  const signed = alipayNotification(genuine, credentials.alipayPrivateKey);
  const cases: Record<string, Record<string, string>> = {
    'signed with another key': alipayNotification(genuine, strangerKey),
    'amount changed after signing': { ...signed, total_amount: oneFenMore },
    'no signature': Object.fromEntries(Object.entries(signed).filter(([key]) => key !== 'sign')),
    'sign_type RSA': { ...signed, sign_type: 'RSA' },
    'another app_id': alipayNotification({ ...genuine, app_id: '2021000000000001' }, credentials.alipayPrivateKey),
    'another seller_id': alipayNotification({ ...genuine, seller_id: '2088000000000001' }, credentials.alipayPrivateKey),
    'amount off by one fen': alipayNotification({ ...genuine, total_amount: oneFenMore }, credentials.alipayPrivateKey),
    'unknown order': alipayNotification({ ...genuine, out_trade_no: `${new Types.ObjectId().toHexString()}_1` }, credentials.alipayPrivateKey),
    'attempt never opened': alipayNotification({ ...genuine, out_trade_no: `${order.id}_2` }, credentials.alipayPrivateKey),
    'WAIT_BUYER_PAY': alipayNotification({ ...genuine, trade_status: 'WAIT_BUYER_PAY' }, credentials.alipayPrivateKey),
    'a float amount': alipayNotification({ ...genuine, total_amount: `${order.totalFen / 100 + 1e-9}` }, credentials.alipayPrivateKey),
  };
  const before = await snapshotOrders();
  for (const [name, params] of Object.entries(cases)) {
    expect([name, await postAlipayNotify(server.url, params)]).toEqual([name, 'failure']);
  }
  // A genuine TRADE_CLOSED (Alipay closed the trade unpaid) is acknowledged, so it is not sent again, and changes nothing.
  expect(await postAlipayNotify(server.url, alipayNotification({ ...genuine, trade_status: 'TRADE_CLOSED', gmt_payment: '', gmt_close: '2026-12-01 10:05:00' }, credentials.alipayPrivateKey))).toBe('success');
  expect(await snapshotOrders()).toBe(before);

  // The genuine one is applied, and its replay changes nothing more (answered success so Alipay stops).
  expect(await postAlipayNotify(server.url, signed)).toBe('success');
  // Settling (holds kept, public log) runs after the answer: the snapshot is taken once it is done.
  await server.container.payments.settled();
  const paid = await orderDoc(server, order.id);
  expect(paid.status).toBe('TO_BE_DELIVERED');
  const afterPaid = await snapshotOrders();
  expect(await postAlipayNotify(server.url, signed)).toBe('success');
  expect(await snapshotOrders()).toBe(afterPaid);
});

test('a notification tampered in transit gets failure; the retried genuine one fulfils the order', async () => {
  const { order, paymentId, formHtml } = await alipayOrder('dev-ali-tamper');
  await fault({ kind: 'tamper', field: 'total_amount' });
  await payAtAlipayCashier(server.simulatorUrl, formHtml);
  await paidOrder(order.id);
  // The order may be paid by a status poll's query first; the simulator's retry still comes and is acknowledged.
  const { deliveries } = await waitUntil(async () => {
    const log = (await simulatorControl(server.simulatorUrl, 'GET', `/sim/alipay/notifications?outTradeNo=${paymentId}`)) as {
      deliveries: Array<{ answer: string; tampered: string | null }>;
    };
    return log.deliveries.length >= 2 ? log : null;
  }, 30_000, 'the retried notification');
  expect(deliveries.map((delivery) => [delivery.tampered, delivery.answer])).toEqual([['total_amount', 'failure'], [null, 'success']]);
});

test('100 concurrent duplicate notifications fulfil the order once', async () => {
  const { order, paymentId, formHtml } = await alipayOrder('dev-ali-dupes', 2);
  const box = order.items[0]!.boxId;
  const stockBefore = await boxState(server, box);
  await fault({ kind: 'duplicate', copies: 99 });
  await payAtAlipayCashier(server.simulatorUrl, formHtml);
  const { deliveries } = await waitUntil(async () => {
    const log = (await simulatorControl(server.simulatorUrl, 'GET', `/sim/alipay/notifications?outTradeNo=${paymentId}`)) as { deliveries: Array<{ answer: string }> };
    return log.deliveries.length >= 100 ? log : null;
  }, 60_000, '100 deliveries');
  expect(deliveries).toHaveLength(100);
  expect(deliveries.every((delivery) => delivery.answer === 'success')).toBe(true);
  const paid = await orderDoc(server, order.id);
  expect(paid.status).toBe('TO_BE_DELIVERED');
  expect(paid.draws).toHaveLength(2);
  expect(paid.audit.filter((entry) => entry.to === 'TO_BE_DELIVERED')).toHaveLength(1);
  expect(paid.refunds).toEqual([]);
  const stockAfter = await boxState(server, box);
  expect(stockAfter.stock).toBe(stockBefore.stock);
  expect(stockAfter.holds.filter((hold) => hold.startsWith(order.id))).toEqual([]);
});

test('paid in both channels (two tabs): the first payment is kept, the Alipay one is refunded on Alipay', async () => {
  // Tab 1 gets the Alipay form but does not submit it yet; tab 2 switches to WeChat Pay, which closes attempt 1
  // (unknown at Alipay until the cashier opens) and opens attempt 2.
  const { shop, order, paymentId, formHtml } = await alipayOrder('dev-ali-both');
  const params = await shop.payJsapi(order.id);
  await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));
  const paid = await paidOrder(order.id);
  expect(paid.payment.channel).toBe('wechatpay');

  // Tab 1 submits the old form and pays at Alipay's cashier as well.
  await payAtAlipayCashier(server.simulatorUrl, formHtml);
  const tradeNo = (await simTrade(paymentId)).tradeNo;
  const recorded = await waitUntil(async () => {
    const current = await orderDoc(server, order.id);
    return current.payment.extraTransactionIds.includes(tradeNo) ? current : null;
  }, 15_000, 'the second payment to be recorded');
  expect(recorded.status).toBe('TO_BE_DELIVERED');
  expect(recorded.payment.transactionId).toBe(paid.payment.transactionId);
  expect(recorded.refunds).toMatchObject([{ channel: 'alipay', transactionId: tradeNo, outTradeNo: paymentId, amountFen: order.totalFen }]);

  const progress = await server.container.refunds.processRefunds(new Types.ObjectId(order.id), 'test');
  expect(progress.outstanding).toBe(0);
  const refunded = await orderDoc(server, order.id);
  expect(refunded.refunds.map((refund) => refund.status)).toEqual(['SUCCESS']);
  expect(refunded.status).toBe('TO_BE_DELIVERED');
  const trade = await simTrade(paymentId);
  expect(Object.values(trade.refunds)).toEqual([{ amountFen: order.totalFen, at: expect.any(String) }]);
  expect(trade.status).toBe('TRADE_CLOSED');

  // Running the refund again moves no money twice.
  await server.container.refunds.processRefunds(new Types.ObjectId(order.id), 'test');
  expect(Object.keys((await simTrade(paymentId)).refunds)).toHaveLength(1);
});

test('switching from Alipay to WeChat Pay closes the opened Alipay trade first', async () => {
  const { shop, order, paymentId, formHtml } = await alipayOrder('dev-ali-switch');
  await openAlipayCashier(formHtml);
  expect((await simTrade(paymentId)).status).toBe('WAIT_BUYER_PAY');
  await shop.payJsapi(order.id);
  expect((await simTrade(paymentId)).status).toBe('TRADE_CLOSED');
  expect((await openAlipayCashier(formHtml)).status).toBe(400);
  // Alipay reports the close (TRADE_CLOSED, no payment): acknowledged at once, and the order waits for WeChat Pay.
  expect(await deliveredNotifications(paymentId, 1)).toEqual([expect.objectContaining({ tradeStatus: 'TRADE_CLOSED', outBizNo: null, attempt: 1, answer: 'success' })]);
  expect((await orderDoc(server, order.id)).status).toBe('TO_BE_PAID');
});

test('expiry closes the Alipay trade before the order, and a paid-but-unnotified trade is fulfilled instead', async () => {
  const { order, paymentId, formHtml } = await alipayOrder('dev-ali-expiry');
  await openAlipayCashier(formHtml);
  await expireInDb(server, order.id);
  await runExpirySweep(server.container.jobs.context, 'test');
  expect((await simTrade(paymentId)).status).toBe('TRADE_CLOSED');
  const closed = await orderDoc(server, order.id);
  expect(closed.status).toBe('CLOSED');
  const cashier = await openAlipayCashier(formHtml);
  expect(cashier.status).toBe(400);
  expect(cashier.html).toContain('TRADE_HAS_CLOSE');

  const late = await alipayOrder('dev-ali-expiry-paid');
  await fault({ kind: 'drop' });
  await payAtAlipayCashier(server.simulatorUrl, late.formHtml);
  await expireInDb(server, late.order.id);
  await runExpirySweep(server.container.jobs.context, 'test');
  expect((await orderDoc(server, late.order.id)).status).toBe('TO_BE_DELIVERED');
});

test('reconciliation finds a paid Alipay trade whose notification never came', async () => {
  const { order, formHtml } = await alipayOrder('dev-ali-reconcile');
  await fault({ kind: 'drop' });
  await payAtAlipayCashier(server.simulatorUrl, formHtml);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect((await orderDoc(server, order.id)).status).toBe('TO_BE_PAID');

  await orderModel(server.container.db).updateOne({ _id: new Types.ObjectId(order.id) }, { $set: { reconcileAt: new Date(Date.now() - 1000) } });
  const result = await runReconcilePayments(server.container.jobs.context, 'test');
  expect(result.applied).toBeGreaterThanOrEqual(1);
  const paid = await orderDoc(server, order.id);
  expect(paid.status).toBe('TO_BE_DELIVERED');
  expect(paid.audit.at(-1)?.actor).toBe('test');
});

test('a shop without Alipay settings starts and answers the Alipay endpoints clearly', async () => {
  const plain = await startTestServer({ alipay: false, simulatorUrl: server.simulatorUrl });
  try {
    const shop = await shopper(plain, 'dev-ali-none');
    const order = await shop.placeOrder();
    const { status, body } = await shop.api.post<{ code: string }>(`/api/orders/${order.id}/alipay`);
    expect(status).toBe(503);
    expect(body.code).toBe('CHANNEL_NOT_CONFIGURED');
    expect((await orderDoc(plain, order.id)).payment.attemptCount).toBe(0);
    expect(await postAlipayNotify(plain.url, { out_trade_no: `${order.id}_1` })).toBe('failure');
    // WeChat Pay still works.
    expect((await shop.payJsapi(order.id)).package).toMatch(/^prepay_id=/);
  } finally {
    await plain.stop();
  }
});

test('payment-status answers from the database while Alipay cannot be reached', async () => {
  const cutOff = await startTestServer({ simulatorUrl: server.simulatorUrl, env: { ALIPAY_GATEWAY_URL: 'http://127.0.0.1:9/gateway.do', ALIPAY_TIMEOUT_MS: '500' } });
  try {
    const shop = await shopper(cutOff, 'dev-ali-offline');
    const order = await shop.placeOrder();
    expect((await shop.api.post(`/api/orders/${order.id}/alipay`)).status).toBe(200);
    const { status, body } = await shop.api.get<PaymentStatusResponse>(`/api/orders/${order.id}/payment-status`);
    expect(status).toBe(200);
    expect(body).toEqual({ orderNo: order.id, status: 'PENDING', reason: null, paidAt: null });
  } finally {
    await cutOff.stop();
  }
});

test('the gateway refuses a page-pay form changed after the server signed it', async () => {
  const { order, formHtml } = await alipayOrder('dev-ali-form');
  const { action, fields } = parseAlipayForm(formHtml);
  const biz = JSON.parse(fields.biz_content!) as Record<string, string>;
  const cheaper = { ...fields, biz_content: JSON.stringify({ ...biz, total_amount: '0.01' }) };
  const response = await fetch(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(cheaper).toString() });
  expect(response.status).toBe(400);
  expect(await response.text()).toContain('isv.invalid-signature');
  expect(await simulatorControl(server.simulatorUrl, 'GET', `/sim/alipay/trades/${order.id}_1`).catch((error: Error) => error.message)).toMatch(/404/);
});

test('answers not signed with the Alipay public key are not believed', async () => {
  const { order, formHtml } = await alipayOrder('dev-ali-wrongkey');
  await fault({ kind: 'drop' });
  await payAtAlipayCashier(server.simulatorUrl, formHtml);
  const credentials = await testAlipayCredentials();
  // A server that takes the app's own public key for Alipay's: every answer's signature fails for it.
  const misconfigured = await startTestServer({
    simulatorUrl: server.simulatorUrl,
    dbName: server.container.config.MONGODB_DB,
    seed: false,
    env: { ALIPAY_PUBLIC_KEY_FILE: path.join(testEnv().alipayCredentialsDir, credentials.appPublicKeyFile) },
  });
  try {
    await orderModel(server.container.db).updateOne({ _id: new Types.ObjectId(order.id) }, { $set: { reconcileAt: new Date(Date.now() - 1000) } });
    const result = await runReconcilePayments(misconfigured.container.jobs.context, 'test');
    expect(result.failed).toBeGreaterThanOrEqual(1);
    expect((await orderDoc(server, order.id)).status).toBe('TO_BE_PAID');
  } finally {
    await misconfigured.stop();
  }
  await orderModel(server.container.db).updateOne({ _id: new Types.ObjectId(order.id) }, { $set: { reconcileAt: new Date(Date.now() - 1000) } });
  await runReconcilePayments(server.container.jobs.context, 'test');
  expect((await orderDoc(server, order.id)).status).toBe('TO_BE_DELIVERED');
});

test('a delayed notification still fulfils the order once it arrives', async () => {
  const { order, paymentId, formHtml } = await alipayOrder('dev-ali-delay');
  await fault({ kind: 'delay', delayMs: 800 });
  await payAtAlipayCashier(server.simulatorUrl, formHtml);
  expect((await orderDoc(server, order.id)).status).toBe('TO_BE_PAID');
  expect((await simulatorControl(server.simulatorUrl, 'GET', `/sim/alipay/notifications?outTradeNo=${paymentId}`)) as unknown).toEqual({ deliveries: [] });
  await paidOrder(order.id);
});

test('payment-status polling asks Alipay at most once per interval per order', async () => {
  const { shop, order, paymentId, formHtml } = await alipayOrder('dev-ali-poll');
  await openAlipayCashier(formHtml);
  const poll = () => shop.api.get<PaymentStatusResponse>(`/api/orders/${order.id}/payment-status`);
  const answers = await Promise.all([poll(), poll(), poll(), poll(), poll()]);
  expect(answers.map((answer) => answer.body.status)).toEqual(['PENDING', 'PENDING', 'PENDING', 'PENDING', 'PENDING']);
  expect((await simTrade(paymentId)).queries).toBe(1);
  await new Promise((resolve) => setTimeout(resolve, CHANNEL_QUERY_INTERVAL_MS + 100));
  await poll();
  expect((await simTrade(paymentId)).queries).toBe(2);
});

test('an admin refund of an Alipay-paid order goes to Alipay, and the daily report sees it as a matching refund', async () => {
  const { order, paymentId, formHtml } = await alipayOrder('dev-ali-admin-refund');
  await payAtAlipayCashier(server.simulatorUrl, formHtml);
  await paidOrder(order.id);
  const orderId = new Types.ObjectId(order.id);
  await server.container.refunds.refundOrder(orderId, 'admin:test');
  await server.container.refunds.processRefunds(orderId, 'test');
  const refunded = await orderDoc(server, order.id);
  expect(refunded.status).toBe('REFUNDED');
  expect(refunded.refunds).toMatchObject([{ channel: 'alipay', outTradeNo: paymentId, status: 'SUCCESS' }]);
  expect((await simTrade(paymentId)).status).toBe('TRADE_CLOSED');
  // Alipay reports the full refund (TRADE_CLOSED with out_biz_no): answered success, the first time.
  const [payment, refundReport] = await deliveredNotifications(paymentId, 2);
  expect(payment).toMatchObject({ tradeStatus: 'TRADE_SUCCESS', outBizNo: null, answer: 'success' });
  expect(refundReport).toMatchObject({ tradeStatus: 'TRADE_CLOSED', outBizNo: refunded.refunds[0]!.outRefundNo, attempt: 1, answer: 'success' });

  const report = await buildReconciliationReport(server.container.jobs.context, { since: new Date(Date.now() - 3600_000) });
  expect(report.mismatches.filter((mismatch) => mismatch.orderId === order.id)).toEqual([]);
  expect(report.outcomes.MATCH_REFUND).toBeGreaterThanOrEqual(1);
});

test('a refund notification records a refund whose answer was lost, after asking Alipay; one Alipay does not know gets failure', async () => {
  const { order, paymentId, formHtml } = await alipayOrder('dev-ali-refund-notify');
  await payAtAlipayCashier(server.simulatorUrl, formHtml);
  const paid = await paidOrder(order.id);
  const orderId = new Types.ObjectId(order.id);
  await server.container.refunds.refundOrder(orderId, 'admin:test');
  await server.container.refunds.processRefunds(orderId, 'test');
  const { outRefundNo } = (await orderDoc(server, order.id)).refunds[0]!;
  // As if the refund call's answer never came: the refund is still PROCESSING here, the order REFUNDING.
  await orderModel(server.container.db).updateOne({ _id: orderId }, { $set: { status: 'REFUNDING', 'refunds.0.status': 'PROCESSING', 'refunds.0.completedAt': null } });

  const credentials = await testAlipayCredentials();
  const report = (outBizNo: string) =>
    alipayNotification(
      {
        app_id: credentials.appId,
        seller_id: credentials.sellerId,
        out_trade_no: paymentId,
        trade_no: paid.payment.transactionId!,
        total_amount: fenToYuan(order.totalFen),
        trade_status: 'TRADE_CLOSED',
        gmt_payment: '2026-12-01 10:00:00',
        gmt_close: '2026-12-01 10:05:00',
        out_biz_no: outBizNo,
        refund_fee: fenToYuan(order.totalFen),
        gmt_refund: '2026-12-01 10:05:00',
      },
      credentials.alipayPrivateKey,
    );
  const before = await snapshotOrders();
  expect(await postAlipayNotify(server.url, report(`${outRefundNo}x`))).toBe('failure');
  expect(await snapshotOrders()).toBe(before);

  expect(await postAlipayNotify(server.url, report(outRefundNo))).toBe('success');
  const refunded = await orderDoc(server, order.id);
  expect(refunded.status).toBe('REFUNDED');
  expect(refunded.refunds).toMatchObject([{ outRefundNo, status: 'SUCCESS' }]);
  const after = await snapshotOrders();
  expect(await postAlipayNotify(server.url, report(outRefundNo))).toBe('success');
  expect(await snapshotOrders()).toBe(after);
});

describe('one Alipay page payment for several orders', () => {
  /** Unpaid orders of one shopper (one per quantity) and the combined Alipay payment for them. */
  async function alipayTogether(code: string, quantities: readonly number[]) {
    const shop = await shopper(server, code);
    const box = await shop.firstBox();
    const orders: Order[] = [];
    for (const quantity of quantities) orders.push(await shop.placeOrder([{ boxId: box.id, quantity }]));
    const { status, body } = await shop.api.post<CombinedAlipayResponse & { code?: string }>('/api/payments/combined/alipay', { orderIds: orders.map((order) => order.id) });
    if (status !== 200) throw new Error(`combined alipay page pay failed: ${status} ${JSON.stringify(body)}`);
    return { shop, orders, ...body };
  }
  const docs = (orders: readonly Order[]) => Promise.all(orders.map((order) => orderDoc(server, order.id)));
  const deliveriesOf = async (outTradeNo: string) =>
    ((await simulatorControl(server.simulatorUrl, 'GET', `/sim/alipay/notifications?outTradeNo=${outTradeNo}`)) as { deliveries: Array<{ answer: string }> }).deliveries;

  test('the form charges the stored sum under the combined out_trade_no; 20 concurrent duplicate notifications fulfil each order once; the return opens the combined result page', async () => {
    const { shop, orders, id, paymentId, formHtml, totalFen } = await alipayTogether('dev-ali-together', [1, 2]);
    const sum = orders.reduce((total, order) => total + order.totalFen, 0);
    expect([paymentId, totalFen]).toEqual([`C${id}`, sum]);
    expect(JSON.parse(parseAlipayForm(formHtml).fields.biz_content!)).toMatchObject({ out_trade_no: paymentId, total_amount: fenToYuan(sum) });

    await fault({ kind: 'duplicate', copies: 19 });
    const returnUrl = await payAtAlipayCashier(server.simulatorUrl, formHtml);
    const deliveries = await waitUntil(async () => {
      const seen = await deliveriesOf(paymentId);
      return seen.length >= 20 ? seen : null;
    }, 60_000, '20 concurrent deliveries');
    // None refused. Each repeat re-runs the idempotent settling of every member, so on a loaded machine a copy
    // may outlast the simulator's 5 s wait: that is an unanswered delivery, which Alipay retries, not a refusal.
    expect(deliveries.filter((delivery) => delivery.answer === 'failure')).toEqual([]);
    const paid = await waitUntil(async () => {
      const current = await docs(orders);
      return current.every((order) => order.status === 'TO_BE_DELIVERED') ? current : null;
    }, 15_000, 'both orders paid');
    const { tradeNo } = await simTrade(paymentId);
    for (const [index, order] of paid.entries()) {
      expect([order.status, order.payment.channel, order.payment.transactionId, order.payment.outTradeNo]).toEqual(['TO_BE_DELIVERED', 'alipay', tradeNo, paymentId]);
      expect(order.audit.filter((entry) => entry.to === 'TO_BE_DELIVERED')).toHaveLength(1);
      expect(order.draws).toHaveLength(orders[index]!.items[0]!.quantity);
      expect(order.refunds).toEqual([]);
    }

    const back = await fetch(returnUrl, { redirect: 'manual' });
    expect(back.headers.get('location')).toBe(`/#/order/result/index?combinedId=${id}`);
    expect((await shop.api.get<CombinedPaymentStatus>(`/api/payments/combined/${id}`)).body.status).toBe('PAID');
  });

  test('a notification for the combined payment with another amount changes nothing and gets failure', async () => {
    const { orders, paymentId, formHtml, totalFen } = await alipayTogether('dev-ali-together-amount', [1, 1]);
    await openAlipayCashier(formHtml);
    const credentials = await testAlipayCredentials();
    const notify = (amountFen: number) =>
      alipayNotification(
        { app_id: credentials.appId, seller_id: credentials.sellerId, out_trade_no: paymentId, trade_no: '2026120122001400000000000002', total_amount: fenToYuan(amountFen), trade_status: 'TRADE_SUCCESS' },
        credentials.alipayPrivateKey,
      );
    const before = await snapshotOrders();
    // One member's amount (what a client might claim), and a fen more than the sum.
    for (const amountFen of [orders[0]!.totalFen, totalFen + 1]) expect([amountFen, await postAlipayNotify(server.url, notify(amountFen))]).toEqual([amountFen, 'failure']);
    expect(await snapshotOrders()).toBe(before);
    expect((await combinedPaymentModel(server.container.db).findById(new Types.ObjectId(paymentId.slice(1))).lean())?.state).toBe('OPEN');

    expect(await postAlipayNotify(server.url, notify(totalFen))).toBe('success');
    expect((await docs(orders)).map((order) => order.status)).toEqual(['TO_BE_DELIVERED', 'TO_BE_DELIVERED']);
  });

  test('a member closed before the Alipay money came is refunded its share on Alipay; the other is fulfilled', async () => {
    const { orders, paymentId, formHtml, totalFen } = await alipayTogether('dev-ali-together-closed', [1, 2]);
    const [closed, kept] = orders as [Order, Order];
    await closeHereOnly(server, closed.id);
    await payAtAlipayCashier(server.simulatorUrl, formHtml);
    await waitUntil(async () => ((await docs(orders)).map((order) => order.status).join() === 'REFUNDING,TO_BE_DELIVERED' ? true : null), 15_000, 'the payment applied to both');

    await server.container.refunds.processRefunds(new Types.ObjectId(closed.id), 'test');
    const [refunded, paid] = await docs(orders);
    expect(refunded!.status).toBe('REFUNDED');
    expect(refunded!.refunds).toMatchObject([{ channel: 'alipay', outTradeNo: paymentId, amountFen: closed.totalFen, totalFen, status: 'SUCCESS' }]);
    expect(paid!.draws).toHaveLength(kept.items[0]!.quantity);
    const trade = await simTrade(paymentId);
    expect(Object.values(trade.refunds).map((refund) => refund.amountFen)).toEqual([closed.totalFen]);
    // A share refunded, the rest still paid: the trade stays successful, and so does the refund's notification.
    expect(trade.status).toBe('TRADE_SUCCESS');
    const reports = await deliveredNotifications(paymentId, 2);
    expect(reports[1]).toMatchObject({ tradeStatus: 'TRADE_SUCCESS', outBizNo: refunded!.refunds[0]!.outRefundNo, attempt: 1, answer: 'success' });
  });

  test('paid together in both channels (two tabs): the WeChat payment is kept, each member gets its share of the Alipay one back on Alipay', async () => {
    // Tab 1 holds the Alipay form; tab 2 pays the same orders with WeChat Pay, which closes the Alipay payment first
    // (its trade unknown at Alipay until the cashier opens).
    const { shop, orders, paymentId, formHtml, totalFen } = await alipayTogether('dev-ali-together-both', [1, 2]);
    const wechat = await shop.api.post<{ params: { package: string } }>('/api/payments/combined/jsapi', { orderIds: orders.map((order) => order.id) });
    await payAtSimulator(server.simulatorUrl, prepayIdOf(wechat.body.params.package));
    const paid = await waitUntil(async () => {
      const current = await docs(orders);
      return current.every((order) => order.status === 'TO_BE_DELIVERED') ? current : null;
    }, 15_000, 'the WeChat payment');

    await payAtAlipayCashier(server.simulatorUrl, formHtml);
    const { tradeNo } = await simTrade(paymentId);
    const recorded = await waitUntil(async () => {
      const current = await docs(orders);
      return current.every((order) => order.payment.extraTransactionIds.includes(tradeNo)) ? current : null;
    }, 15_000, 'the Alipay payment recorded on both members');
    for (const [index, order] of recorded.entries()) {
      expect([order.status, order.payment.channel, order.payment.transactionId]).toEqual(['TO_BE_DELIVERED', 'wechatpay', paid[index]!.payment.transactionId]);
      expect(order.draws).toEqual(paid[index]!.draws);
      expect(order.refunds).toMatchObject([{ channel: 'alipay', transactionId: tradeNo, outTradeNo: paymentId, amountFen: orders[index]!.totalFen, totalFen }]);
      await server.container.refunds.processRefunds(order._id, 'test');
    }
    const trade = await simTrade(paymentId);
    expect(Object.values(trade.refunds).map((refund) => refund.amountFen).sort()).toEqual(orders.map((order) => order.totalFen).sort());
    expect(trade.status).toBe('TRADE_CLOSED');
  });
});
