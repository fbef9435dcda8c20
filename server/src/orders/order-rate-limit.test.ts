import { startTestServer, type TestServer } from '../../test/support/test-server';
import { shopper } from '../../test/support/shop';
import { boxState, setStock } from '../../test/support/stock';
import { orderModel } from './order.model';

// Two orders a minute per shopper, so the third is over; the purchase quota out of the way.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { RATE_LIMIT_ORDERS_PER_MINUTE: '2', PURCHASE_LIMIT_PER_BOX: '10' } });
});
afterAll(async () => {
  await server.stop();
});

test("a shopper's orders past the minute's budget are refused 429 before anything is held, and every answer says what is left", async () => {
  const buyer = await shopper(server, 'dev-order-rate-limit');
  const box = await buyer.firstBox();
  await setStock(server, box.id, 10);
  const addressId = (await buyer.address()).id;
  const order = () =>
    fetch(`${server.url}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${buyer.token}` },
      body: JSON.stringify({ items: [{ boxId: box.id, quantity: 1 }], addressId }),
    });

  const answers = [];
  for (let n = 0; n < 3; n++) {
    const response = await order();
    answers.push({ status: response.status, remaining: response.headers.get('ratelimit-remaining'), retryAfter: response.headers.get('retry-after') !== null, code: ((await response.json()) as { code?: string }).code ?? null });
  }
  expect(answers).toEqual([
    { status: 201, remaining: '1', retryAfter: false, code: null },
    { status: 201, remaining: '0', retryAfter: false, code: null },
    { status: 429, remaining: '0', retryAfter: true, code: 'RATE_LIMITED' },
  ]);
  // The refused order took nothing: two units held, two orders, as the two placed.
  expect((await boxState(server, box.id)).stock).toBe(8);
  expect(await orderModel(server.container.db).countDocuments({ 'items.boxId': box.id })).toBe(2);
});
