import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openCallback } from './test-support/callbacks';
import { jsapiOrder, startHarness, tempStateFile, uniqueTradeNo, waitUntil } from './test-support/fixture';
import { CallbackReceiver } from './test-support/receiver';

describe('WeChat Pay simulator: persistence', () => {
  let receiver: CallbackReceiver;
  beforeAll(async () => {
    receiver = await CallbackReceiver.start();
  });
  afterAll(() => receiver.close());

  it('resumes a pending retry and keeps orders and rotated certificates after a restart', async () => {
    const stateFile = tempStateFile();
    // Scale 0.1: the first retry is due 1.5 s after the failure, long enough to restart in between.
    const first = await startHarness({ stateFile, timeScale: 0.1 });
    const outTradeNo = uniqueTradeNo();
    const rotated = (await first.control<{ serialNo: string }>('POST', '/sim/rotate-platform-certificate')).body.serialNo;
    await first.client.refreshCertificates();
    receiver.respond = () => 500;
    await first.client.request('POST', '/v3/pay/transactions/jsapi', jsapiOrder(first.client, outTradeNo, receiver.url));
    await first.control('POST', '/sim/pay', { outTradeNo, result: 'SUCCESS' });
    await receiver.waitFor(1);
    await waitUntil(async () => {
      const log = await first.control<{ deliveries: { attempts: number }[] }>('GET', `/sim/notifications?outTradeNo=${outTradeNo}`);
      return log.body.deliveries[0]?.attempts === 1;
    });
    await first.sim.stop();

    receiver.respond = () => 200;
    const second = await startHarness({ stateFile, timeScale: 0.1 });
    try {
      await second.client.refreshCertificates();
      const tx = await second.client.request('GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${second.client.credentials.mchid}`);
      expect(tx.body.trade_state).toBe('SUCCESS');
      expect(tx.headers.get('wechatpay-serial')).toBe(rotated);

      await receiver.waitFor(2, 15_000);
      const [a, b] = receiver.received.map((callback) => openCallback(second.client, callback).envelope.id);
      expect(b).toBe(a);
      await waitUntil(async () => {
        const log = await second.control<{ deliveries: { status: string }[] }>('GET', `/sim/notifications?outTradeNo=${outTradeNo}`);
        return log.body.deliveries[0]?.status === 'delivered';
      });
      expect(JSON.parse(readFileSync(stateFile, 'utf8')).transactions[outTradeNo].tradeState).toBe('SUCCESS');
    } finally {
      await second.sim.stop();
    }
  });

  it('starts empty again after /sim/reset', async () => {
    const h = await startHarness({ stateFile: tempStateFile() });
    try {
      const outTradeNo = uniqueTradeNo();
      await h.client.request('POST', '/v3/pay/transactions/jsapi', jsapiOrder(h.client, outTradeNo, 'https://merchant.example.com/notify'));
      expect((await h.control('POST', '/sim/reset')).status).toBe(200);
      const gone = await h.client.request('GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${h.client.credentials.mchid}`);
      expect(gone.status).toBe(404);
    } finally {
      await h.sim.stop();
    }
  });
});
