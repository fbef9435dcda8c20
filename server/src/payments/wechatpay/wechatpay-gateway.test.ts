import { X509Certificate, createVerify } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsapiPayParamsSchema } from '@blindbox/shared';
import { WechatPayApiError } from './gateway';
import { type Harness, freshRsaKey, outTradeNo, startHarness } from '../../../test/support/wechatpay-harness';

const FUTURE = () => new Date(Date.now() + 30 * 60_000);

describe('WeChat Pay gateway against the simulator', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ timeScale: 0.01 });
  });
  afterAll(() => h.close());
  afterEach(() => h.sim.delete('/sim/faults'));

  function prepayJsapi(no = outTradeNo(), overrides: Partial<Parameters<Harness['gateway']['prepayJsapi']>[0]> = {}) {
    return h.gateway.prepayJsapi({
      outTradeNo: no,
      description: 'Blindbox Pay - Mystery box x1',
      amountFen: 1990,
      timeExpire: FUTURE(),
      attach: 'order-123',
      payerOpenid: 'o-test-openid',
      ...overrides,
    });
  }

  describe('prepay', () => {
    it('creates a JSAPI order with the documented body and answers the same prepay_id when asked again', async () => {
      const no = outTradeNo();
      const timeExpire = new Date(Math.floor(Date.now() / 1000) * 1000 + 20 * 60_000);
      const first = await prepayJsapi(no, { timeExpire });
      expect(first.prepayId).toMatch(/^wx/);
      const again = await prepayJsapi(no, { timeExpire });
      expect(again).toEqual(first);

      const stored = (await h.sim.get(`/sim/transactions/${no}`)) as Record<string, unknown> & { sim: Record<string, unknown> };
      expect(stored).toMatchObject({ appid: h.credentials.appid, mchid: h.credentials.mchid, trade_type: 'JSAPI', attach: 'order-123', amount: { total: 1990, currency: 'CNY' }, payer: { openid: 'o-test-openid' } });
      expect(stored.sim.notifyUrl).toBe(h.receiver.url);
      // time_expire went out as RFC 3339 in +08:00 and was taken as is.
      expect(stored.sim.expiresAt).toMatch(/\+08:00$/);
      expect(new Date(stored.sim.expiresAt as string).getTime()).toBe(timeExpire.getTime());
    });

    it('refuses the same out_trade_no for different content with OUT_TRADE_NO_USED', async () => {
      const no = outTradeNo();
      await prepayJsapi(no);
      const error = await prepayJsapi(no, { amountFen: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WechatPayApiError);
      expect(error).toMatchObject({ code: 'OUT_TRADE_NO_USED', httpStatus: 403, retryable: false });
    });

    it('creates a Native order and answers the same code_url when asked again', async () => {
      const no = outTradeNo('N');
      const input = { outTradeNo: no, description: 'Blindbox Pay - Native', amountFen: 500, timeExpire: FUTURE() };
      const first = await h.gateway.prepayNative(input);
      expect(first.codeUrl).toMatch(/^weixin:\/\//);
      expect(await h.gateway.prepayNative(input)).toEqual(first);
      const stored = (await h.sim.get(`/sim/transactions/${no}`)) as Record<string, unknown>;
      expect(stored).toMatchObject({ trade_type: 'NATIVE' });
      expect(stored.payer).toBeUndefined();
    });
  });

  it('signs requestPayment parameters that verify with the merchant certificate', async () => {
    const { prepayId } = await prepayJsapi();
    const params = h.gateway.jsapiPayParams(prepayId);
    expect(jsapiPayParamsSchema.parse(params)).toEqual(params);
    expect(params).toMatchObject({ appId: h.credentials.appid, package: `prepay_id=${prepayId}`, signType: 'RSA' });
    expect(Math.abs(Number(params.timeStamp) - Date.now() / 1000)).toBeLessThan(5);
    const message = `${params.appId}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`;
    const certificate = new X509Certificate(h.credentials.merchantCertificatePem);
    expect(createVerify('RSA-SHA256').update(message).verify(certificate.publicKey, params.paySign, 'base64')).toBe(true);
    expect(h.gateway.jsapiPayParams(prepayId).nonceStr).not.toBe(params.nonceStr);
  });

  describe('query', () => {
    it('answers NOTPAY until the user pays, then SUCCESS with the transaction details', async () => {
      const no = outTradeNo();
      const { prepayId } = await prepayJsapi(no);
      const unpaid = await h.gateway.queryTransaction(no);
      expect(unpaid).toMatchObject({ outTradeNo: no, tradeState: 'NOTPAY', amountFen: 1990, transactionId: null, successTime: null, attach: 'order-123' });

      await h.sim.post('/sim/pay', { prepayId, result: 'SUCCESS' });
      const paid = await h.gateway.queryTransaction(no);
      expect(paid).toMatchObject({
        appid: h.credentials.appid,
        mchid: h.credentials.mchid,
        outTradeNo: no,
        tradeType: 'JSAPI',
        tradeState: 'SUCCESS',
        amountFen: 1990,
        payerOpenid: 'o-test-openid',
        attach: 'order-123',
      });
      expect(paid?.transactionId).toMatch(/^\d+$/);
      expect(paid?.successTime).toBeInstanceOf(Date);
      expect(Math.abs(paid!.successTime!.getTime() - Date.now())).toBeLessThan(60_000);
      expect(paid?.raw).toMatchObject({ out_trade_no: no, trade_state: 'SUCCESS' });
    });

    it('answers null for an order WeChat does not know', async () => {
      expect(await h.gateway.queryTransaction(outTradeNo('X'))).toBeNull();
    });
  });

  describe('close', () => {
    it('closes an unpaid order, and closing again or an unknown order still counts as closed', async () => {
      const no = outTradeNo();
      await prepayJsapi(no);
      expect(await h.gateway.closeTransaction(no)).toBe('CLOSED');
      expect(await h.gateway.queryTransaction(no)).toMatchObject({ tradeState: 'CLOSED' });
      expect(await h.gateway.closeTransaction(no)).toBe('CLOSED');
      expect(await h.gateway.closeTransaction(outTradeNo('X'))).toBe('CLOSED');
    });

    it('reports ALREADY_PAID for a paid order and leaves it paid', async () => {
      const no = outTradeNo();
      await prepayJsapi(no);
      await h.sim.post('/sim/pay', { outTradeNo: no, result: 'SUCCESS' });
      expect(await h.gateway.closeTransaction(no)).toBe('ALREADY_PAID');
      expect(await h.gateway.queryTransaction(no)).toMatchObject({ tradeState: 'SUCCESS' });
    });
  });

  describe('refund', () => {
    it('refunds a paid order and finds the refund again', async () => {
      const no = outTradeNo();
      await prepayJsapi(no);
      await h.sim.post('/sim/pay', { outTradeNo: no, result: 'SUCCESS' });
      const outRefundNo = outTradeNo('R');
      const refund = await h.gateway.refund({ outTradeNo: no, outRefundNo, refundFen: 990, totalFen: 1990, reason: 'paid after close' });
      expect(refund).toMatchObject({ outTradeNo: no, outRefundNo, refundFen: 990 });
      expect(['PROCESSING', 'SUCCESS']).toContain(refund.status);
      expect(refund.refundId).toBeTruthy();

      const found = await h.gateway.queryRefund(outRefundNo);
      expect(found).toMatchObject({ outRefundNo, outTradeNo: no, refundId: refund.refundId, refundFen: 990 });
      expect(await h.gateway.queryTransaction(no)).toMatchObject({ tradeState: 'REFUND' });
    });

    it('answers null for a refund WeChat does not know', async () => {
      expect(await h.gateway.queryRefund(outTradeNo('R'))).toBeNull();
    });
  });

  describe('failures', () => {
    it('surfaces SYSTEM_ERROR as retryable, and the retry with the same out_trade_no succeeds', async () => {
      const no = outTradeNo();
      await h.sim.post('/sim/faults', { apiError: { code: 'SYSTEM_ERROR', count: 1 } });
      const error = await prepayJsapi(no).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WechatPayApiError);
      expect(error).toMatchObject({ code: 'SYSTEM_ERROR', httpStatus: 500, retryable: true });
      expect((await prepayJsapi(no)).prepayId).toMatch(/^wx/);
    });

    it('gives up after timeoutMs when WeChat does not answer, as a retryable TIMEOUT', async () => {
      const { gateway } = h.gatewayWith({ timeoutMs: 300 });
      const no = outTradeNo();
      await prepayJsapi(no);
      await h.sim.post('/sim/faults', { apiTimeout: { count: 1 } });
      const started = Date.now();
      const error = await gateway.queryTransaction(no).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(error).toMatchObject({ code: 'TIMEOUT', httpStatus: null, retryable: true });
      expect(await gateway.queryTransaction(no)).toMatchObject({ tradeState: 'NOTPAY' });
    });

    it('reports NETWORK_ERROR when nothing answers at the base URL', async () => {
      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      const { gateway } = h.gatewayWith({ baseUrl: `http://127.0.0.1:${port}` });
      await expect(gateway.queryTransaction(outTradeNo())).rejects.toMatchObject({ code: 'NETWORK_ERROR', httpStatus: null, retryable: true });
    });

    it('surfaces SIGN_ERROR when the merchant signs with a key WeChat does not know', async () => {
      const wrongKey = freshRsaKey().export({ type: 'pkcs8', format: 'pem' }).toString();
      const { gateway } = h.gatewayWith({ credentials: { ...h.credentials, merchantPrivateKeyPem: wrongKey } });
      const error = await gateway.queryTransaction(outTradeNo()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WechatPayApiError);
      expect(error).toMatchObject({ code: 'SIGN_ERROR', httpStatus: 401, retryable: false });
    });

    it('refuses a base URL with a path, which could never match what was signed', () => {
      expect(() => h.gatewayWith({ baseUrl: `${h.sim.url}/prefix` })).toThrow(/origin without a path/);
    });
  });

  it('logs one JSON line per call with the outTradeNo', async () => {
    const no = outTradeNo();
    await prepayJsapi(no);
    await h.gateway.queryTransaction(no);
    expect(h.logs.events('wechatpay.prepay_jsapi').find((line) => line.outTradeNo === no)).toMatchObject({ prepayId: expect.any(String) });
    expect(h.logs.events('wechatpay.query_transaction').find((line) => line.outTradeNo === no)).toMatchObject({ tradeState: 'NOTPAY' });
  });
});
