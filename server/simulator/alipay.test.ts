import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { TEST_CREDENTIALS_DIR } from './test-support/fixture';
import { ensureDevCredentials } from '../dev/credentials';
import { startSimulator, type RunningSimulator } from './src/simulator';
import { alipayMerchant, alipayTestDir, notifyReceiver as receiver, type AlipayMerchant } from './test-support/alipay-merchant';

/**
 * The Alipay side of the simulator over real HTTP, driven by a merchant written on node:crypto alone
 * (test-support/alipay-merchant.ts: not the shop's adapter or the simulator's own signing code).
 */
let sim: RunningSimulator;
let merchantSide: AlipayMerchant;

beforeAll(async () => {
  await ensureDevCredentials(TEST_CREDENTIALS_DIR);
  sim = await startSimulator({ credentialsDir: TEST_CREDENTIALS_DIR, alipayCredentialsDir: await alipayTestDir(), port: 0, timeScale: 0.0001 });
  merchantSide = await alipayMerchant(sim.url);
});
afterAll(() => sim.stop());

const signed = (method: string, biz: Record<string, string>, extra: Record<string, string> = {}) => merchantSide.signed(method, biz, extra);
const gateway = (params: Record<string, string>) => merchantSide.gateway(params);
const call = (method: string, biz: Record<string, string>) => merchantSide.call(method, biz);

let sequence = 0;
const pagePay = (notifyUrl: string, amount = '19.90') => {
  const outTradeNo = `simtest${Date.now()}_${(sequence += 1)}`;
  const biz = { out_trade_no: outTradeNo, total_amount: amount, subject: '测试盲盒', product_code: 'FAST_INSTANT_TRADE_PAY' };
  return { outTradeNo, biz, params: signed('alipay.trade.page.pay', biz, { notify_url: notifyUrl, return_url: 'http://127.0.0.1:1/return' }) };
};

test('the page-pay form is verified: bad signatures, other app ids and changed amounts are refused', async () => {
  const { biz, params } = pagePay('http://127.0.0.1:1/notify');
  expect((await gateway({ ...params, sign: params.sign!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) })).status).toBe(400);
  expect((await gateway({ ...params, biz_content: JSON.stringify({ ...biz, total_amount: '0.01' }) })).status).toBe(400);
  expect((await gateway(signed('alipay.trade.page.pay', biz, { app_id: '2021000000000009', notify_url: 'http://127.0.0.1:1/notify', return_url: 'http://127.0.0.1:1/return' }))).status).toBe(400);
  const cashier = await gateway(params);
  expect(cashier.status).toBe(200);
  expect(await cashier.text()).toContain('¥19.90');
  const cheaper = signed('alipay.trade.page.pay', { ...biz, total_amount: '0.01' }, { notify_url: 'http://127.0.0.1:1/notify', return_url: 'http://127.0.0.1:1/return' });
  expect(await (await gateway(cheaper)).text()).toContain('TRADE_HAS_CHANGE');
});

test('a notification is signed with Alipay\'s key and retried until the merchant answers success', async () => {
  const merchant = await receiver(['failure', 'oops', 'success']);
  try {
    const { outTradeNo, params } = pagePay(merchant.url);
    await gateway(params);
    const paid = await fetch(`${sim.url}/alipay/cashier/${outTradeNo}/pay`, { method: 'POST', redirect: 'manual' });
    expect(paid.status).toBe(302);
    const back = Object.fromEntries(new URL(paid.headers.get('location')!).searchParams);
    expect(merchantSide.signedByAlipay(back)).toBe(true);

    const deadline = Date.now() + 10_000;
    while (merchant.received.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(merchant.received).toHaveLength(3);
    for (const notification of merchant.received) {
      expect(notification).toMatchObject({ out_trade_no: outTradeNo, total_amount: '19.90', trade_status: 'TRADE_SUCCESS', app_id: merchantSide.credentials.appId, seller_id: merchantSide.credentials.sellerId });
      expect(merchantSide.signedByAlipay(notification)).toBe(true);
    }
    expect(new Set(merchant.received.map((notification) => notification.notify_id)).size).toBe(1);
  } finally {
    await merchant.close();
  }
});

test('query, close and refund answer as Alipay does, refunds idempotent on out_request_no', async () => {
  expect(await call('alipay.trade.query', { out_trade_no: 'never-opened' })).toMatchObject({ code: '40004', sub_code: 'ACQ.TRADE_NOT_EXIST' });
  expect(await call('alipay.trade.close', { out_trade_no: 'never-opened' })).toMatchObject({ sub_code: 'ACQ.TRADE_NOT_EXIST' });

  const open = pagePay('http://127.0.0.1:1/notify');
  await gateway(open.params);
  expect(await call('alipay.trade.query', { out_trade_no: open.outTradeNo })).toMatchObject({ code: '10000', trade_status: 'WAIT_BUYER_PAY', total_amount: '19.90' });
  expect(await call('alipay.trade.close', { out_trade_no: open.outTradeNo })).toMatchObject({ code: '10000' });
  expect(await call('alipay.trade.query', { out_trade_no: open.outTradeNo })).toMatchObject({ trade_status: 'TRADE_CLOSED' });

  const merchant = await receiver([]);
  try {
    const paid = pagePay(merchant.url, '10.00');
    await gateway(paid.params);
    await fetch(`${sim.url}/alipay/cashier/${paid.outTradeNo}/pay`, { method: 'POST', redirect: 'manual' });
    expect(await call('alipay.trade.close', { out_trade_no: paid.outTradeNo })).toMatchObject({ sub_code: 'ACQ.TRADE_STATUS_ERROR' });
    const refund = { out_trade_no: paid.outTradeNo, refund_amount: '10.00', out_request_no: 'RF1' };
    expect(await call('alipay.trade.refund', refund)).toMatchObject({ code: '10000', fund_change: 'Y', refund_fee: '10.00' });
    expect(await call('alipay.trade.refund', refund)).toMatchObject({ code: '10000', fund_change: 'N', refund_fee: '10.00' });
    expect(await call('alipay.trade.refund', { ...refund, out_request_no: 'RF2' })).toMatchObject({ sub_code: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL' });
    expect(await call('alipay.trade.fastpay.refund.query', { out_trade_no: paid.outTradeNo, out_request_no: 'RF1' })).toMatchObject({ refund_status: 'REFUND_SUCCESS', refund_amount: '10.00' });
    expect(await call('alipay.trade.query', { out_trade_no: paid.outTradeNo })).toMatchObject({ trade_status: 'TRADE_CLOSED' });
  } finally {
    await merchant.close();
  }
});
