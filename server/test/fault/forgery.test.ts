import { randomUUID } from 'node:crypto';
import { encryptWithApiV3Key } from '../../simulator/src/aead';
import { startTestServer, type TestServer } from '../support/test-server';
import { wechatCallbacks, postCallback } from '../support/wechat-callbacks';
import { orderDoc } from '../support/job-test-support';
import { buyer, changedDocuments, outTradeNoOf, snapshotCollections } from './fault-support';

// Complements payment-flow.test.ts (bad/foreign signature, stale and +10 min timestamps, unknown serial,
// SIGNTEST, tampered ciphertext, wrong associated_data, appid, mchid, amount, unknown out_trade_no,
// non-JSON). A small body limit makes "oversized" cheap to send; genuine callbacks stay well under it.
const BODY_LIMIT = 4096;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { BODY_LIMIT_BYTES: String(BODY_LIMIT) } });
});
afterAll(async () => {
  await server.stop();
});

type Delivery = { raw: string; headers: Record<string, string> };

async function post(delivery: Delivery): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${server.url}/api/payments/wechat/notify`, { method: 'POST', headers: delivery.headers, body: delivery.raw });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** Sends the body in chunks without a Content-Length, so the limit must be enforced while reading. */
async function postChunked(headers: Record<string, string>, raw: string): Promise<number> {
  const bytes = Buffer.from(raw);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let offset = 0; offset < bytes.length; offset += 1024) controller.enqueue(bytes.subarray(offset, offset + 1024));
      controller.close();
    },
  });
  const response = await fetch(`${server.url}/api/payments/wechat/notify`, {
    method: 'POST',
    headers,
    body: stream,
    duplex: 'half',
  } as RequestInit & { duplex: 'half' });
  await response.arrayBuffer();
  return response.status;
}

test('oversized, empty, re-serialised, mis-timed, malformed and unknown-refund callbacks are rejected and change nothing', async () => {
  const carol = await buyer(server, 'dev-forge-carol');
  const box = await carol.firstBox();
  const order = await carol.orderNow([{ boxId: box.id, quantity: 2 }]);
  await carol.payJsapi(order.id);
  const outTradeNo = await outTradeNoOf(server, order.id);
  const cb = await wechatCallbacks();
  const now = Math.floor(Date.now() / 1000);
  const genuineEvent = cb.envelope(cb.transaction(outTradeNo, order.totalFen, { payer: { openid: (await orderDoc(server, order.id)).openid } }));
  const genuine = cb.signed(genuineEvent);
  expect(Buffer.byteLength(genuine.raw)).toBeLessThan(BODY_LIMIT / 2);

  // Every field of a real refund resource, for a refund this shop never asked for.
  const refundResource = (forOutTradeNo: string) => ({
    mchid: cb.credentials.mchid,
    out_trade_no: forOutTradeNo,
    transaction_id: '4200000000202611220000000001',
    out_refund_no: `R${randomUUID().replace(/-/g, '')}`.slice(0, 32),
    refund_id: '50000000002026112200000000001',
    refund_status: 'SUCCESS',
    success_time: new Date().toISOString(),
    user_received_account: '支付用户零钱',
    amount: { total: order.totalFen, refund: order.totalFen, payer_total: order.totalFen, payer_refund: order.totalFen },
  });
  const refundEvent = (resource: object) => ({
    ...cb.envelope({}),
    event_type: 'REFUND.SUCCESS',
    summary: '退款成功',
    resource: { original_type: 'refund', ...encryptWithApiV3Key(cb.credentials.apiV3Key, JSON.stringify(resource), 'refund') },
  });
  const withResource = (resource: Record<string, unknown>) => ({ ...genuineEvent, resource: { ...genuineEvent.resource, ...resource } });
  const padded = { ...genuineEvent, padding: 'x'.repeat(BODY_LIMIT * 2) };
  const withoutHeader = (name: string): Delivery => {
    const headers = { ...genuine.headers };
    delete headers[name];
    return { raw: genuine.raw, headers };
  };
  const pretty = JSON.stringify(genuineEvent, null, 2);
  const reordered = JSON.stringify(Object.fromEntries(Object.entries(genuineEvent).reverse()));

  const before = await snapshotCollections(server);
  const attempts: Array<[string, Delivery, number]> = [
    // Size: refused before a byte of it is parsed or verified.
    ['oversized body, genuinely signed', cb.signed(padded), 413],
    ['oversized non-JSON body', cb.signed('x'.repeat(BODY_LIMIT + 1)), 413],
    ['oversized body, no signature headers', { raw: JSON.stringify(padded), headers: { 'content-type': 'application/json' } }, 413],
    // Empty.
    ['empty body, no headers', { raw: '', headers: {} }, 401],
    ['empty body, genuinely signed', cb.signed(''), 401],
    ['JSON null, genuinely signed', cb.signed('null'), 401],
    ['JSON array, genuinely signed', cb.signed('[]'), 401],
    ['envelope without resource, genuinely signed', cb.signed({ id: 'EV-1', event_type: 'TRANSACTION.SUCCESS' }), 401],
    // The signature covers bytes, not meaning: the same JSON serialised differently does not verify.
    ['signed pretty-printed, sent compact', { raw: genuine.raw, headers: cb.signed(pretty).headers }, 401],
    ['signed compact, sent pretty-printed', { raw: pretty, headers: genuine.headers }, 401],
    ['signed compact, sent with keys reordered', { raw: reordered, headers: genuine.headers }, 401],
    ['signed compact, sent with a trailing newline', { raw: `${genuine.raw}\n`, headers: genuine.headers }, 401],
    // Timestamps just outside the 5-minute window, either side, far future and nonsense.
    ['timestamp 5 min 30 s ahead', cb.signed(genuineEvent, cb.platformSigner, now + 330), 401],
    ['timestamp 5 min 30 s behind', cb.signed(genuineEvent, cb.platformSigner, now - 330), 401],
    ['timestamp a year ahead', cb.signed(genuineEvent, cb.platformSigner, now + 365 * 24 * 3600), 401],
    ['timestamp in milliseconds', cb.signed(genuineEvent, cb.platformSigner, Date.now()), 401],
    ['timestamp not a number', { raw: genuine.raw, headers: { ...genuine.headers, 'wechatpay-timestamp': 'tomorrow' } }, 401],
    // Missing or odd headers.
    ['no Wechatpay-Signature', withoutHeader('wechatpay-signature'), 401],
    ['no Wechatpay-Timestamp', withoutHeader('wechatpay-timestamp'), 401],
    ['no Wechatpay-Nonce', withoutHeader('wechatpay-nonce'), 401],
    ['no Wechatpay-Serial', withoutHeader('wechatpay-serial'), 401],
    ['unsupported signature type', { raw: genuine.raw, headers: { ...genuine.headers, 'wechatpay-signature-type': 'WECHATPAY2-SHA256-HMAC' } }, 401],
    ['nonce swapped after signing', { raw: genuine.raw, headers: { ...genuine.headers, 'wechatpay-nonce': 'n'.repeat(32) } }, 401],
    // Well signed, but the resource is not what it claims.
    ['unsupported algorithm', cb.signed(withResource({ algorithm: 'AEAD_CHACHA20_POLY1305' })), 401],
    ['ciphertext truncated to the tag', cb.signed(withResource({ ciphertext: Buffer.alloc(16).toString('base64') })), 401],
    ['wrong nonce', cb.signed(withResource({ nonce: 'aaaaaaaaaaaa' })), 401],
    // Verified reports the shop refuses.
    ['refund of an unknown refund on a known order', cb.signed(refundEvent(refundResource(outTradeNo))), 400],
    ['refund on an unknown out_trade_no', cb.signed(refundEvent(refundResource('ffffffffffffffffffffffff_1'))), 400],
    ['success for an attempt the order never opened', cb.signed(cb.envelope(cb.transaction(`${order.id}_2`, order.totalFen))), 400],
    ['success for attempt 0', cb.signed(cb.envelope(cb.transaction(`${order.id}_0`, order.totalFen))), 400],
    ['success without transaction_id', cb.signed(cb.envelope(cb.transaction(outTradeNo, order.totalFen, { transaction_id: null }))), 400],
    ['amount one fen more', cb.signed(cb.envelope(cb.transaction(outTradeNo, order.totalFen + 1))), 400],
    ['amount zero', cb.signed(cb.envelope(cb.transaction(outTradeNo, 0))), 400],
  ];
  const results: Array<[string, number]> = [];
  for (const [what, delivery] of attempts) {
    const { status, body } = await post(delivery);
    results.push([what, status]);
    // Refusals are in the API's error shape (WeChat logs them), never an empty or HTML page.
    expect([what, typeof (body as { code?: unknown } | undefined)?.code]).toEqual([what, 'string']);
  }
  expect(results).toEqual(attempts.map(([what, , expected]) => [what, expected]));
  expect(await postChunked(cb.signed(padded).headers, JSON.stringify(padded))).toBe(413);

  expect(changedDocuments(before, await snapshotCollections(server))).toEqual([]);
  expect((await orderDoc(server, order.id)).status).toBe('TO_BE_PAID');
  // The order could be paid all along: the genuine callback still goes through.
  expect(await postCallback(server.url, genuine)).toBe(204);
  const paid = await orderDoc(server, order.id);
  expect(paid.status).toBe('TO_BE_DELIVERED');
  expect(paid.draws).toHaveLength(2);
});
