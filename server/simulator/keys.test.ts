import { X509Certificate } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { openCallback } from './test-support/callbacks';
import { jsapiOrder, startHarness, TEST_CREDENTIALS_DIR, uniqueTradeNo, type Harness } from './test-support/fixture';
import { CallbackReceiver } from './test-support/receiver';
import { loadMerchantKeys, V3Client } from './test-support/v3-client';

describe('WeChat Pay simulator: platform certificates and signing modes', () => {
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
  afterEach(async () => {
    await h.control('POST', '/sim/signing-mode', { mode: 'platform-certificate' });
  });

  const freshClient = () => new V3Client(h.sim.url, loadMerchantKeys(TEST_CREDENTIALS_DIR));

  async function payAndReceive(): Promise<ReturnType<typeof openCallback>> {
    const before = receiver.received.length;
    const outTradeNo = uniqueTradeNo();
    await h.client.request('POST', '/v3/pay/transactions/jsapi', jsapiOrder(h.client, outTradeNo, receiver.url));
    await h.control('POST', '/sim/pay', { outTradeNo, result: 'SUCCESS' });
    await receiver.waitFor(before + 1);
    return openCallback(h.client, receiver.received[before]!);
  }

  it('lists the platform certificate encrypted with the APIv3 key', async () => {
    const client = freshClient();
    client.trust.clear();
    const serials = await client.refreshCertificates();
    expect(serials).toEqual([client.credentials.platformSerialNo]);
    const response = await fetch(`${h.sim.url}/sim/info`);
    expect(((await response.json()) as { signingSerial: string }).signingSerial).toBe(client.credentials.platformSerialNo);
    const trusted = client.trust.get(client.credentials.platformSerialNo);
    const expected = new X509Certificate(client.keys.platformCertificatePem).publicKey;
    expect(trusted?.equals(expected)).toBe(true);
  });

  it('signs answers and callbacks with the WeChat Pay public key in public-key mode', async () => {
    const switched = await h.control('POST', '/sim/signing-mode', { mode: 'public-key' });
    expect(switched.body.serial).toBe(h.client.credentials.publicKeyId);
    const response = await h.client.request('GET', `/v3/pay/transactions/out-trade-no/NOPE_123?mchid=${h.client.credentials.mchid}`);
    expect(response.headers.get('wechatpay-serial')).toBe(h.client.credentials.publicKeyId);
    const { envelope } = await payAndReceive();
    expect(envelope.event_type).toBe('TRANSACTION.SUCCESS');
    expect(receiver.received.at(-1)!.headers['wechatpay-serial']).toBe(h.client.credentials.publicKeyId);
  });

  it('rotates the platform certificate, keeping the old one listed', async () => {
    const rotated = await h.control<{ serialNo: string; signingSerial: string; listed: string[] }>('POST', '/sim/rotate-platform-certificate');
    const { serialNo } = rotated.body;
    expect(rotated.body.signingSerial).toBe(serialNo);
    expect(rotated.body.listed).toEqual([h.client.credentials.platformSerialNo, serialNo]);

    const stale = freshClient();
    await expect(stale.request('GET', `/v3/pay/transactions/out-trade-no/NOPE_123?mchid=${stale.credentials.mchid}`)).rejects.toThrow(
      `unknown serial ${serialNo}`,
    );
    expect(await stale.refreshCertificates()).toEqual([stale.credentials.platformSerialNo, serialNo]);
    const ok = await stale.request('GET', `/v3/pay/transactions/out-trade-no/NOPE_123?mchid=${stale.credentials.mchid}`);
    expect(ok.status).toBe(404);

    await h.client.refreshCertificates();
    await payAndReceive();
    expect(receiver.received.at(-1)!.headers['wechatpay-serial']).toBe(serialNo);
  });
});

describe('WeChat Pay simulator started in public-key mode', () => {
  it('signs with the public key from the start', async () => {
    const h = await startHarness({ signingMode: 'public-key' });
    try {
      const response = await h.client.request('GET', `/v3/pay/transactions/out-trade-no/NOPE_123?mchid=${h.client.credentials.mchid}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('wechatpay-serial')).toBe(h.client.credentials.publicKeyId);
    } finally {
      await h.sim.stop();
    }
  });
});
