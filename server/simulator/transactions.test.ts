import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jsapiOrder, startHarness, uniqueTradeNo, type Harness } from './test-support/fixture';

// Loopback port 1 refuses connections, so callbacks for paid orders here never leave the machine.
const NOTIFY = 'https://127.0.0.1:1/api/payments/wechat/notify';

describe('WeChat Pay simulator: transactions API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.sim.stop());

  const query = (outTradeNo: string) =>
    h.client.request('GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${h.client.credentials.mchid}`);

  it('returns the same prepay_id for a repeated identical prepay and refuses a reused number', async () => {
    const outTradeNo = uniqueTradeNo();
    const order = jsapiOrder(h.client, outTradeNo, NOTIFY);
    const first = await h.client.request<{ prepay_id: string }>('POST', '/v3/pay/transactions/jsapi', order);
    expect(first.status).toBe(200);
    expect(first.body.prepay_id).toMatch(/^wx\d{14}[a-z0-9]{20}$/);
    expect(first.headers.get('request-id')).toBeTruthy();

    const again = await h.client.request<{ prepay_id: string }>('POST', '/v3/pay/transactions/jsapi', {
      ...order,
      time_expire: '2099-01-01T00:00:00+08:00',
    });
    expect(again.body.prepay_id).toBe(first.body.prepay_id);

    const changed = await h.client.request('POST', '/v3/pay/transactions/jsapi', { ...order, amount: { total: 1 } });
    expect(changed.status).toBe(403);
    expect(changed.body.code).toBe('OUT_TRADE_NO_USED');
  });

  it('creates Native orders with a code_url and keeps it stable', async () => {
    const order = jsapiOrder(h.client, uniqueTradeNo('N'), NOTIFY);
    delete order.payer;
    const first = await h.client.request<{ code_url: string }>('POST', '/v3/pay/transactions/native', order);
    expect(first.body.code_url).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=\w{7}$/);
    const again = await h.client.request<{ code_url: string }>('POST', '/v3/pay/transactions/native', order);
    expect(again.body.code_url).toBe(first.body.code_url);
    const page = await fetch(`${h.sim.url}/sim/native?code_url=${encodeURIComponent(first.body.code_url)}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('¥19.99');
  });

  it.each([
    ['short out_trade_no', { out_trade_no: 'abc' }, 400, 'PARAM_ERROR'],
    ['bad characters', { out_trade_no: 'abc def!' }, 400, 'PARAM_ERROR'],
    ['zero amount', { amount: { total: 0 } }, 400, 'PARAM_ERROR'],
    ['fractional amount', { amount: { total: 1.5 } }, 400, 'PARAM_ERROR'],
    ['foreign currency', { amount: { total: 100, currency: 'USD' } }, 400, 'PARAM_ERROR'],
    ['missing description', { description: undefined }, 400, 'PARAM_ERROR'],
    ['bad time_expire', { time_expire: '2030-01-01 10:00:00' }, 400, 'PARAM_ERROR'],
    ['http notify_url', { notify_url: 'http://merchant.example.com/notify' }, 400, 'PARAM_ERROR'],
    ['notify_url with query', { notify_url: 'https://merchant.example.com/notify?a=1' }, 400, 'PARAM_ERROR'],
    ['missing payer', { payer: undefined }, 400, 'PARAM_ERROR'],
    ['other appid', { appid: 'wx0000000000000000' }, 400, 'APPID_MCHID_NOT_MATCH'],
    ['other mchid', { mchid: '1900000109' }, 400, 'MCH_NOT_EXISTS'],
  ])('rejects %s', async (_name, patch, status, code) => {
    const order = { ...jsapiOrder(h.client, uniqueTradeNo(), NOTIFY), ...patch };
    const response = await h.client.request('POST', '/v3/pay/transactions/jsapi', order);
    expect(response.status).toBe(status);
    expect(response.body.code).toBe(code);
    expect(typeof response.body.message).toBe('string');
  });

  it('accepts plain http notify_url on loopback', async () => {
    const order = jsapiOrder(h.client, uniqueTradeNo(), 'http://127.0.0.1:3000/api/payments/wechat/notify');
    expect((await h.client.request('POST', '/v3/pay/transactions/jsapi', order)).status).toBe(200);
  });

  it('reports NOTPAY, then SUCCESS after the user pays, by out_trade_no and by transaction_id', async () => {
    const outTradeNo = uniqueTradeNo();
    const { body } = await h.client.request<{ prepay_id: string }>('POST', '/v3/pay/transactions/jsapi', jsapiOrder(h.client, outTradeNo, NOTIFY));
    const unpaid = await query(outTradeNo);
    expect(unpaid.body).toMatchObject({ trade_state: 'NOTPAY', trade_type: 'JSAPI', out_trade_no: outTradeNo, amount: { total: 1999 } });
    expect(unpaid.body.transaction_id).toBeUndefined();

    const checkout = await fetch(`${h.sim.url}/sim/checkout/${body.prepay_id}`);
    const html = await checkout.text();
    expect(html).toContain('¥19.99');
    // A person reads this page: Chinese like WeChat's sheet (the merchant's own description and order number aside);
    // the protocol's value stays in an attribute.
    expect(html).toContain('data-trade-state="NOTPAY"');
    const visible = html.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>|<title>[\s\S]*?<\/title>|<[^>]+>/g, ' ').replace(outTradeNo, ' ').replace('Blindbox - test box', ' ');
    expect(visible).toContain('待支付');
    expect(visible).toContain('确认支付');
    expect(visible.match(/[A-Za-z]{2,}/g)).toBeNull();

    const cancelled = await h.control('POST', '/sim/pay', { prepayId: body.prepay_id, result: 'CANCEL' });
    expect(cancelled.body.trade_state).toBe('NOTPAY');
    const paid = await h.control('POST', '/sim/pay', { prepayId: body.prepay_id, result: 'SUCCESS' });
    expect(paid.status).toBe(200);

    const tx = (await query(outTradeNo)).body;
    expect(tx).toMatchObject({
      appid: h.client.credentials.appid,
      mchid: h.client.credentials.mchid,
      trade_state: 'SUCCESS',
      trade_state_desc: '支付成功',
      bank_type: 'OTHERS',
      attach: 'order-42',
      payer: { openid: 'oTestOpenid0000000000000000' },
      amount: { total: 1999, payer_total: 1999, currency: 'CNY', payer_currency: 'CNY' },
    });
    expect(tx.transaction_id).toMatch(/^\d{28}$/);
    expect(tx.success_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);

    const byId = await h.client.request('GET', `/v3/pay/transactions/id/${String(tx.transaction_id)}?mchid=${h.client.credentials.mchid}`);
    expect(byId.body).toEqual(tx);

    const again = await h.client.request('POST', '/v3/pay/transactions/jsapi', jsapiOrder(h.client, outTradeNo, NOTIFY));
    expect(again.body.code).toBe('ORDERPAID');
  });

  it('reports PAYERROR and unknown orders', async () => {
    const outTradeNo = uniqueTradeNo();
    await h.client.request('POST', '/v3/pay/transactions/jsapi', jsapiOrder(h.client, outTradeNo, NOTIFY));
    await h.control('POST', '/sim/pay', { outTradeNo, result: 'PAYERROR' });
    expect((await query(outTradeNo)).body.trade_state).toBe('PAYERROR');

    const missing = await query('NO_SUCH_ORDER_1');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('ORDER_NOT_EXIST');
  });

  it('closes unpaid orders, refuses to close paid ones, and refuses payment after close', async () => {
    const mchid = h.client.credentials.mchid;
    const open = uniqueTradeNo();
    await h.client.request('POST', '/v3/pay/transactions/jsapi', jsapiOrder(h.client, open, NOTIFY));
    const closed = await h.client.request('POST', `/v3/pay/transactions/out-trade-no/${open}/close`, { mchid });
    expect(closed.status).toBe(204);
    expect(closed.text).toBe('');
    expect((await h.client.request('POST', `/v3/pay/transactions/out-trade-no/${open}/close`, { mchid })).status).toBe(204);
    expect((await query(open)).body.trade_state).toBe('CLOSED');
    const payClosed = await h.control('POST', '/sim/pay', { outTradeNo: open, result: 'SUCCESS' });
    expect(payClosed.status).toBe(400);
    expect(payClosed.body.code).toBe('ORDER_CLOSED');
    const reuse = await h.client.request('POST', '/v3/pay/transactions/jsapi', jsapiOrder(h.client, open, NOTIFY));
    expect(reuse.body.code).toBe('ORDER_CLOSED');

    const paid = uniqueTradeNo();
    await h.client.request('POST', '/v3/pay/transactions/jsapi', jsapiOrder(h.client, paid, NOTIFY));
    await h.control('POST', '/sim/pay', { outTradeNo: paid, result: 'SUCCESS' });
    const refused = await h.client.request('POST', `/v3/pay/transactions/out-trade-no/${paid}/close`, { mchid });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('ORDERPAID');
  });

  it('closes an order once its time_expire has passed', async () => {
    const outTradeNo = uniqueTradeNo();
    // At time scale 0.001 the one-minute minimum lifetime is 60 ms.
    const order = { ...jsapiOrder(h.client, outTradeNo, NOTIFY), time_expire: new Date(Date.now() - 1000).toISOString().replace(/\.\d+Z$/, 'Z') };
    expect((await h.client.request('POST', '/v3/pay/transactions/jsapi', order)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect((await query(outTradeNo)).body.trade_state).toBe('CLOSED');
    expect((await h.control('POST', '/sim/pay', { outTradeNo, result: 'SUCCESS' })).body.code).toBe('ORDER_CLOSED');
  });

  it('answers 401 SIGN_ERROR for bad merchant signatures, still signed', async () => {
    const url = `/v3/pay/transactions/out-trade-no/ANY_ORDER_1?mchid=${h.client.credentials.mchid}`;
    for (const tweaks of [
      { timestampOffsetSeconds: -301 },
      { timestampOffsetSeconds: 600 },
      { serial: 'ABCDEF0123456789' },
      { mchid: '1900000109' },
      { signedBody: '{"tampered":true}' },
    ]) {
      const response = await h.client.request('GET', url, undefined, tweaks);
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('SIGN_ERROR');
    }
    const unsigned = await fetch(h.sim.url + url);
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get('wechatpay-signature')).toBeTruthy();
  });

  it('injects SYSTEM_ERROR answers and swallowed answers on request', async () => {
    await h.control('POST', '/sim/faults', { apiError: { code: 'SYSTEM_ERROR', count: 1 } });
    const outTradeNo = uniqueTradeNo();
    const order = jsapiOrder(h.client, outTradeNo, NOTIFY);
    const failed = await h.client.request('POST', '/v3/pay/transactions/jsapi', order);
    expect(failed.status).toBe(500);
    expect(failed.body.code).toBe('SYSTEM_ERROR');

    await h.control('POST', '/sim/faults', { apiTimeout: { count: 1 } });
    const attempt = h.client.request('POST', '/v3/pay/transactions/jsapi', order);
    await expect(Promise.race([attempt, new Promise((_r, reject) => setTimeout(() => reject(new Error('timeout')), 300))])).rejects.toThrow('timeout');
    // The order was created although its answer never came; retrying yields it.
    const retried = await h.client.request<{ prepay_id: string }>('POST', '/v3/pay/transactions/jsapi', order);
    expect(retried.status).toBe(200);
    await h.control('DELETE', '/sim/faults');
    attempt.catch(() => undefined);
  });

  it('serves jscode2session with deterministic openids', async () => {
    const { appid, appSecret } = h.client.credentials;
    const login = async (code: string, secret = appSecret) =>
      (await fetch(`${h.sim.url}/sns/jscode2session?appid=${appid}&secret=${secret}&js_code=${code}&grant_type=authorization_code`)).json() as Promise<Record<string, unknown>>;
    const alice = await login('dev-alice');
    expect(alice.openid).toMatch(/^o[\w-]{27}$/);
    expect(typeof alice.session_key).toBe('string');
    expect((await login('dev-alice')).openid).toBe(alice.openid);
    expect((await login('dev-bob')).openid).not.toBe(alice.openid);
    expect(await login('invalid')).toEqual({ errcode: 40029, errmsg: 'invalid code' });
    expect((await login('dev-alice', 'wrong')).errcode).toBe(40125);
  });
});
