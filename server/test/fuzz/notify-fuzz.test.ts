import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { encryptWithApiV3Key } from '../../simulator/src/aead';
import { signedHeaders } from '../support/wechatpay-harness';
import { startTestServer, type TestServer } from '../support/test-server';
import { wechatCallbacks } from '../support/wechat-callbacks';
import { orderDoc } from '../support/job-test-support';
import { buyer, changedDocuments, outTradeNoOf, snapshotCollections } from '../fault/fault-support';
import { fuzzSeed, rawClient, type RawRequest } from './fuzz-support';
import { inParallel } from '../support/in-parallel';

// At least 10,000 requests at the notify URL, every one built from a genuine callback for an order awaiting
// payment and altered so it must not pay it: transport forgeries (bytes, headers, timestamps, signatures,
// serials, encodings, sizes) and genuinely signed envelopes whose content must be refused. Whatever arrives,
// the answer is never 5xx and no order, box, coupon or user changes.
const RUNS = Number(process.env.FUZZ_NOTIFY_RUNS ?? 10_000);
const CONCURRENCY = 16;
const BODY_LIMIT = 8192;
const COLLECTIONS = ['orders', 'boxes', 'coupons', 'users', 'addresses'];

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { BODY_LIMIT_BYTES: String(BODY_LIMIT) } });
});
afterAll(async () => {
  await server.stop();
});

interface Base {
  orderId: string;
  outTradeNo: string;
  totalFen: number;
  openid: string;
}

const bytes = (text: string) => Buffer.from(text, 'utf8');

test(`${RUNS} mutated callbacks: never a 5xx, nothing changes, /readyz still answers`, async () => {
  const cb = await wechatCallbacks();
  const shopper = await buyer(server, 'dev-fuzz-notify');
  const box = await shopper.firstBox();
  const bases: Base[] = [];
  for (let i = 0; i < 4; i += 1) {
    const order = await shopper.orderNow([{ boxId: box.id, quantity: 1 }]);
    await shopper.payJsapi(order.id);
    bases.push({ orderId: order.id, outTradeNo: await outTradeNoOf(server, order.id), totalFen: order.totalFen, openid: (await orderDoc(server, order.id)).openid });
  }
  const attacker = { serial: cb.platformSigner.serial, key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey };
  const otherApiV3Key = randomBytes(16).toString('hex');

  const genuineTransaction = (base: Base, overrides: Record<string, unknown> = {}) =>
    cb.transaction(base.outTradeNo, base.totalFen, { payer: { openid: base.openid }, ...overrides });

  // ---- Envelopes signed with WeChat's own key whose content must be refused (or acknowledged and ignored). ----
  type Envelope = object;
  const semantic: fc.Arbitrary<(base: Base) => Envelope> = fc.oneof<fc.Arbitrary<(base: Base) => Envelope>[]>(
    fc.constantFrom('REFUND.SUCCESS', 'REFUND.CLOSED', 'REFUND.ABNORMAL', 'transaction.success', 'TRANSACTION.CLOSED', '').map(
      (eventType) => (base: Base) => ({ ...cb.envelope(genuineTransaction(base)), event_type: eventType }),
    ),
    fc.string({ maxLength: 20 }).map((originalType) => (base: Base) => {
      const envelope = cb.envelope(genuineTransaction(base));
      return { ...envelope, resource: { ...envelope.resource, original_type: originalType === 'transaction' ? 'refund' : originalType } };
    }),
    fc.constantFrom('plain', 'encrypt-resource ', 'ENCRYPT-RESOURCE').map((type) => (base: Base) => ({ ...cb.envelope(genuineTransaction(base)), resource_type: type })),
    fc.constantFrom('AEAD_AES_128_GCM', 'AEAD_CHACHA20_POLY1305', '', 'aead_aes_256_gcm').map((algorithm) => (base: Base) => {
      const envelope = cb.envelope(genuineTransaction(base));
      return { ...envelope, resource: { ...envelope.resource, algorithm } };
    }),
    fc.record({ at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }).map(({ at, bit }) => (base: Base) => {
      const envelope = cb.envelope(genuineTransaction(base));
      const sealed = Buffer.from(envelope.resource.ciphertext, 'base64');
      sealed[at % sealed.length]! ^= 1 << bit;
      return { ...envelope, resource: { ...envelope.resource, ciphertext: sealed.toString('base64') } };
    }),
    fc.oneof(fc.string({ maxLength: 16 }), fc.base64String({ maxLength: 64 })).map((ciphertext) => (base: Base) => {
      const envelope = cb.envelope(genuineTransaction(base));
      return { ...envelope, resource: { ...envelope.resource, ciphertext } };
    }),
    fc.string({ maxLength: 16 }).map((nonce) => (base: Base) => {
      const envelope = cb.envelope(genuineTransaction(base));
      return { ...envelope, resource: { ...envelope.resource, nonce: nonce === envelope.resource.nonce ? `${nonce}x` : nonce } };
    }),
    fc.constantFrom('refund', '', 'Transaction', 'certificate').map((aad) => (base: Base) => {
      const envelope = cb.envelope(genuineTransaction(base));
      return { ...envelope, resource: { ...envelope.resource, associated_data: aad } };
    }),
    fc.constant((base: Base) => ({
      ...cb.envelope({}),
      resource: { original_type: 'transaction', ...encryptWithApiV3Key(otherApiV3Key, JSON.stringify(genuineTransaction(base)), 'transaction') },
    })),
    // The plaintext itself is wrong: not JSON, not an object, or a transaction that is not this order's payment.
    fc
      .oneof(
        fc.constantFrom('', 'null', '[]', '{', '"SUCCESS"', '{"trade_state":"SUCCESS"}'),
        // Any other value of these makes the transaction unusable or not this order's. (Not transaction_id or
        // success_time: another string there is still a valid payment.)
        fc.record({
          field: fc.constantFrom('appid', 'mchid', 'out_trade_no', 'trade_state', 'amount'),
          value: fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.constant(null), fc.constant({}), fc.double()),
        }),
        fc.record({ field: fc.constantFrom('transaction_id' as const), value: fc.constantFrom(null, '', 42) }),
        fc.record({ field: fc.constantFrom('success_time' as const), value: fc.constantFrom('not a time', 'yesterday', 42, {}) }),
        fc.record({ total: fc.integer({ min: -5, max: 5 }).filter((delta) => delta !== 0) }),
        fc.constantFrom('_0', '_2', '_99', '', '_1_1', 'x').map((suffix) => ({ suffix })),
        fc.constantFrom('NOTPAY', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR', 'REFUND').map((state) => ({ state })),
      )
      .map((defect) => (base: Base) => {
        if (typeof defect === 'string') return { ...cb.envelope({}), resource: { original_type: 'transaction', ...encryptWithApiV3Key(cb.credentials.apiV3Key, defect, 'transaction') } };
        let tx: Record<string, unknown>;
        if ('field' in defect) {
          // A value that happens to equal the genuine one is no defect: make sure it differs.
          const genuine = genuineTransaction(base) as Record<string, unknown>;
          const value = JSON.stringify(defect.value) === JSON.stringify(genuine[defect.field]) ? `${String(defect.value)}-x` : defect.value;
          tx = { ...genuine, [defect.field]: value };
        } else if ('total' in defect) {
          tx = genuineTransaction(base, { amount: { total: base.totalFen + defect.total, payer_total: base.totalFen + defect.total, currency: 'CNY', payer_currency: 'CNY' } });
        } else if ('suffix' in defect) {
          tx = genuineTransaction(base, { out_trade_no: `${base.orderId}${defect.suffix}` });
        } else {
          tx = genuineTransaction(base, { trade_state: defect.state });
        }
        return cb.envelope(tx);
      }),
    // A refund report for a refund this shop never asked for.
    fc.constant((base: Base) => ({
      ...cb.envelope({}),
      event_type: 'REFUND.SUCCESS',
      resource: {
        original_type: 'refund',
        ...encryptWithApiV3Key(
          cb.credentials.apiV3Key,
          JSON.stringify({ mchid: cb.credentials.mchid, out_trade_no: base.outTradeNo, out_refund_no: `R${randomBytes(8).toString('hex')}`, refund_id: '5000', refund_status: 'SUCCESS', amount: { total: base.totalFen, refund: base.totalFen } }),
          'refund',
        ),
      },
    })),
  );

  // ---- Changes to a delivery that each make it unverifiable. ----
  type Delivery = { raw: Buffer; headers: Record<string, string | string[]> };
  type Mutation = (delivery: Delivery) => Delivery;
  const withHeader = (name: string, value: string | string[] | undefined): Mutation => (d) => {
    const headers = { ...d.headers };
    if (value === undefined) delete headers[name];
    else headers[name] = value;
    return { ...d, headers };
  };
  const signatureHeaders = ['wechatpay-signature', 'wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-serial'];
  const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const breaking: fc.Arbitrary<Mutation> = fc.oneof(
    // Body bytes: flipped, cut, extended, re-encoded, padded past the limit, replaced.
    fc.record({ at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }).map(({ at, bit }): Mutation => (d) => {
      const raw = Buffer.from(d.raw);
      raw[at % raw.length]! ^= 1 << bit;
      return { ...d, raw };
    }),
    fc.nat().map((cut): Mutation => (d) => ({ ...d, raw: d.raw.subarray(0, cut % d.raw.length) })),
    fc.constantFrom(' ', '\n', '\r\n', '\u0000', '\ufeff', '}', ',{}').map((tail): Mutation => (d) => ({ ...d, raw: Buffer.concat([d.raw, bytes(tail)]) })),
    fc.constantFrom('\ufeff', ' ', '\n').map((head): Mutation => (d) => ({ ...d, raw: Buffer.concat([bytes(head), d.raw]) })),
    // The same text in another encoding (UTF-16), or the bytes sent as base64 / hex text.
    fc.constant<Mutation>((d) => ({ ...d, raw: Buffer.from(d.raw.toString('utf8'), 'utf16le') })),
    fc.constantFrom<BufferEncoding>('base64', 'hex').map((encoding): Mutation => (d) => ({ ...d, raw: bytes(d.raw.toString(encoding)) })),
    fc.integer({ min: 1, max: 3 * BODY_LIMIT }).map((extra): Mutation => (d) => ({ ...d, raw: Buffer.concat([d.raw, Buffer.alloc(extra, 0x20)]) })),
    fc.uint8Array({ maxLength: 512 }).map((junk): Mutation => (d) => ({ ...d, raw: Buffer.from(junk) })),
    fc.constantFrom('', '{}', 'null', '[]', '{"id":"x"}').map((text): Mutation => (d) => ({ ...d, raw: bytes(text) })),
    // The body reformatted as JSON: same meaning, other bytes.
    fc.constantFrom(1, 2, '\t').map((indent): Mutation => (d) => {
      try {
        return { ...d, raw: bytes(JSON.stringify(JSON.parse(d.raw.toString('utf8')), null, indent)) };
      } catch {
        return { ...d, raw: Buffer.concat([d.raw, bytes(' ')]) };
      }
    }),
    // Headers: missing, replaced, repeated.
    fc.constantFrom(...signatureHeaders).map((name) => withHeader(name, undefined)),
    fc.record({ name: fc.constantFrom(...signatureHeaders), value: headerText }).map(({ name, value }): Mutation => (d) =>
      withHeader(name, value === d.headers[name] ? `${value}0` : value)(d),
    ),
    fc.record({ name: fc.constantFrom(...signatureHeaders), value: headerText }).map(({ name, value }): Mutation => (d) => withHeader(name, [String(d.headers[name]), value])(d)),
    fc.constantFrom(...signatureHeaders).map((name): Mutation => (d) => withHeader(name, [String(d.headers[name]), String(d.headers[name])])(d)),
    // Timestamps: outside the window either way, in milliseconds, not a number.
    fc.oneof(
      fc.integer({ min: 301, max: 10 ** 9 }).map((off) => String(nowSeconds() - off)),
      fc.integer({ min: 301, max: 10 ** 9 }).map((off) => String(nowSeconds() + off)),
      fc.constant(String(Date.now())),
      fc.constantFrom('-1', '0', '1e9', ' 1', '0x10', '', 'NaN', '99999999999999999999'),
      fc.integer({ min: -300, max: 300 }).map((off) => `${nowSeconds() + off}.0`),
    ).map((timestamp) => withHeader('wechatpay-timestamp', timestamp)),
    // Signatures: flipped, cut, random, a probe, an attacker's key, an unsupported type.
    fc.nat().map((at): Mutation => (d) => {
      const signature = Buffer.from(String(d.headers['wechatpay-signature']), 'base64');
      signature[at % signature.length]! ^= 0x01;
      return withHeader('wechatpay-signature', signature.toString('base64'))(d);
    }),
    fc.nat({ max: 340 }).map((cut): Mutation => (d) => withHeader('wechatpay-signature', String(d.headers['wechatpay-signature']).slice(0, cut))(d)),
    fc.base64String({ minLength: 4, maxLength: 400 }).map((signature) => withHeader('wechatpay-signature', signature)),
    headerText.map((rest) => withHeader('wechatpay-signature', `WECHATPAY/SIGNTEST/${rest}`)),
    fc.constant<Mutation>((d) => ({ raw: d.raw, headers: { ...d.headers, ...signedHeaders(d.raw, attacker) } })),
    fc.constantFrom('WECHATPAY2-SHA256-HMAC', 'HMAC-SHA256', 'wechatpay2-sha256-rsa2048 ').map((type) => withHeader('wechatpay-signature-type', type)),
    // Serials: another one (random, padded), which may cost at most one certificate download a minute.
    fc.string({ unit: fc.constantFrom(...'0123456789ABCDEFabcdef'), maxLength: 40 }).map((serial): Mutation => (d) =>
      withHeader('wechatpay-serial', serial.toUpperCase() === String(d.headers['wechatpay-serial']).toUpperCase() ? `0${serial}` : serial)(d),
    ),
    fc.constant<Mutation>((d) => withHeader('wechatpay-serial', `0${String(d.headers['wechatpay-serial'])}`)(d)),
    // Not JSON as far as the server is told.
    fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml').map((type) => withHeader('content-type', type)),
  );

  // ---- Changes a genuine delivery survives (and so they never come alone). ----
  const neutral: fc.Arbitrary<Mutation> = fc.oneof(
    fc.constantFrom('application/json; charset=utf-8', 'application/json;charset=UTF-8', 'APPLICATION/JSON').map((type) => withHeader('content-type', type)),
    fc.constant(withHeader('wechatpay-signature-type', 'WECHATPAY2-SHA256-RSA2048')),
    fc.record({ name: fc.constantFrom('x-request-id', 'user-agent', 'x-forwarded-for', 'accept', 'x-wechat-extra'), value: headerText }).map(({ name, value }) => withHeader(name, value)),
  );

  // Signing is the sender's cost (about a millisecond each): transport forgeries start from a few genuine
  // deliveries per order signed once, and a quarter of the cases carry a freshly signed defect.
  const genuineDeliveries = new Map(bases.map((base) => [base, Array.from({ length: 8 }, () => cb.signed(cb.envelope(genuineTransaction(base))))]));
  const requestArb = fc.record({
    base: fc.constantFrom(...bases),
    pick: fc.nat({ max: 7 }),
    signedDefect: fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: semantic, weight: 1 }),
    breaks: fc.array(breaking, { minLength: 0, maxLength: 3 }),
    extras: fc.array(neutral, { maxLength: 2 }),
    chunked: fc.boolean(),
  }).filter(({ signedDefect, breaks }) => signedDefect !== null || breaks.length > 0);

  const seed = fuzzSeed();
  const samples = fc.sample(requestArb, { numRuns: RUNS, seed });
  const requests: RawRequest[] = samples.map(({ base, pick, signedDefect, breaks, extras, chunked }) => {
    const signed = signedDefect ? cb.signed(signedDefect(base)) : genuineDeliveries.get(base)![pick]!;
    let delivery: Delivery = { raw: bytes(signed.raw), headers: signed.headers };
    // Neutral changes first, so none of them can undo a breaking one (e.g. restore the signature type).
    for (const mutation of [...extras, ...breaks]) delivery = mutation(delivery);
    return { method: 'POST', path: '/api/payments/wechat/notify', headers: delivery.headers, body: delivery.raw, chunked };
  });

  const before = await snapshotCollections(server, COLLECTIONS);
  const client = rawClient(server.url, CONCURRENCY);
  const statuses = new Map<number, number>();
  const serverErrors: string[] = [];
  try {
    await inParallel(requests, CONCURRENCY, async (request, i) => {
      const response = await client.send(request);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status >= 500) serverErrors.push(`#${i} ${response.status} ${response.body} ← ${JSON.stringify(request.headers)} ${request.body.toString('utf8').slice(0, 300)}`);
    });
  } finally {
    client.close();
  }
  const context = `seed ${seed} (FUZZ_SEED=${seed} replays it); statuses ${JSON.stringify(Object.fromEntries(statuses))}`;
  expect([context, serverErrors.slice(0, 5)]).toEqual([context, []]);
  // Nearly every request reached the server (only header values Node itself refuses to send stay behind).
  expect(statuses.get(0) ?? 0).toBeLessThan(RUNS / 100);
  const changed = changedDocuments(before, await snapshotCollections(server, COLLECTIONS)).map((change) => change.slice(0, change.indexOf(':')));
  expect([context, changed]).toEqual([context, []]);
  expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

  // The orders were payable throughout: their genuine callbacks still go through.
  for (const base of bases) {
    const genuine = cb.signed(cb.envelope(genuineTransaction(base)));
    const response = await fetch(`${server.url}/api/payments/wechat/notify`, { method: 'POST', headers: genuine.headers, body: genuine.raw });
    expect(response.status).toBe(204);
    expect((await orderDoc(server, base.orderId)).status).toBe('TO_BE_DELIVERED');
  }
}, 120_000);
