/**
 * Contract tests for the Alipay open-platform APIs the shop uses, on the simulator over HTTP, by a merchant written
 * on node:crypto alone. Shapes and codes are written from Alipay's docs (https://opendocs.alipay.com/open/:
 * alipay.trade.page.pay, alipay.trade.query, alipay.trade.close, alipay.trade.refund,
 * alipay.trade.fastpay.refund.query, 异步通知说明, 公共错误码), not from the simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { ensureDevCredentials } from '../../dev/credentials';
import { startSimulator, type RunningSimulator } from '../src/simulator';
import { TEST_CREDENTIALS_DIR } from '../test-support/fixture';
import { alipayMerchant, alipayTestDir, notifyReceiver, type AlipayMerchant } from '../test-support/alipay-merchant';

/** Amounts are yuan strings with at most two decimals (Price). */
const price = z.string().regex(/^\d+(\.\d{1,2})?$/);
const beijing = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
const success = { code: z.literal('10000'), msg: z.literal('Success') };
/** 公共响应参数 of a refusal: code, msg, sub_code, sub_msg. */
const refusal = z.object({ code: z.enum(['20000', '20001', '40001', '40002', '40004', '40006']), msg: z.string().min(1), sub_code: z.string().min(1), sub_msg: z.string().min(1) });
const tradeStatus = z.enum(['WAIT_BUYER_PAY', 'TRADE_CLOSED', 'TRADE_SUCCESS', 'TRADE_FINISHED']);

const queryShape = z.object({ ...success, trade_no: z.string().min(1), out_trade_no: z.string().min(1), buyer_logon_id: z.string().min(1), trade_status: tradeStatus, total_amount: price, send_pay_date: beijing.optional() });
const closeShape = z.object({ ...success, trade_no: z.string().optional(), out_trade_no: z.string().optional() });
const refundShape = z.object({ ...success, trade_no: z.string().min(1), out_trade_no: z.string().min(1), buyer_logon_id: z.string().min(1), fund_change: z.enum(['Y', 'N']), refund_fee: price });
const refundQueryShape = z.object({
  ...success,
  trade_no: z.string().optional(),
  out_trade_no: z.string().optional(),
  out_request_no: z.string().optional(),
  total_amount: price.optional(),
  refund_amount: price.optional(),
  refund_status: z.literal('REFUND_SUCCESS').optional(),
});
/** 异步通知参数: the first ten are required; the refund and close fields come when they apply. */
const notificationShape = z.object({
  notify_time: beijing,
  notify_type: z.literal('trade_status_sync'),
  notify_id: z.string().min(1),
  app_id: z.string().min(1),
  charset: z.string().min(1),
  version: z.literal('1.0'),
  sign_type: z.literal('RSA2'),
  sign: z.string().min(1),
  trade_no: z.string().min(1),
  out_trade_no: z.string().min(1),
  trade_status: tradeStatus,
  total_amount: price,
  seller_id: z.string().regex(/^2088\d{12}$/),
  gmt_create: beijing,
  gmt_payment: beijing.optional(),
  gmt_close: beijing.optional(),
  gmt_refund: z.string().optional(),
  refund_fee: price.optional(),
  out_biz_no: z.string().optional(),
});

describe('Alipay contract (simulator over HTTP, shapes from the docs)', () => {
  let sim: RunningSimulator;
  let merchant: AlipayMerchant;
  let sequence = 0;
  beforeAll(async () => {
    await ensureDevCredentials(TEST_CREDENTIALS_DIR);
    sim = await startSimulator({ credentialsDir: TEST_CREDENTIALS_DIR, alipayCredentialsDir: await alipayTestDir(), port: 0, timeScale: 0.0001 });
    merchant = await alipayMerchant(sim.url);
  });
  afterAll(() => sim.stop());

  const pagePayBiz = (amount = '19.90') => ({ out_trade_no: `contract${Date.now()}_${(sequence += 1)}`, total_amount: amount, subject: '盲盒', product_code: 'FAST_INSTANT_TRADE_PAY' });
  const pagePay = (biz: Record<string, string>, extra: Record<string, string>) => merchant.gateway(merchant.signed('alipay.trade.page.pay', biz, extra));
  const waitFor = async (received: unknown[], count: number) => {
    const deadline = Date.now() + 10_000;
    while (received.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received.length).toBeGreaterThanOrEqual(count);
  };

  it('contract: alipay.trade.page.pay — return_url is optional; total_amount from 0.01; an unknown app_id, a bad timestamp or signature are refused', async () => {
    const notify = { notify_url: 'http://127.0.0.1:1/notify' };
    const withoutReturn = await pagePay(pagePayBiz(), notify);
    expect(withoutReturn.status).toBe(200);
    expect(await withoutReturn.text()).toContain('¥19.90');
    expect((await pagePay(pagePayBiz('0.00'), notify)).status).toBe(400);
    expect((await pagePay(pagePayBiz('0.01'), notify)).status).toBe(200);
    expect(await (await pagePay(pagePayBiz(), { ...notify, app_id: '2021000000000009' })).text()).toContain('isv.invalid-app-id');
    expect(await (await pagePay(pagePayBiz(), { ...notify, timestamp: '2020-01-01 00:00:00' })).text()).toContain('isv.invalid-timestamp');
    expect(await (await pagePay(pagePayBiz(), { ...notify, timestamp: '2026/12/01 10:00' })).text()).toContain('isv.invalid-timestamp');
    const params = merchant.signed('alipay.trade.page.pay', pagePayBiz(), notify);
    expect(await (await merchant.gateway({ ...params, sign: params.sign!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) })).text()).toContain('isv.invalid-signature');
  });

  it('contract: the gateway answers an unknown app_id with 40002 isv.invalid-app-id and an unknown method with 40002 isv.invalid-method', async () => {
    expect(refusal.parse(await merchant.call('alipay.trade.query', { out_trade_no: 'x' }, { app_id: '2021000000000009' }))).toMatchObject({ code: '40002', sub_code: 'isv.invalid-app-id' });
    expect(refusal.parse(await merchant.call('alipay.trade.no.such.method', { out_trade_no: 'x' }))).toMatchObject({ code: '40002', sub_code: 'isv.invalid-method' });
  });

  it('contract: alipay.trade.query and alipay.trade.close answer the documented fields; a closed trade is notified TRADE_CLOSED', async () => {
    expect(refusal.parse(await merchant.call('alipay.trade.query', { out_trade_no: 'never-opened' }))).toMatchObject({ code: '40004', sub_code: 'ACQ.TRADE_NOT_EXIST' });
    const receiver = await notifyReceiver();
    try {
      const biz = pagePayBiz();
      await pagePay(biz, { notify_url: receiver.url });
      expect(queryShape.parse(await merchant.call('alipay.trade.query', { out_trade_no: biz.out_trade_no }))).toMatchObject({ trade_status: 'WAIT_BUYER_PAY', total_amount: '19.90' });
      closeShape.parse(await merchant.call('alipay.trade.close', { out_trade_no: biz.out_trade_no }));
      await waitFor(receiver.received, 1);
      const closed = notificationShape.parse(receiver.received[0]);
      expect(closed).toMatchObject({ trade_status: 'TRADE_CLOSED', out_trade_no: biz.out_trade_no });
      expect(closed.gmt_payment).toBeUndefined();
      expect(closed.gmt_close).toBeDefined();
      expect(merchant.signedByAlipay(receiver.received[0]!)).toBe(true);
      expect(refusal.parse(await merchant.call('alipay.trade.close', { out_trade_no: biz.out_trade_no }))).toMatchObject({ sub_code: 'ACQ.TRADE_STATUS_ERROR' });
    } finally {
      await receiver.close();
    }
  });

  it('contract: alipay.trade.refund and alipay.trade.fastpay.refund.query — documented fields, codes, and the notifications after a partial and a full refund', async () => {
    const receiver = await notifyReceiver();
    try {
      const biz = pagePayBiz('10.00');
      await pagePay(biz, { notify_url: receiver.url, return_url: 'http://127.0.0.1:1/return' });
      await fetch(`${sim.url}/alipay/cashier/${biz.out_trade_no}/pay`, { method: 'POST', redirect: 'manual' });
      await waitFor(receiver.received, 1);
      expect(notificationShape.parse(receiver.received[0])).toMatchObject({ trade_status: 'TRADE_SUCCESS', total_amount: '10.00' });
      expect(queryShape.parse(await merchant.call('alipay.trade.query', { out_trade_no: biz.out_trade_no })).send_pay_date).toBeDefined();

      const first = { out_trade_no: biz.out_trade_no, refund_amount: '4.00', out_request_no: 'RF1' };
      expect(refundShape.parse(await merchant.call('alipay.trade.refund', first))).toMatchObject({ fund_change: 'Y', refund_fee: '4.00' });
      expect(refundShape.parse(await merchant.call('alipay.trade.refund', first))).toMatchObject({ fund_change: 'N', refund_fee: '4.00' });
      // The same out_request_no with another amount; more than remains.
      expect(refusal.parse(await merchant.call('alipay.trade.refund', { ...first, refund_amount: '5.00' }))).toMatchObject({ code: '40004', sub_code: 'ACQ.DISCORDANT_REPEAT_REQUEST' });
      expect(refusal.parse(await merchant.call('alipay.trade.refund', { ...first, out_request_no: 'RF2', refund_amount: '6.01' }))).toMatchObject({ code: '40004', sub_code: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL' });
      expect(refundQueryShape.parse(await merchant.call('alipay.trade.fastpay.refund.query', { out_trade_no: biz.out_trade_no, out_request_no: 'RF1' }))).toMatchObject({ out_request_no: 'RF1', refund_amount: '4.00', refund_status: 'REFUND_SUCCESS' });
      expect(refundQueryShape.parse(await merchant.call('alipay.trade.fastpay.refund.query', { out_trade_no: biz.out_trade_no, out_request_no: 'RF9' })).refund_status).toBeUndefined();

      await waitFor(receiver.received, 2);
      // A refund leaving money in the trade: TRADE_SUCCESS, with the refund's out_request_no and the total refunded.
      expect(notificationShape.parse(receiver.received[1])).toMatchObject({ trade_status: 'TRADE_SUCCESS', out_biz_no: 'RF1', refund_fee: '4.00' });
      expect(refundShape.parse(await merchant.call('alipay.trade.refund', { ...first, out_request_no: 'RF2', refund_amount: '6.00' }))).toMatchObject({ fund_change: 'Y', refund_fee: '10.00' });
      await waitFor(receiver.received, 3);
      const full = notificationShape.parse(receiver.received[2]);
      expect(full).toMatchObject({ trade_status: 'TRADE_CLOSED', out_biz_no: 'RF2', refund_fee: '10.00' });
      expect([full.gmt_payment, full.gmt_refund, full.gmt_close].every(Boolean)).toBe(true);
      expect(receiver.received.every((notification) => merchant.signedByAlipay(notification))).toBe(true);
    } finally {
      await receiver.close();
    }
  });
});
