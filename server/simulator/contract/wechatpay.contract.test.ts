/**
 * Contract tests: each WeChat Pay v3 API the shop uses, called on the simulator over HTTP by the independent
 * merchant client (test-support/v3-client.ts), its answer checked against the shape written here from WeChat's
 * field tables (https://pay.weixin.qq.com/wiki/doc/apiv3/apis/, 直连商户 JSAPI/Native). The shapes are not taken
 * from the simulator: a simulator that drops a field, renames an enum value or accepts what WeChat refuses fails here.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { jsapiOrder, startHarness, uniqueTradeNo, waitUntil, type Harness } from '../test-support/fixture';
import { CallbackReceiver } from '../test-support/receiver';
import { decryptResource } from '../test-support/v3-client';

const rfc3339 = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
/** 错误信息: every 4xx/5xx answer is {code, message} (APIv3 接口规则, 错误信息). */
const errorShape = z.object({ code: z.string().min(1), message: z.string().min(1) });

/** 查询订单 (chapter3_1_2 / chapter3_4_2) 返回参数. */
const transactionShape = z.object({
  appid: z.string().min(1).max(32),
  mchid: z.string().min(1).max(32),
  out_trade_no: z.string().min(6).max(32),
  transaction_id: z.string().max(32).optional(),
  trade_type: z.enum(['JSAPI', 'NATIVE', 'APP', 'MICROPAY', 'MWEB', 'FACEPAY']).optional(),
  trade_state: z.enum(['SUCCESS', 'REFUND', 'NOTPAY', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR']),
  trade_state_desc: z.string().min(1),
  bank_type: z.string().optional(),
  attach: z.string().max(128).optional(),
  success_time: rfc3339.optional(),
  payer: z.object({ openid: z.string().min(1).max(128) }).optional(),
  amount: z.object({ total: z.number().int().optional(), payer_total: z.number().int().optional(), currency: z.string().optional(), payer_currency: z.string().optional() }).optional(),
});
const paidTransactionShape = transactionShape.extend({
  transaction_id: z.string().min(1).max(32),
  trade_type: z.enum(['JSAPI', 'NATIVE']),
  trade_state: z.literal('SUCCESS'),
  bank_type: z.string().min(1),
  success_time: rfc3339,
  payer: z.object({ openid: z.string().min(1) }),
  amount: z.object({ total: z.number().int().positive(), payer_total: z.number().int(), currency: z.literal('CNY'), payer_currency: z.literal('CNY') }),
});

/** 退款申请 / 查询单笔退款 (chapter3_1_9, chapter3_1_10) 返回参数. */
const refundShape = z.object({
  refund_id: z.string().min(1).max(32),
  out_refund_no: z.string().min(1).max(64),
  transaction_id: z.string().min(1).max(32),
  out_trade_no: z.string().min(1).max(32),
  channel: z.enum(['ORIGINAL', 'BALANCE', 'OTHER_BALANCE', 'OTHER_BANKCARD']),
  user_received_account: z.string().min(1),
  success_time: rfc3339.optional(),
  create_time: rfc3339,
  status: z.enum(['SUCCESS', 'CLOSED', 'PROCESSING', 'ABNORMAL']),
  funds_account: z.enum(['UNSETTLED', 'AVAILABLE', 'UNAVAILABLE', 'OPERATION', 'BASIC', 'ECNY_BASIC']).optional(),
  amount: z.object({
    total: z.number().int(),
    refund: z.number().int(),
    payer_total: z.number().int(),
    payer_refund: z.number().int(),
    settlement_refund: z.number().int(),
    settlement_total: z.number().int(),
    discount_refund: z.number().int(),
    currency: z.literal('CNY'),
  }),
  promotion_detail: z.array(z.unknown()).optional(),
});

/** 支付通知 / 退款结果通知: the envelope, and the refund notification's resource (解密后). */
const notificationShape = z.object({
  id: z.string().min(1).max(36),
  create_time: rfc3339,
  event_type: z.enum(['TRANSACTION.SUCCESS', 'REFUND.SUCCESS', 'REFUND.ABNORMAL', 'REFUND.CLOSED']),
  resource_type: z.literal('encrypt-resource'),
  summary: z.string().min(1),
  resource: z.object({ algorithm: z.literal('AEAD_AES_256_GCM'), original_type: z.enum(['transaction', 'refund']), ciphertext: z.string().min(1), associated_data: z.string().optional(), nonce: z.string().min(1) }),
});
const refundResourceShape = z.object({
  mchid: z.string().min(1),
  out_trade_no: z.string().min(1),
  transaction_id: z.string().min(1),
  out_refund_no: z.string().min(1),
  refund_id: z.string().min(1),
  refund_status: z.enum(['SUCCESS', 'CLOSED', 'ABNORMAL']),
  success_time: rfc3339.optional(),
  user_received_account: z.string().min(1),
  amount: z.object({ total: z.number().int(), refund: z.number().int(), payer_total: z.number().int(), payer_refund: z.number().int() }),
});

/** 获取平台证书列表 (wechatpay5_1). */
const certificatesShape = z.object({
  data: z
    .array(
      z.object({
        serial_no: z.string().min(1),
        effective_time: rfc3339,
        expire_time: rfc3339,
        encrypt_certificate: z.object({ algorithm: z.literal('AEAD_AES_256_GCM'), nonce: z.string().min(1), associated_data: z.string(), ciphertext: z.string().min(1) }),
      }),
    )
    .min(1),
});

/** 申请交易账单 (chapter7_9_1) 返回参数, and the three layouts of 交易账单文件格式说明 (format-trade). */
const tradeBillShape = z.object({ hash_type: z.literal('SHA1'), hash_value: z.string().regex(/^[0-9a-f]{40}$/), download_url: z.string().url() });
const BILL_LAYOUTS = {
  ALL: [
    '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注',
    '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额',
  ],
  SUCCESS: [
    '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注',
    '总交易单数,应结订单总金额,手续费总金额,订单总金额',
  ],
  REFUND: [
    '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注',
    '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额',
  ],
} as const;

/** jscode2session (小程序登录): {openid, session_key, unionid?} or {errcode, errmsg}. */
const sessionShape = z.object({ openid: z.string().min(1), session_key: z.string().min(1), unionid: z.string().optional() });

describe('WeChat Pay v3 contract (simulator over HTTP, shapes from the docs)', () => {
  let h: Harness;
  let receiver: CallbackReceiver;
  beforeAll(async () => {
    h = await startHarness();
    receiver = await CallbackReceiver.start();
  });
  afterAll(async () => {
    await receiver.close();
    await h.sim.stop();
  });

  const query = (outTradeNo: string) => h.client.request('GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${h.client.credentials.mchid}`);
  async function paid(total = 1999): Promise<{ outTradeNo: string; prepayId: string }> {
    const outTradeNo = uniqueTradeNo('C');
    const { body } = await h.client.request<{ prepay_id: string }>('POST', '/v3/pay/transactions/jsapi', jsapiOrder(h.client, outTradeNo, receiver.url, total));
    expect((await h.control('POST', '/sim/pay', { prepayId: body.prepay_id, result: 'SUCCESS' })).status).toBe(200);
    return { outTradeNo, prepayId: body.prepay_id };
  }

  it('contract: POST /v3/pay/transactions/jsapi answers {prepay_id}; a missing description is 400 PARAM_ERROR', async () => {
    const created = await h.client.request('POST', '/v3/pay/transactions/jsapi', jsapiOrder(h.client, uniqueTradeNo('C'), receiver.url));
    expect(created.status).toBe(200);
    expect(z.object({ prepay_id: z.string().min(1).max(64) }).strict().parse(created.body)).toBeTruthy();
    const { description: _description, ...undescribed } = jsapiOrder(h.client, uniqueTradeNo('C'), receiver.url);
    const refused = await h.client.request('POST', '/v3/pay/transactions/jsapi', undescribed);
    expect(refused.status).toBe(400);
    expect(errorShape.parse(refused.body).code).toBe('PARAM_ERROR');
  });

  it('contract: POST /v3/pay/transactions/native answers {code_url}; a JSAPI order needs payer.openid', async () => {
    const { payer: _payer, ...order } = jsapiOrder(h.client, uniqueTradeNo('C'), receiver.url);
    const created = await h.client.request('POST', '/v3/pay/transactions/native', order);
    expect(created.status).toBe(200);
    expect(z.object({ code_url: z.string().regex(/^weixin:\/\//).max(64) }).strict().parse(created.body)).toBeTruthy();
    const refused = await h.client.request('POST', '/v3/pay/transactions/jsapi', order);
    expect([refused.status, errorShape.parse(refused.body).code]).toEqual([400, 'PARAM_ERROR']);
  });

  it('contract: GET /v3/pay/transactions/out-trade-no/{no} answers the documented transaction; unknown is 404 ORDER_NOT_EXIST', async () => {
    const open = uniqueTradeNo('C');
    await h.client.request('POST', '/v3/pay/transactions/jsapi', jsapiOrder(h.client, open, receiver.url));
    expect(transactionShape.parse((await query(open)).body)).toMatchObject({ trade_state: 'NOTPAY' });
    const { outTradeNo } = await paid();
    const answer = paidTransactionShape.parse((await query(outTradeNo)).body);
    expect(answer).toMatchObject({ out_trade_no: outTradeNo, trade_type: 'JSAPI', amount: { total: 1999 } });
    const missing = await query(uniqueTradeNo('C'));
    expect([missing.status, errorShape.parse(missing.body).code]).toEqual([404, 'ORDER_NOT_EXIST']);
  });

  it('contract: POST …/close answers 204 with no body; the order then reports CLOSED', async () => {
    const outTradeNo = uniqueTradeNo('C');
    await h.client.request('POST', '/v3/pay/transactions/jsapi', jsapiOrder(h.client, outTradeNo, receiver.url));
    const closed = await h.client.request('POST', `/v3/pay/transactions/out-trade-no/${outTradeNo}/close`, { mchid: h.client.credentials.mchid });
    expect([closed.status, closed.text]).toEqual([204, '']);
    expect(transactionShape.parse((await query(outTradeNo)).body).trade_state).toBe('CLOSED');
  });

  it('contract: POST /v3/refund/domestic/refunds and GET …/refunds/{no} answer the documented refund; the refund notification decrypts to the documented resource', async () => {
    const { outTradeNo } = await paid(1000);
    const outRefundNo = uniqueTradeNo('R');
    const created = await h.client.request('POST', '/v3/refund/domestic/refunds', {
      out_trade_no: outTradeNo,
      out_refund_no: outRefundNo,
      notify_url: receiver.url,
      amount: { refund: 400, total: 1000, currency: 'CNY' },
    });
    expect(created.status).toBe(200);
    expect(refundShape.parse(created.body)).toMatchObject({ out_refund_no: outRefundNo, status: 'PROCESSING', amount: { refund: 400, total: 1000 } });
    expect(refundShape.parse((await h.client.request('GET', `/v3/refund/domestic/refunds/${outRefundNo}`)).body).out_refund_no).toBe(outRefundNo);
    const tooMuch = await h.client.request('POST', '/v3/refund/domestic/refunds', { out_trade_no: outTradeNo, out_refund_no: uniqueTradeNo('R'), amount: { refund: 700, total: 1000, currency: 'CNY' } });
    expect(tooMuch.status).toBe(400);
    errorShape.parse(tooMuch.body);

    await waitUntil(() => receiver.received.some((callback) => callback.body.includes('REFUND.SUCCESS')), 15_000);
    const callback = receiver.received.find((entry) => entry.body.includes('REFUND.SUCCESS'))!;
    const envelope = notificationShape.parse(JSON.parse(callback.body));
    expect(envelope.resource.original_type).toBe('refund');
    const resource = refundResourceShape.parse(JSON.parse(decryptResource(h.client.credentials.apiV3Key, { ...envelope.resource, associated_data: envelope.resource.associated_data ?? '' })));
    expect(resource).toMatchObject({ out_refund_no: outRefundNo, refund_status: 'SUCCESS', amount: { refund: 400, total: 1000 } });
  });

  it('contract: the TRANSACTION.SUCCESS notification is the documented envelope around the documented transaction', async () => {
    const { outTradeNo } = await paid();
    await waitUntil(() => receiver.received.some((callback) => callback.body.includes('TRANSACTION.SUCCESS') && decrypted(callback.body).out_trade_no === outTradeNo), 15_000);
    const callback = receiver.received.find((entry) => entry.body.includes('TRANSACTION.SUCCESS') && decrypted(entry.body).out_trade_no === outTradeNo)!;
    expect(notificationShape.parse(JSON.parse(callback.body)).resource.original_type).toBe('transaction');
    expect(paidTransactionShape.parse(decrypted(callback.body)).out_trade_no).toBe(outTradeNo);
    for (const header of ['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial']) expect(callback.headers[header]).toBeTruthy();
  });

  function decrypted(body: string): Record<string, unknown> {
    const { resource } = notificationShape.parse(JSON.parse(body));
    return JSON.parse(decryptResource(h.client.credentials.apiV3Key, { ...resource, associated_data: resource.associated_data ?? '' })) as Record<string, unknown>;
  }

  it('contract: GET /v3/certificates lists encrypted certificates as documented', async () => {
    const answer = await h.client.request('GET', '/v3/certificates');
    expect(answer.status).toBe(200);
    expect(certificatesShape.parse(answer.body).data[0]?.encrypt_certificate.associated_data).toBe('certificate');
  });

  it('contract: GET /v3/bill/tradebill gives the SHA1 of the bill itself; the three bill types have their documented layouts; the summary is gross', async () => {
    const { outTradeNo } = await paid(1000);
    await h.client.request('POST', '/v3/refund/domestic/refunds', { out_trade_no: outTradeNo, out_refund_no: uniqueTradeNo('R'), amount: { refund: 300, total: 1000, currency: 'CNY' } });
    const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    for (const [type, [header, summaryHeader]] of Object.entries(BILL_LAYOUTS)) {
      const answer = await h.client.request('GET', `/v3/bill/tradebill?bill_date=${day}&bill_type=${type}&tar_type=GZIP`);
      const location = tradeBillShape.parse(answer.body);
      const url = new URL(location.download_url);
      const file = await fetch(h.sim.url + url.pathname + url.search, { headers: { Authorization: h.client.authorization('GET', url.pathname + url.search, '') } });
      const bill = gunzipSync(Buffer.from(await file.arrayBuffer()));
      // hash_value: "原始账单(gzip需要解压缩)的摘要值".
      expect(createHash('sha1').update(bill).digest('hex')).toBe(location.hash_value);
      const lines = bill.toString('utf8').split('\r\n').filter(Boolean);
      expect([type, lines[0]]).toEqual([type, header]);
      expect([type, lines.at(-2)]).toEqual([type, summaryHeader]);
      const columns = header.split(',').length;
      for (const line of lines.slice(1, -2)) expect(line.slice(1).split(',`')).toHaveLength(columns);
      const summary = Object.fromEntries(summaryHeader.split(',').map((name, i) => [name, lines.at(-1)!.slice(1).split(',`')[i]]));
      // 应结订单总金额 adds the rows' 应结订单金额: a refund line settles 0.00, so refunds do not reduce it.
      const settled = lines.slice(1, -2).reduce((sum, line) => sum + Math.round(Number(line.slice(1).split(',`')[header.split(',').indexOf('应结订单金额')]) * 100), 0);
      expect([type, Math.round(Number(summary['应结订单总金额']) * 100)]).toEqual([type, settled]);
    }
    const none = await h.client.request('GET', '/v3/bill/tradebill?bill_date=2099-01-01');
    expect([none.status, errorShape.parse(none.body).code]).toEqual([400, 'NO_STATEMENT_EXIST']);
  });

  it('contract: GET /sns/jscode2session answers {openid, session_key}; an invalid code is errcode 40029', async () => {
    const { appid, appSecret } = h.client.credentials;
    const login = async (code: string) => (await fetch(`${h.sim.url}/sns/jscode2session?appid=${appid}&secret=${appSecret}&js_code=${code}&grant_type=authorization_code`)).json();
    expect(sessionShape.parse(await login('dev-contract'))).toBeTruthy();
    expect(await login('invalid')).toMatchObject({ errcode: 40029, errmsg: expect.any(String) });
  });
});
