import { createSign, createVerify } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { ensureDevAlipayCredentials, type DevAlipayCredentials } from '../dev/alipay-credentials';
import { TEST_CREDENTIALS_DIR } from './test-support/fixture';
import { ensureDevCredentials } from '../dev/credentials';
import { startSimulator, type RunningSimulator } from './src/simulator';
import { beijingTime } from '@blindbox/shared';

/**
 * The Alipay side of the simulator over real HTTP, driven by a merchant written here on node:crypto alone
 * (not the shop's adapter or the simulator's own signing code), the way the open-platform docs describe it.
 */
const ALIPAY_DIR = path.join(os.tmpdir(), 'blindbox-simulator-test-alipay');
let sim: RunningSimulator;
let credentials: DevAlipayCredentials;
let appPrivateKey: string;
let alipayPublicKey: string;

beforeAll(async () => {
  await ensureDevCredentials(TEST_CREDENTIALS_DIR);
  credentials = await ensureDevAlipayCredentials(ALIPAY_DIR);
  appPrivateKey = await readFile(path.join(ALIPAY_DIR, credentials.appPrivateKeyFile), 'utf8');
  alipayPublicKey = await readFile(path.join(ALIPAY_DIR, credentials.alipayPublicKeyFile), 'utf8');
  sim = await startSimulator({ credentialsDir: TEST_CREDENTIALS_DIR, alipayCredentialsDir: ALIPAY_DIR, port: 0, timeScale: 0.0001 });
});
afterAll(() => sim.stop());

const canonical = (params: Record<string, string>, skip: string[]) =>
  Object.keys(params)
    .filter((key) => !skip.includes(key) && params[key] !== '')
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&');

function signed(method: string, biz: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  const params = { app_id: credentials.appId, method, charset: 'utf-8', sign_type: 'RSA2', timestamp: beijingTime(new Date()), version: '1.0', biz_content: JSON.stringify(biz), ...extra };
  return { ...params, sign: createSign('RSA-SHA256').update(canonical(params, ['sign'])).sign(appPrivateKey, 'base64') };
}

const gateway = (params: Record<string, string>) =>
  fetch(`${sim.url}/alipay/gateway.do`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });

/** An API answer, its signature checked over the inner JSON text as the docs say. */
async function call(method: string, biz: Record<string, string>): Promise<Record<string, string>> {
  const text = await (await gateway(signed(method, biz))).text();
  const key = `${method.replaceAll('.', '_')}_response`;
  const inner = text.slice(text.indexOf(`"${key}":`) + key.length + 3, text.lastIndexOf(',"sign":'));
  const { sign } = JSON.parse(text) as { sign: string };
  expect(createVerify('RSA-SHA256').update(inner).verify(alipayPublicKey, sign, 'base64')).toBe(true);
  return JSON.parse(inner) as Record<string, string>;
}

/** A merchant notify endpoint answering from a script: `failure`, `failure`, `success`, … */
async function receiver(answers: string[]) {
  const received: Array<Record<string, string>> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push(Object.fromEntries(new URLSearchParams(body)));
      res.end(answers[received.length - 1] ?? 'success');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

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
    expect(createVerify('RSA-SHA256').update(canonical(back, ['sign', 'sign_type'])).verify(alipayPublicKey, back.sign!, 'base64')).toBe(true);

    const deadline = Date.now() + 10_000;
    while (merchant.received.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(merchant.received).toHaveLength(3);
    for (const notification of merchant.received) {
      expect(notification).toMatchObject({ out_trade_no: outTradeNo, total_amount: '19.90', trade_status: 'TRADE_SUCCESS', app_id: credentials.appId, seller_id: credentials.sellerId });
      expect(createVerify('RSA-SHA256').update(canonical(notification, ['sign', 'sign_type'])).verify(alipayPublicKey, notification.sign!, 'base64')).toBe(true);
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
