import { randomBytes } from 'node:crypto';
import { NotificationRejectedError, type NotificationHeaders, type VerifiedNotification } from './gateway';
import {
  type Harness,
  type ReceivedNotification,
  freshRsaKey,
  outTradeNo,
  signedHeaders,
  startHarness,
  waitUntil,
} from '../../../test/support/wechatpay-harness';

interface Envelope {
  id: string;
  event_type: string;
  resource: { original_type: string; algorithm: string; ciphertext: string; associated_data: string; nonce: string };
}

describe('WeChat Pay notifications from the simulator', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ timeScale: 0.01 });
  });
  afterAll(() => h.close());
  afterEach(async () => {
    await h.sim.delete('/sim/faults');
    h.receiver.answer = () => 204;
  });

  async function paidOrder(): Promise<{ no: string }> {
    const no = outTradeNo();
    const { prepayId } = await h.gateway.prepayJsapi({
      outTradeNo: no,
      description: 'Blindbox Pay - Mystery box x2',
      amountFen: 3980,
      timeExpire: new Date(Date.now() + 30 * 60_000),
      attach: 'order-456',
      payerOpenid: 'o-notify-openid',
    });
    await h.sim.post('/sim/pay', { prepayId, result: 'SUCCESS' });
    return { no };
  }

  // Bodies are encrypted, so deliveries are told apart by the event ids the simulator reports per order.
  async function deliveriesFor(no: string, count: number): Promise<ReceivedNotification[]> {
    const { deliveries } = (await waitUntil(async () => {
      const state = (await h.sim.get(`/sim/notifications?outTradeNo=${no}`)) as { deliveries: Array<{ eventId: string }> };
      return state.deliveries.length > 0 ? state : null;
    }, 10_000, `a delivery for ${no}`)) as { deliveries: Array<{ eventId: string }> };
    const eventIds = new Set(deliveries.map((d) => d.eventId));
    return waitUntil(() => {
      const matching = h.receiver.received.filter((n) => eventIds.has((JSON.parse(n.body.toString('utf8')) as Envelope).id));
      return matching.length >= count ? matching : null;
    }, 15_000, `${count} deliveries for ${no}`);
  }

  function verify(headers: NotificationHeaders, body: Buffer | string): Promise<VerifiedNotification> {
    return h.gateway.verifyNotification(headers, Buffer.from(body));
  }

  async function rejection(headers: NotificationHeaders, body: Buffer | string): Promise<string> {
    const error = await verify(headers, body).then(
      () => {
        throw new Error('expected the notification to be rejected');
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NotificationRejectedError);
    return (error as NotificationRejectedError).reason;
  }

  it('delivers a payment callback that verifies and decrypts to the same transaction a query returns', async () => {
    const { no } = await paidOrder();
    const [delivery] = await deliveriesFor(no, 1);
    const verified = await verify(delivery!.headers, delivery!.body);
    expect(verified.kind).toBe('transaction');
    if (verified.kind !== 'transaction') return;
    expect(verified.eventType).toBe('TRANSACTION.SUCCESS');
    expect(verified.eventId).toMatch(/^EV-/);
    const queried = await h.gateway.queryTransaction(no);
    expect(verified.transaction).toMatchObject({
      appid: h.credentials.appid,
      mchid: h.credentials.mchid,
      outTradeNo: no,
      tradeState: 'SUCCESS',
      amountFen: 3980,
      payerOpenid: 'o-notify-openid',
      attach: 'order-456',
      transactionId: queried?.transactionId,
      successTime: queried?.successTime,
    });
  });

  it('delivers a refund callback that maps to a RefundResult', async () => {
    const { no } = await paidOrder();
    await deliveriesFor(no, 1);
    const outRefundNo = outTradeNo('R');
    const refund = await h.gateway.refund({ outTradeNo: no, outRefundNo, refundFen: 3980, totalFen: 3980, reason: 'test' });
    const refundDelivery = await waitUntil(async () => {
      for (const n of h.receiver.received) {
        const verified = await verify(n.headers, n.body).catch(() => null);
        if (verified?.kind === 'refund' && verified.refund.outRefundNo === outRefundNo) return verified;
      }
      return null;
    }, 15_000, 'the refund callback');
    expect(refundDelivery.eventType).toMatch(/^REFUND\./);
    if (refundDelivery.kind !== 'refund') return;
    expect(refundDelivery.refund).toMatchObject({ outTradeNo: no, outRefundNo, refundId: refund.refundId, refundFen: 3980, status: 'SUCCESS' });
    expect(refundDelivery.refund.raw).toMatchObject({ mchid: h.credentials.mchid });
  });

  it('retries on the schedule (scaled) until the merchant answers 2xx, with the same event each time', async () => {
    let answered = 0;
    h.receiver.answer = () => (++answered <= 2 ? 500 : 204);
    const { no } = await paidOrder();
    const deliveries = await deliveriesFor(no, 3);
    const ids = deliveries.map((n) => (JSON.parse(n.body.toString('utf8')) as Envelope).id);
    expect(new Set(ids).size).toBe(1);
    // 15 s then 15 s at a time scale of 0.01.
    expect(deliveries[2]!.receivedAt - deliveries[0]!.receivedAt).toBeGreaterThanOrEqual(250);
    for (const delivery of deliveries) await expect(verify(delivery.headers, delivery.body)).resolves.toMatchObject({ kind: 'transaction' });
    // The simulator records an attempt once the answer is back, a moment after the receiver saw the request.
    const attempts = await waitUntil(async () => {
      const log = (await h.sim.get(`/sim/notifications?outTradeNo=${no}`)) as { attempts: Array<{ httpStatus: number | null }> };
      return log.attempts.length >= 3 ? log.attempts : null;
    }, 15_000, 'the third attempt to be recorded');
    expect(attempts.map((a) => a.httpStatus)).toEqual([500, 500, 204]);
  });

  it('survives a dropped notification: the retry arrives and verifies', async () => {
    await h.sim.post('/sim/faults', { dropNext: 1 });
    const { no } = await paidOrder();
    const [delivery] = await deliveriesFor(no, 1);
    await expect(verify(delivery!.headers, delivery!.body)).resolves.toMatchObject({ kind: 'transaction' });
    const attempts = await waitUntil(async () => {
      const log = (await h.sim.get(`/sim/notifications?outTradeNo=${no}`)) as { attempts: unknown[] };
      return log.attempts.length >= 2 ? log.attempts : null;
    }, 15_000, 'the dropped attempt and its retry to be recorded');
    expect(attempts.length).toBeGreaterThanOrEqual(2);
  });

  it('verifies both copies of a duplicated notification to the same event', async () => {
    await h.sim.post('/sim/faults', { duplicate: true });
    const { no } = await paidOrder();
    const deliveries = await deliveriesFor(no, 2);
    const verified = await Promise.all(deliveries.map((n) => verify(n.headers, n.body)));
    expect(verified[0]!.eventId).toBe(verified[1]!.eventId);
  });

  it('rejects the WECHATPAY/SIGNTEST/ probe', async () => {
    const before = h.receiver.received.length;
    await h.sim.post('/sim/signtest', { notifyUrl: h.receiver.url });
    const probe = h.receiver.received[before]!;
    expect(probe.headers['wechatpay-signature']).toMatch(/^WECHATPAY\/SIGNTEST\//);
    expect(await rejection(probe.headers, probe.body)).toBe('SIGNTEST_PROBE');
  });

  describe('forgeries built from a real notification', () => {
    let genuine: ReceivedNotification;
    let envelope: Envelope;

    beforeAll(async () => {
      const { no } = await paidOrder();
      [genuine] = (await deliveriesFor(no, 1)) as [ReceivedNotification];
      envelope = JSON.parse(genuine.body.toString('utf8')) as Envelope;
    });

    /** Signed by WeChat's own key, so only the altered part can be what fails. */
    async function asWechat(body: string | Buffer, timestamp?: number) {
      return signedHeaders(body, await h.wechatSigningKey(), timestamp);
    }

    function withResource(change: Partial<Envelope['resource']>): string {
      return JSON.stringify({ ...envelope, resource: { ...envelope.resource, ...change } });
    }

    it('accepts the genuine one re-signed by WeChat’s key four minutes ago (inside the window)', async () => {
      await expect(verify(await asWechat(genuine.body, Math.floor(Date.now() / 1000) - 240), genuine.body)).resolves.toMatchObject({ kind: 'transaction' });
    });

    it('rejects missing signature headers', async () => {
      const { ['wechatpay-signature']: _dropped, ...headers } = genuine.headers;
      expect(await rejection(headers, genuine.body)).toBe('MISSING_HEADERS');
      expect(await rejection({}, genuine.body)).toBe('MISSING_HEADERS');
    });

    it('rejects a body changed after signing, even only in whitespace', async () => {
      expect(await rejection(genuine.headers, Buffer.concat([genuine.body, Buffer.from(' ')]))).toBe('BAD_SIGNATURE');
      expect(await rejection(genuine.headers, JSON.stringify(envelope, null, 2))).toBe('BAD_SIGNATURE');
    });

    it('rejects a signature by another key under WeChat’s serial', async () => {
      const { serial } = await h.wechatSigningKey();
      expect(await rejection(signedHeaders(genuine.body, { serial, key: freshRsaKey() }), genuine.body)).toBe('BAD_SIGNATURE');
    });

    it('downloads certificates for unknown callback serials at most once a minute, shared by concurrent callbacks, and never before the cheap checks', async () => {
      let clock = Date.now();
      const { gateway, logs } = h.gatewayWith({ now: () => new Date(clock) });
      const downloads = () => logs.events('wechatpay.platform_certificates_refreshed').length;
      const attackerKey = freshRsaKey();
      const forged = (timestamp = Math.floor(clock / 1000)) =>
        signedHeaders(genuine.body, { serial: randomBytes(20).toString('hex').toUpperCase(), key: attackerKey }, timestamp);
      const reasons = (headers: NotificationHeaders[]) =>
        Promise.all(headers.map((hs) => gateway.verifyNotification(hs, genuine.body).catch((e: NotificationRejectedError) => e.reason)));

      // Missing headers and timestamps outside the window are refused before any serial is looked up.
      const { ['wechatpay-nonce']: _nonce, ...noNonce } = forged();
      expect(new Set(await reasons([noNonce, forged(Math.floor(clock / 1000) - 600), forged(Math.floor(clock / 1000) + 600)]))).toEqual(
        new Set(['MISSING_HEADERS', 'STALE_TIMESTAMP']),
      );
      expect(downloads()).toBe(0);

      // 40 made-up serials at once: one download between them.
      expect(new Set(await reasons(Array.from({ length: 40 }, () => forged())))).toEqual(new Set(['UNKNOWN_SERIAL']));
      expect(downloads()).toBe(1);
      // More of them within the minute: none.
      expect(await reasons(Array.from({ length: 10 }, () => forged()))).toEqual(Array(10).fill('UNKNOWN_SERIAL'));
      expect(downloads()).toBe(1);
      // The genuine one still verifies from what was downloaded.
      await expect(gateway.verifyNotification(await asWechat(genuine.body, Math.floor(clock / 1000)), genuine.body)).resolves.toMatchObject({ kind: 'transaction' });
      // A minute later an unknown serial may look again (a rotation WeChat already signs with).
      clock += 61_000;
      expect(await reasons([forged(), forged()])).toEqual(['UNKNOWN_SERIAL', 'UNKNOWN_SERIAL']);
      expect(downloads()).toBe(2);
    });

    it('rejects a stale or future timestamp even with a valid signature', async () => {
      const now = Math.floor(Date.now() / 1000);
      expect(await rejection(await asWechat(genuine.body, now - 6 * 60), genuine.body)).toBe('STALE_TIMESTAMP');
      expect(await rejection(await asWechat(genuine.body, now + 6 * 60), genuine.body)).toBe('STALE_TIMESTAMP');
    });

    it('rejects a tampered ciphertext', async () => {
      const sealed = Buffer.from(envelope.resource.ciphertext, 'base64');
      sealed[0] = sealed[0]! ^ 0x01;
      const body = withResource({ ciphertext: sealed.toString('base64') });
      expect(await rejection(await asWechat(body), body)).toBe('DECRYPTION_FAILED');
    });

    it('rejects a tampered authentication tag', async () => {
      const sealed = Buffer.from(envelope.resource.ciphertext, 'base64');
      sealed[sealed.length - 1] = sealed[sealed.length - 1]! ^ 0x80;
      const body = withResource({ ciphertext: sealed.toString('base64') });
      expect(await rejection(await asWechat(body), body)).toBe('DECRYPTION_FAILED');
    });

    it('rejects the wrong associated_data', async () => {
      const body = withResource({ associated_data: 'refund' });
      expect(await rejection(await asWechat(body), body)).toBe('DECRYPTION_FAILED');
    });

    it('rejects a signed body that is not JSON', async () => {
      const body = '{"id": "EV-1", not json';
      expect(await rejection(await asWechat(body), body)).toBe('MALFORMED_BODY');
    });
  });
});
