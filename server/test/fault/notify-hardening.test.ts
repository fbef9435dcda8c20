import http from 'node:http';
import { encryptWithApiV3Key } from '../../simulator/src/aead';
import { startTestServer, type TestServer } from '../support/test-server';
import { wechatCallbacks } from '../support/wechat-callbacks';
import { orderDoc } from '../support/job-test-support';
import { buyer, changedDocuments, outTradeNoOf, snapshotCollections } from './fault-support';

// Genuinely signed callbacks that must still not pay an order: the wrong event for the resource, repeated
// signature headers, and transactions that disagree with the order in currency, trade type or payer.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

type Delivery = { raw: string; headers: Record<string, string | string[]> };

/** node:http, because fetch joins a repeated header into one "a, b" line before it leaves the client. */
function post(delivery: Delivery): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${server.url}/api/payments/wechat/notify`, { method: 'POST', headers: delivery.headers }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end(delivery.raw);
  });
}

async function unpaidOrder(code: string) {
  const shopper = await buyer(server, code);
  const order = await shopper.orderNow([{ boxId: (await shopper.firstBox()).id, quantity: 1 }]);
  await shopper.payJsapi(order.id);
  const doc = await orderDoc(server, order.id);
  return { order, outTradeNo: await outTradeNoOf(server, order.id), openid: doc.openid };
}

test('a payment resource under a refund event (or the other way round, or another resource type) is acknowledged and changes nothing', async () => {
  const { order, outTradeNo, openid } = await unpaidOrder('dev-harden-events');
  const cb = await wechatCallbacks();
  const paid = cb.envelope(cb.transaction(outTradeNo, order.totalFen, { payer: { openid } }));
  const before = await snapshotCollections(server);
  const disguised: Array<[string, object]> = [
    ['REFUND.SUCCESS wrapping a transaction', { ...paid, event_type: 'REFUND.SUCCESS' }],
    ['REFUND.ABNORMAL wrapping a transaction', { ...paid, event_type: 'REFUND.ABNORMAL' }],
    ['an event this URL never subscribed to', { ...paid, event_type: 'MCHTRANSFER.BILL.FINISHED' }],
    ['TRANSACTION.SUCCESS labelled a refund resource', { ...paid, resource: { ...paid.resource, original_type: 'refund' } }],
    ['an unknown original_type', { ...paid, resource: { ...paid.resource, original_type: 'certificate' } }],
    ['a plain (unencrypted) resource type', { ...paid, resource_type: 'plain-resource' }],
  ];
  for (const [what, envelope] of disguised) {
    // Acknowledged (2xx), so WeChat does not keep resending what we will never act on.
    expect([what, (await post(cb.signed(envelope))).status]).toEqual([what, 204]);
  }
  expect(changedDocuments(before, await snapshotCollections(server))).toEqual([]);

  expect((await post(cb.signed(paid))).status).toBe(204);
  expect((await orderDoc(server, order.id)).status).toBe('TO_BE_DELIVERED');
});

test('a refund resource under a payment event does not touch the refund either', async () => {
  const { order, outTradeNo } = await unpaidOrder('dev-harden-refund-event');
  const cb = await wechatCallbacks();
  const refund = {
    mchid: cb.credentials.mchid,
    out_trade_no: outTradeNo,
    transaction_id: '4200000000202611220000000009',
    out_refund_no: 'R-never-asked',
    refund_id: '50000000002026112200000000009',
    refund_status: 'SUCCESS',
    amount: { total: order.totalFen, refund: order.totalFen },
  };
  const envelope = { ...cb.envelope({}), resource: { original_type: 'refund', ...encryptWithApiV3Key(cb.credentials.apiV3Key, JSON.stringify(refund), 'refund') } };
  const before = await snapshotCollections(server);
  expect((await post(cb.signed(envelope))).status).toBe(204);
  expect(changedDocuments(before, await snapshotCollections(server))).toEqual([]);
});

test('two Wechatpay-Signature (or -Timestamp, -Nonce, -Serial) headers are refused, even when one of them is genuine', async () => {
  const { order, outTradeNo, openid } = await unpaidOrder('dev-harden-dupheaders');
  const cb = await wechatCallbacks();
  const genuine = cb.signed(cb.envelope(cb.transaction(outTradeNo, order.totalFen, { payer: { openid } })));
  const before = await snapshotCollections(server);
  for (const name of ['wechatpay-signature', 'wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-serial']) {
    const value = genuine.headers[name]!;
    for (const pair of [[value, 'AAAA'], [value, value]]) {
      const response = await post({ raw: genuine.raw, headers: { ...genuine.headers, [name]: pair } });
      expect([name, pair.length, response.status, (JSON.parse(response.body) as { message: string }).message]).toEqual([
        name,
        2,
        401,
        expect.stringContaining('DUPLICATE_HEADERS'),
      ]);
    }
  }
  expect(changedDocuments(before, await snapshotCollections(server))).toEqual([]);
  expect((await post(genuine)).status).toBe(204);
});

test('a transaction in another currency, of another trade type, or paid by someone else is a finding, not a fulfilment', async () => {
  const { order, outTradeNo, openid } = await unpaidOrder('dev-harden-mismatch');
  const cb = await wechatCallbacks();
  const amount = { total: order.totalFen, payer_total: order.totalFen };
  const mismatches: Array<[string, Record<string, unknown>, string]> = [
    ['in US dollars', { payer: { openid }, amount: { ...amount, currency: 'USD', payer_currency: 'USD' } }, 'currency USD is not CNY'],
    ['with no currency', { payer: { openid }, amount }, 'currency (none) is not CNY'],
    ['as a NATIVE payment of a JSAPI attempt', { payer: { openid }, trade_type: 'NATIVE' }, 'trade_type NATIVE but the attempt was opened as JSAPI'],
    ['by another WeChat user', { payer: { openid: 'o-someone-else' } }, "paid by o-someone-else, not by the order's shopper"],
    ['with no payer', { payer: null }, "paid by (no payer), not by the order's shopper"],
  ];
  for (const [what, overrides, finding] of mismatches) {
    const delivery = cb.signed(cb.envelope(cb.transaction(outTradeNo, order.totalFen, overrides)));
    const response = await post(delivery);
    expect([what, response.status, (JSON.parse(response.body) as { code: string }).code]).toEqual([what, 400, 'TRANSACTION_MISMATCH']);
    // WeChat resends a refused report: the finding is on the order once.
    await post(cb.signed(cb.envelope(cb.transaction(outTradeNo, order.totalFen, overrides))));
    const doc = await orderDoc(server, order.id);
    expect([what, doc.status, doc.audit.filter((entry) => entry.reason === `finding: ${finding}`).length]).toEqual([what, 'TO_BE_PAID', 1]);
  }
  const doc = await orderDoc(server, order.id);
  expect(doc.draws).toEqual([]);
  expect(doc.payment.transactionId).toBeNull();
  expect(doc.audit.map((entry) => [entry.from, entry.to])).toEqual([[null, 'TO_BE_PAID'], ...mismatches.map(() => ['TO_BE_PAID', 'TO_BE_PAID'])]);

  expect((await post(cb.signed(cb.envelope(cb.transaction(outTradeNo, order.totalFen, { payer: { openid } }))))).status).toBe(204);
  expect((await orderDoc(server, order.id)).status).toBe('TO_BE_DELIVERED');
});
