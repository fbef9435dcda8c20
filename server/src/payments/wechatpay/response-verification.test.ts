import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Pay from 'wechatpay-node-v3';
import { WechatPayApiError } from './gateway';
import { type Harness, freshRsaKey, outTradeNo, signedHeaders, startHarness } from '../../../test/support/wechatpay-harness';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** A man in the middle on loopback: forwards to the simulator and lets a test rewrite the answer. */
async function startProxy(target: string, tamper: (path: string, answer: Answer) => Answer) {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const upstream = await fetch(new URL(req.url!, target), {
        method: req.method,
        headers: Object.fromEntries(Object.entries(req.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name))) as Record<string, string>,
        body: req.method === 'GET' ? undefined : Buffer.concat(chunks),
      });
      const headers: Record<string, string> = {};
      upstream.headers.forEach((value, name) => {
        if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name)) headers[name] = value;
      });
      const answer = tamper(req.url!, { status: upstream.status, headers, body: Buffer.from(await upstream.arrayBuffer()) });
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const withoutSignature = (answer: Answer): Answer => {
  const headers = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !name.startsWith('wechatpay-')));
  return { ...answer, headers };
};

async function prepay(h: Harness, gateway = h.gateway, no = outTradeNo()) {
  await gateway.prepayJsapi({
    outTradeNo: no,
    description: 'Blindbox Pay - verification',
    amountFen: 100,
    timeExpire: new Date(Date.now() + 30 * 60_000),
    payerOpenid: 'o-verify',
  });
  return no;
}

function apiError(promise: Promise<unknown>): Promise<WechatPayApiError> {
  return promise.then(
    () => {
      throw new Error('expected a WechatPayApiError');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(WechatPayApiError);
      return error as WechatPayApiError;
    },
  );
}

describe('response signatures (platform certificate mode)', () => {
  let h: Harness;
  let tamper: (path: string, answer: Answer) => Answer;
  let proxy: Awaited<ReturnType<typeof startProxy>>;

  beforeAll(async () => {
    h = await startHarness({ timeScale: 0.01 });
    proxy = await startProxy(h.sim.url, (path, answer) => tamper(path, answer));
  });
  afterAll(async () => {
    await proxy.close();
    await h.close();
  });
  beforeEach(() => {
    tamper = (_path, answer) => answer;
  });

  it('accepts untouched answers through the proxy', async () => {
    const { gateway } = h.gatewayWith({ baseUrl: proxy.url });
    const no = await prepay(h, gateway);
    expect(await gateway.queryTransaction(no)).toMatchObject({ tradeState: 'NOTPAY' });
  });

  it('rejects an answer whose JSON was re-serialised, though it means the same', async () => {
    const { gateway } = h.gatewayWith({ baseUrl: proxy.url });
    const no = await prepay(h, gateway);
    tamper = (path, answer) =>
      path.includes('/v3/pay/transactions/out-trade-no/') ? { ...answer, body: Buffer.from(JSON.stringify(JSON.parse(answer.body.toString()), null, 2)) } : answer;
    expect(await apiError(gateway.queryTransaction(no))).toMatchObject({ code: 'BAD_RESPONSE_SIGNATURE', retryable: true });
  });

  it('rejects an answer whose trade_state was changed', async () => {
    const { gateway } = h.gatewayWith({ baseUrl: proxy.url });
    const no = await prepay(h, gateway);
    tamper = (path, answer) =>
      path.includes('/v3/pay/transactions/out-trade-no/') ? { ...answer, body: Buffer.from(answer.body.toString().replace('NOTPAY', 'SUCCESS')) } : answer;
    expect(await apiError(gateway.queryTransaction(no))).toMatchObject({ code: 'BAD_RESPONSE_SIGNATURE' });
  });

  it('rejects an unsigned success answer', async () => {
    const { gateway } = h.gatewayWith({ baseUrl: proxy.url });
    const no = await prepay(h, gateway);
    tamper = (path, answer) => (path.includes('/v3/pay/transactions/out-trade-no/') ? withoutSignature(answer) : answer);
    expect(await apiError(gateway.queryTransaction(no))).toMatchObject({ code: 'BAD_RESPONSE_SIGNATURE' });
  });

  it('does not take an unsigned ORDER_NOT_EXIST or ORDERPAID for an answer', async () => {
    const { gateway } = h.gatewayWith({ baseUrl: proxy.url });
    const no = await prepay(h, gateway);
    tamper = (path, answer) => {
      if (path.includes('/close')) return withoutSignature({ ...answer, status: 403, body: Buffer.from('{"code":"ORDERPAID","message":"forged"}') });
      if (path.includes('/v3/pay/transactions/out-trade-no/')) return withoutSignature({ ...answer, status: 404, body: Buffer.from('{"code":"ORDER_NOT_EXIST","message":"forged"}') });
      return answer;
    };
    expect(await apiError(gateway.queryTransaction(no))).toMatchObject({ code: 'BAD_RESPONSE_SIGNATURE' });
    expect(await apiError(gateway.closeTransaction(no))).toMatchObject({ code: 'BAD_RESPONSE_SIGNATURE' });
  });

  it('still reports an unsigned 5xx (a proxy in front of WeChat) as retryable', async () => {
    const { gateway } = h.gatewayWith({ baseUrl: proxy.url });
    const no = await prepay(h, gateway);
    tamper = (path, answer) => (path.includes('/v3/pay/transactions/out-trade-no/') ? { status: 502, headers: { 'content-type': 'text/html' }, body: Buffer.from('<html>Bad Gateway</html>') } : answer);
    expect(await apiError(gateway.queryTransaction(no))).toMatchObject({ code: 'HTTP_502', httpStatus: 502, retryable: true });
  });

  it('rejects answers outside the five-minute window', async () => {
    const { gateway } = h.gatewayWith({ now: () => new Date(Date.now() + 6 * 60_000) });
    expect(await apiError(prepay(h, gateway))).toMatchObject({ code: 'BAD_RESPONSE_SIGNATURE', message: expect.stringContaining('STALE_TIMESTAMP') });
  });

  it('does not trust a certificate list that is not signed by a certificate in it', async () => {
    const { gateway } = h.gatewayWith({ baseUrl: proxy.url });
    tamper = (path, answer) => (path.startsWith('/v3/certificates') ? withoutSignature(answer) : answer);
    expect(await apiError(prepay(h, gateway))).toMatchObject({ code: 'BAD_RESPONSE_SIGNATURE', message: expect.stringContaining('/v3/certificates') });
  });

  it('picks up a rotated platform certificate by refreshing once on the new serial', async () => {
    const { gateway, logs } = h.gatewayWith({});
    const no = await prepay(h, gateway);
    expect(logs.events('wechatpay.platform_certificates_refreshed')).toHaveLength(1);
    const rotated = (await h.sim.post('/sim/rotate-platform-certificate', {})) as { serialNo: string; listed: string[] };
    expect(rotated.listed).toContain(h.devCredentials.platformSerialNo);

    expect(await gateway.queryTransaction(no)).toMatchObject({ tradeState: 'NOTPAY' });
    const refreshes = logs.events('wechatpay.platform_certificates_refreshed');
    expect(refreshes).toHaveLength(2);
    expect(refreshes[1]!.serials).toEqual(expect.arrayContaining([rotated.serialNo, h.devCredentials.platformSerialNo]));
    expect(await gateway.queryTransaction(no)).toMatchObject({ tradeState: 'NOTPAY' });
    expect(logs.events('wechatpay.platform_certificates_refreshed')).toHaveLength(2);
  });

  it('keeps certificates per gateway, so two simulators in one process do not collide', async () => {
    const other = await startHarness({ timeScale: 0.01 });
    try {
      const first = await prepay(h);
      const second = await prepay(other);
      expect(await h.gateway.queryTransaction(first)).toMatchObject({ tradeState: 'NOTPAY' });
      expect(await other.gateway.queryTransaction(second)).toMatchObject({ tradeState: 'NOTPAY' });
      // wechatpay-node-v3's own store is static: it would hold both sets of certificates in one map.
      expect(Object.keys((Pay as unknown as { certificates: object }).certificates)).toHaveLength(0);
    } finally {
      await other.close();
    }
  });
});

describe('response signatures (WeChat Pay public key mode)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ verifyMode: 'public-key', timeScale: 0.01 });
  });
  afterAll(() => h.close());

  it('verifies answers and callbacks with the configured public key, without downloading certificates', async () => {
    const no = await prepay(h);
    await h.sim.post('/sim/pay', { outTradeNo: no, result: 'SUCCESS' });
    expect(await h.gateway.queryTransaction(no)).toMatchObject({ tradeState: 'SUCCESS' });
    const delivery = await h.receiver.waitFor(1);
    expect(delivery[0]!.headers['wechatpay-serial']).toBe(h.credentials.wechatPayPublicKey?.id);
    await expect(h.gateway.verifyNotification(delivery[0]!.headers, delivery[0]!.body)).resolves.toMatchObject({ kind: 'transaction', transaction: { outTradeNo: no } });
    expect(h.logs.events('wechatpay.platform_certificates_refreshed')).toHaveLength(0);
  });

  it('rejects answers signed under any other serial (here: a platform certificate)', async () => {
    await h.sim.post('/sim/signing-mode', { mode: 'platform-certificate' });
    try {
      const error = await apiError(prepay(h));
      expect(error).toMatchObject({ code: 'BAD_RESPONSE_SIGNATURE', message: expect.stringContaining('UNKNOWN_SERIAL') });
    } finally {
      await h.sim.post('/sim/signing-mode', { mode: 'public-key' });
    }
  });

  it('refuses to start in public-key mode without a public key', () => {
    expect(() => h.gatewayWith({ credentials: { ...h.credentials, wechatPayPublicKey: null } })).toThrow(/public-key needs publicKeyId/);
  });
});

describe('both verification modes at once (a merchant moving from platform certificates to the public key)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ verifyMode: 'both', timeScale: 0.01 });
  });
  afterAll(() => h.close());

  it('verifies each answer and callback with the key its serial names, certificate or public key', async () => {
    for (const mode of ['platform-certificate', 'public-key'] as const) {
      await h.sim.post('/sim/signing-mode', { mode });
      const no = await prepay(h);
      await h.sim.post('/sim/pay', { outTradeNo: no, result: 'SUCCESS' });
      expect(await h.gateway.queryTransaction(no)).toMatchObject({ tradeState: 'SUCCESS' });
      const deliveries = await h.receiver.waitFor(mode === 'platform-certificate' ? 1 : 2);
      const delivery = deliveries[deliveries.length - 1]!;
      const signer = await h.wechatSigningKey(mode);
      expect(delivery.headers['wechatpay-serial']).toBe(signer.serial);
      await expect(h.gateway.verifyNotification(delivery.headers, delivery.body)).resolves.toMatchObject({ kind: 'transaction', transaction: { outTradeNo: no } });
    }
  });

  it('still refuses a callback signed by any other key, whatever serial it names', async () => {
    const body = Buffer.from(JSON.stringify({ id: 'forged' }));
    for (const mode of ['platform-certificate', 'public-key'] as const) {
      const { serial } = await h.wechatSigningKey(mode);
      const forged = signedHeaders(body, { serial, key: freshRsaKey() });
      await expect(h.gateway.verifyNotification(forged, body)).rejects.toThrow(/BAD_SIGNATURE|signature/);
    }
  });

  it('refuses to start in both modes without a public key', () => {
    expect(() => h.gatewayWith({ credentials: { ...h.credentials, wechatPayPublicKey: null } })).toThrow(/both needs publicKeyId/);
  });
});

describe('wechatpay-node-v3 decipher_gcm', () => {
  // Documents why aead.ts exists: the library never calls final(), so GCM's tag is never checked.
  it('accepts the wrong associated_data, which our decryption refuses', async () => {
    const h = await startHarness({ timeScale: 0.01 });
    try {
      const no = await prepay(h);
      await h.sim.post('/sim/pay', { outTradeNo: no, result: 'SUCCESS' });
      const [delivery] = await h.receiver.waitFor(1);
      const { resource } = JSON.parse(delivery!.body.toString()) as { resource: { ciphertext: string; nonce: string } };
      const library = new Pay({
        appid: h.credentials.appid,
        mchid: h.credentials.mchid,
        serial_no: h.credentials.merchantSerialNo,
        publicKey: Buffer.from(h.credentials.merchantCertificatePem),
        privateKey: Buffer.from(h.credentials.merchantPrivateKeyPem),
      });
      expect(library.decipher_gcm<{ out_trade_no: string }>(resource.ciphertext, 'forged', resource.nonce, h.credentials.apiV3Key)).toMatchObject({ out_trade_no: no });
    } finally {
      await h.close();
    }
  });
});
