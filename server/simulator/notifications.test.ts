import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { jsapiOrder, startHarness, uniqueTradeNo, waitUntil, type Harness } from './test-support/fixture';
import { openCallback } from './test-support/callbacks';
import { CallbackReceiver, type ReceivedCallback } from './test-support/receiver';
import type { V3Client } from './test-support/v3-client';

interface DeliveryLog {
  deliveries: { eventId: string; status: string; attempts: number }[];
  attempts: { eventId: string; attempt: number; httpStatus: number | null; error: string | null; copy?: number }[];
}

describe('WeChat Pay simulator: callbacks', () => {
  let h: Harness;
  let receiver: CallbackReceiver;
  beforeAll(async () => {
    h = await startHarness({ timeScale: 0.001 });
  });
  afterAll(() => h.sim.stop());
  beforeEach(async () => {
    receiver = await CallbackReceiver.start();
  });
  afterEach(async () => {
    await h.control('DELETE', '/sim/faults');
    await receiver.close();
  });

  async function paidOrder(): Promise<string> {
    const outTradeNo = uniqueTradeNo();
    await h.client.request('POST', '/v3/pay/transactions/jsapi', jsapiOrder(h.client, outTradeNo, receiver.url));
    expect((await h.control('POST', '/sim/pay', { outTradeNo, result: 'SUCCESS' })).status).toBe(200);
    return outTradeNo;
  }

  const log = async (outTradeNo: string) => (await h.control<DeliveryLog>('GET', `/sim/notifications?outTradeNo=${outTradeNo}`)).body;

  it('delivers a signed, encrypted TRANSACTION.SUCCESS callback', async () => {
    const outTradeNo = await paidOrder();
    await receiver.waitFor(1);
    const callback = receiver.received[0]!;
    expect(callback.headers['wechatpay-signature-type']).toBe('WECHATPAY2-SHA256-RSA2048');
    expect(callback.headers['wechatpay-serial']).toBe(h.client.credentials.platformSerialNo);
    const { envelope, resource } = openCallback(h.client, callback);
    expect(envelope).toMatchObject({ resource_type: 'encrypt-resource', event_type: 'TRANSACTION.SUCCESS', summary: '支付成功' });
    // 通知ID is string[1,36].
    expect(envelope.id).toMatch(/^EV-[0-9a-f]{32}$/);
    expect(envelope.resource).toMatchObject({ original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', associated_data: 'transaction' });
    expect(envelope.resource.nonce).toHaveLength(12);
    const queried = await h.client.request('GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${h.client.credentials.mchid}`);
    expect(resource).toEqual(queried.body);

    await waitUntil(async () => (await log(outTradeNo)).deliveries[0]?.status === 'delivered');
    const { attempts } = await log(outTradeNo);
    expect(attempts).toEqual([expect.objectContaining({ eventId: envelope.id, attempt: 1, httpStatus: 200, error: null })]);
  });

  it('retries failed deliveries on the scaled schedule with the same event', async () => {
    receiver.respond = () => (receiver.received.length <= 2 ? 500 : 204);
    const outTradeNo = await paidOrder();
    await receiver.waitFor(3);
    const ids = receiver.received.map((callback) => openCallback(h.client, callback).envelope.id);
    expect(new Set(ids).size).toBe(1);
    const [first, second, third] = receiver.received;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(14);
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(14);
    await waitUntil(async () => (await log(outTradeNo)).deliveries[0]?.status === 'delivered');
    expect((await log(outTradeNo)).attempts.map((a) => [a.attempt, a.httpStatus])).toEqual([[1, 500], [2, 500], [3, 204]]);
  });

  it('counts dropped attempts as failures and retries them', async () => {
    await h.control('POST', '/sim/faults', { dropNext: 2 });
    const outTradeNo = await paidOrder();
    await receiver.waitFor(1);
    await waitUntil(async () => (await log(outTradeNo)).deliveries[0]?.status === 'delivered');
    const { attempts } = await log(outTradeNo);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(attempts[0]!.error).toMatch(/dropped/);
    expect(receiver.received).toHaveLength(1);
  });

  it('sends each attempt twice with the duplicate fault', async () => {
    await h.control('POST', '/sim/faults', { duplicate: true });
    const outTradeNo = await paidOrder();
    await receiver.waitFor(2);
    const [a, b] = receiver.received.map((callback) => openCallback(h.client, callback).envelope.id);
    expect(a).toBe(b);
    await waitUntil(async () => (await log(outTradeNo)).attempts.length === 2);
    expect((await log(outTradeNo)).attempts.map((x) => x.copy)).toEqual([1, 2]);
  });

  it('delivers newer callbacks first with the reorder fault', async () => {
    await h.control('POST', '/sim/faults', { reorder: true });
    const first = await paidOrder();
    const second = await paidOrder();
    await receiver.waitFor(2);
    const order = receiver.received.map((callback) => openCallback(h.client, callback).resource.out_trade_no);
    expect(order).toEqual([second, first]);
  });

  it('holds retries until flushed, and gives up after the last scheduled retry', async () => {
    await h.control('POST', '/sim/time-scale', { scale: 1 });
    receiver.respond = () => 500;
    const outTradeNo = await paidOrder();
    await receiver.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.received).toHaveLength(1);
    receiver.respond = () => 200;
    expect((await h.control('POST', '/sim/notifications/flush')).body.pending).toBe(0);
    expect(receiver.received).toHaveLength(2);
    expect((await log(outTradeNo)).deliveries[0]!.status).toBe('delivered');

    await h.control('POST', '/sim/time-scale', { scale: 0.00002 });
    receiver.respond = () => 503;
    const abandoned = await paidOrder();
    await waitUntil(async () => (await log(abandoned)).deliveries[0]?.status === 'failed', 10_000);
    expect((await log(abandoned)).attempts).toHaveLength(16);
    await h.control('POST', '/sim/time-scale', { scale: 0.001 });
  });

  it('sends a WECHATPAY/SIGNTEST/ probe and reports whether the merchant accepted it', async () => {
    receiver.respond = (callback) =>
      openCallbackSafely(h.client, callback) ? 200 : 401;
    const result = await h.control<{ accepted: boolean; httpStatus: number; kind: string }>('POST', '/sim/signtest', { notifyUrl: receiver.url });
    expect(result.body).toMatchObject({ accepted: false, httpStatus: 401, kind: 'signtest' });
    expect(String(receiver.received[0]!.headers['wechatpay-signature'])).toMatch(/^WECHATPAY\/SIGNTEST\//);
  });

  it('refunds: PROCESSING, then SUCCESS with a REFUND.SUCCESS callback', async () => {
    const outTradeNo = await paidOrder();
    await receiver.waitFor(1);
    const request = {
      out_trade_no: outTradeNo,
      out_refund_no: `R${outTradeNo}`.slice(0, 32),
      reason: 'paid after close',
      notify_url: receiver.url,
      amount: { refund: 1999, total: 1999, currency: 'CNY' },
    };
    const created = await h.client.request('POST', '/v3/refund/domestic/refunds', request);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ out_refund_no: request.out_refund_no, out_trade_no: outTradeNo, status: 'PROCESSING', channel: 'ORIGINAL' });
    expect(created.body.refund_id).toMatch(/^\d{29}$/);
    const again = await h.client.request('POST', '/v3/refund/domestic/refunds', request);
    expect(again.body.refund_id).toBe(created.body.refund_id);
    const tooMuch = await h.client.request('POST', '/v3/refund/domestic/refunds', { ...request, out_refund_no: `X${outTradeNo}`.slice(0, 32), amount: { ...request.amount, refund: 1 } });
    expect(tooMuch.status).toBe(400);
    const state = await h.client.request('GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${h.client.credentials.mchid}`);
    expect(state.body.trade_state).toBe('REFUND');

    await receiver.waitFor(2);
    const { envelope, resource } = openCallback(h.client, receiver.received[1]!);
    expect(envelope.event_type).toBe('REFUND.SUCCESS');
    expect(envelope.resource).toMatchObject({ original_type: 'refund', associated_data: 'refund' });
    expect(resource).toMatchObject({
      mchid: h.client.credentials.mchid,
      out_trade_no: outTradeNo,
      transaction_id: created.body.transaction_id,
      out_refund_no: request.out_refund_no,
      refund_id: created.body.refund_id,
      refund_status: 'SUCCESS',
      amount: { total: 1999, refund: 1999, payer_total: 1999, payer_refund: 1999 },
    });
    const queried = await h.client.request('GET', `/v3/refund/domestic/refunds/${request.out_refund_no}`);
    expect(queried.body.status).toBe('SUCCESS');
    const missing = await h.client.request('GET', '/v3/refund/domestic/refunds/NO_SUCH_REFUND');
    expect([missing.status, missing.body.code]).toEqual([404, 'RESOURCE_NOT_EXISTS']);
  });
});

function openCallbackSafely(client: V3Client, callback: ReceivedCallback): boolean {
  try {
    openCallback(client, callback);
    return true;
  } catch {
    return false;
  }
}
