import fc from 'fast-check';
import {
  addCartLineRequestSchema,
  addressInputSchema,
  cartCheckoutRequestSchema,
  combinedPaymentRequestSchema,
  createOrderRequestSchema,
  quoteRequestSchema,
  setCartQuantityRequestSchema,
} from '@blindbox/shared';
import { startTestServer, type TestServer } from '../support/test-server';
import { buyer, changedDocuments, snapshotCollections } from '../fault/fault-support';
import { fuzzSeed, isErrorShape, rawClient, type RawRequest } from './fuzz-support';
import { inParallel } from '../support/in-parallel';

// The shopper-facing JSON endpoints with bodies that break their schema (and ids that are not ids): every
// answer is a 4xx in the shared {code, message} shape, and nothing is written.
const RUNS = Number(process.env.FUZZ_API_RUNS ?? 3_000);
const CONCURRENCY = 16;
const COLLECTIONS = ['orders', 'boxes', 'coupons', 'users', 'addresses', 'channelQueries', 'carts', 'combined_payments'];

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { BODY_LIMIT_BYTES: '4096' } });
});
afterAll(async () => {
  await server.stop();
});

/** Any JSON value, deep and odd enough to reach corners a hand-written case would not. */
const anyJson = fc.jsonValue({ maxDepth: 3 });
const oddValue = fc.oneof(
  anyJson,
  fc.constantFrom(-1, 0, 1.5, 1e21, -0, Number.MAX_SAFE_INTEGER + 2, '1', '', ' ', 'null', '{"$gt":""}', true),
  fc.constant({ $gt: '' }),
  fc.constant({ $ne: null }),
  fc.string({ maxLength: 300 }),
);

/** A valid body with one field removed, retyped or given an odd value, or extra keys that try to smuggle. */
function mutated(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(valid);
  return fc.oneof(
    fc.constantFrom(...keys).map((key) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== key))),
    fc.record({ key: fc.constantFrom(...keys), value: oddValue }).map(({ key, value }) => ({ ...valid, [key]: value })),
    fc.record({ key: fc.constantFrom('__proto__', 'constructor', 'status', 'totalFen', '$where'), value: oddValue }).map(({ key, value }) => ({
      ...JSON.parse(JSON.stringify(valid)),
      [key]: value,
      ...(key === 'status' || key === 'totalFen' ? { items: 'many' } : { [keys[0]!]: null }),
    })),
    anyJson,
  );
}

test(`${RUNS} schema-violating requests to orders, quote, prepay, addresses, the cart and combined payment: 4xx in the error shape, nothing written`, async () => {
  const shopper = await buyer(server, 'dev-fuzz-api');
  const boxId = (await shopper.firstBox()).id;
  const order = await shopper.orderNow([{ boxId, quantity: 1 }]);
  const auth = { authorization: `Bearer ${shopper.token}` };

  const validOrder = { items: [{ boxId, quantity: 1 }], addressId: shopper.addressId };
  const validLine = { boxId, quantity: 1 };
  const validAddress = { name: '张三', phone: '13800138000', region: '上海市 浦东新区', detail: '世纪大道 1 号' };
  // Only bodies the schema refuses: a mutation that happens to stay valid would rightly be served.
  const refusedBy = (schema: { safeParse(value: unknown): { success: boolean } }) => (body: unknown) => !schema.safeParse(body).success;
  const orderBody = fc.oneof(
    mutated(validOrder),
    mutated(validLine).map((line) => ({ ...validOrder, items: [line] })),
    fc.array(fc.constant(validLine), { minLength: 11, maxLength: 14 }).map((items) => ({ ...validOrder, items })),
    fc.constant({ ...validOrder, items: [] }),
  ).filter(refusedBy(createOrderRequestSchema));
  const quoteBody = mutated({ items: [validLine] }).filter(refusedBy(quoteRequestSchema));
  const addressBody = mutated(validAddress).filter(refusedBy(addressInputSchema));
  const other = await shopper.orderNow([{ boxId, quantity: 1 }]);
  const cartLineBody = mutated(validLine).filter(refusedBy(addCartLineRequestSchema));
  const cartQuantityBody = mutated({ quantity: 1 }).filter(refusedBy(setCartQuantityRequestSchema));
  const checkoutBody = mutated({ addressId: shopper.addressId }).filter(refusedBy(cartCheckoutRequestSchema));
  const combinedBody = fc
    .oneof(mutated({ orderIds: [order.id, other.id] }), fc.constant({ orderIds: [order.id, order.id] }), fc.constant({ orderIds: [order.id] }))
    .filter(refusedBy(combinedPaymentRequestSchema));
  const badId = fc.oneof(
    fc.string({ maxLength: 30 }).filter((id) => !/^[a-f0-9]{24}$/i.test(id)),
    fc.constantFrom('000000000000000000000000', `${order.id.slice(0, 23)}Z`, `${order.id} `, '%24ne', '..%2F..', '%00'),
  );
  // Bytes that are not the JSON the route wants at all: broken JSON, another content type, over the limit.
  const notJson = fc.oneof(
    fc.constantFrom('{', '{"items":', "{'items': []}", 'items=1', '\ufeff{}x', 'undefined', 'NaN'),
    fc.string({ minLength: 5000, maxLength: 6000 }).map((text) => JSON.stringify({ text })),
  );

  type Case = { method: string; path: string; body: string; contentType: string };
  const json = (method: string, path: string) => (body: unknown): Case => ({ method, path, body: JSON.stringify(body) ?? 'null', contentType: 'application/json' });
  const caseArb: fc.Arbitrary<Case> = fc.oneof(
    orderBody.map(json('POST', '/api/orders')),
    quoteBody.map(json('POST', '/api/orders/quote')),
    addressBody.map(json('POST', '/api/addresses')),
    addressBody.map(json('PUT', `/api/addresses/${shopper.addressId}`)),
    fc.record({ id: badId, body: anyJson }).map(({ id, body }) => json('POST', `/api/orders/${encodeURIComponent(id)}/pay/jsapi`)(body)),
    fc.record({ id: badId, body: anyJson }).map(({ id, body }) => json('POST', `/api/orders/${encodeURIComponent(id)}/pay/native`)(body)),
    fc.record({ id: badId }).map(({ id }) => json('PUT', `/api/addresses/${encodeURIComponent(id)}`)(validAddress)),
    cartLineBody.map(json('POST', '/api/cart/lines')),
    cartQuantityBody.map(json('PUT', `/api/cart/lines/${boxId}`)),
    fc.record({ id: badId }).map(({ id }) => json('PUT', `/api/cart/lines/${encodeURIComponent(id)}`)({ quantity: 1 })),
    // A well-formed id of a box not in the cart is a harmless delete (200), so only ids that are not ids here.
    fc.record({ id: badId.filter((id) => !/^[a-f0-9]{24}$/i.test(id)) }).map(({ id }) => json('DELETE', `/api/cart/lines/${encodeURIComponent(id)}`)({})),
    checkoutBody.map(json('POST', '/api/cart/checkout')),
    combinedBody.map(json('POST', '/api/payments/combined/jsapi')),
    combinedBody.map(json('POST', '/api/payments/combined/native')),
    fc.record({
      route: fc.constantFrom('/api/orders', '/api/orders/quote', '/api/addresses', `/api/orders/${order.id}/pay/jsapi`, '/api/cart/lines', '/api/cart/checkout', '/api/payments/combined/jsapi'),
      body: notJson,
      contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', ''),
    }).map(({ route, body, contentType }) => ({ method: 'POST', path: route, body, contentType })),
  );

  const seed = fuzzSeed();
  const cases = fc.sample(caseArb, { numRuns: RUNS, seed });
  const requests: RawRequest[] = cases.map((c) => ({
    method: c.method,
    path: c.path,
    headers: { ...auth, ...(c.contentType ? { 'content-type': c.contentType } : {}) },
    body: Buffer.from(c.body),
  }));

  const before = await snapshotCollections(server, COLLECTIONS);
  const client = rawClient(server.url, CONCURRENCY);
  const wrong: string[] = [];
  const statuses = new Map<number, number>();
  try {
    await inParallel(requests, CONCURRENCY, async (request, i) => {
      const response = await client.send(request);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status < 400 || response.status >= 500 || !isErrorShape(response.body)) {
        wrong.push(`${response.status} ${response.body.slice(0, 200)} ← ${cases[i]!.method} ${cases[i]!.path} ${cases[i]!.body.slice(0, 200)}`);
      }
    });
  } finally {
    client.close();
  }
  const context = `seed ${seed} (FUZZ_SEED=${seed} replays it); statuses ${JSON.stringify(Object.fromEntries(statuses))}`;
  expect([context, wrong.slice(0, 5)]).toEqual([context, []]);
  const changed = changedDocuments(before, await snapshotCollections(server, COLLECTIONS)).map((change) => change.slice(0, change.indexOf(':')));
  expect([context, changed]).toEqual([context, []]);
  expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
}, 90_000);
