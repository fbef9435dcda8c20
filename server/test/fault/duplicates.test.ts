import type { JsapiPayParams, Order } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../support/test-server';
import { payAtSimulator, simulatorControl } from '../support/shop';
import { wechatCallbacks, postCallback } from '../support/wechat-callbacks';
import { waitUntil } from '../support/wechatpay-harness';
import { boxState, orderDoc, prepayIdOf } from '../support/job-test-support';
import { buyer, outTradeNoOf, sleep } from './fault-support';

// JOBS off: nothing but the deliveries under test may move an order to paid.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});
afterEach(async () => {
  await simulatorControl(server.simulatorUrl, 'DELETE', '/sim/faults');
});

test('100 concurrent deliveries of one notification fulfil it once, each answered 2xx', async () => {
  const alice = await buyer(server, 'dev-dup-alice');
  const box = await alice.firstBox();
  const before = await boxState(server, box.id);
  const order = await alice.orderNow([{ boxId: box.id, quantity: 3 }]);
  await alice.payJsapi(order.id);
  const outTradeNo = await outTradeNoOf(server, order.id);

  const cb = await wechatCallbacks();
  const event = cb.envelope(cb.transaction(outTradeNo, order.totalFen, { payer: { openid: (await orderDoc(server, order.id)).openid } }));
  // WeChat's retries carry the same event re-signed (new nonce and timestamp); a network-level duplicate
  // is the very same bytes. Both kinds, interleaved.
  const identical = cb.signed(event);
  const deliveries = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? identical : cb.signed(event)));
  const statuses = await Promise.all(deliveries.map((delivery) => postCallback(server.url, delivery)));

  expect(statuses.filter((status) => status < 200 || status >= 300)).toEqual([]);
  const paid = await orderDoc(server, order.id);
  expect(paid.status).toBe('TO_BE_DELIVERED');
  expect(paid.audit.filter((entry) => entry.to === 'TO_BE_DELIVERED')).toHaveLength(1);
  expect(paid.draws).toHaveLength(3);
  expect(paid.payment.extraTransactionIds).toEqual([]);
  expect(paid.refunds).toEqual([]);
  // Sold once: the hold is gone and the three units stay taken, not taken again nor given back.
  const after = await waitUntil(async () => {
    const state = await boxState(server, box.id);
    return state.holds.some((hold) => hold.startsWith(order.id)) ? null : state;
  }, 15_000, 'the hold to be kept as sold');
  expect(after.stock).toBe(before.stock - 3);

  // A late straggler after everything settled changes nothing either.
  const settled = JSON.stringify(await orderDoc(server, order.id));
  expect(await postCallback(server.url, cb.signed(event))).toBe(204);
  expect(JSON.stringify(await orderDoc(server, order.id))).toBe(settled);
});

test("the simulator's duplicate fault (every callback sent twice at once) still fulfils each order once", async () => {
  const bob = await buyer(server, 'dev-dup-bob');
  const box = await bob.firstBox();
  const before = await boxState(server, box.id);
  await simulatorControl(server.simulatorUrl, 'POST', '/sim/faults', { duplicate: true });

  const quantities = [1, 2, 3, 1, 2];
  const orders: Array<{ order: Order; params: JsapiPayParams }> = [];
  for (const quantity of quantities) {
    const order = await bob.orderNow([{ boxId: box.id, quantity }]);
    const params = await bob.payJsapi(order.id);
    orders.push({ order, params });
  }
  await Promise.all(orders.map(({ params }) => payAtSimulator(server.simulatorUrl, prepayIdOf(params.package))));

  for (const { order } of orders) {
    const outTradeNo = `${order.id}_1`;
    // Both copies of the first attempt answered: the delivery is done and neither copy was refused.
    const log = await waitUntil(async () => {
      const notes = (await simulatorControl(server.simulatorUrl, 'GET', `/sim/notifications?outTradeNo=${outTradeNo}`)) as {
        deliveries: Array<{ status: string }>;
        attempts: Array<{ copy?: number; httpStatus: number | null }>;
      };
      return notes.deliveries[0]?.status === 'delivered' ? notes : null;
    }, 15_000, `the callback of ${outTradeNo}`);
    expect(log.attempts.map((attempt) => [attempt.copy, attempt.httpStatus]).sort()).toEqual([
      [1, 204],
      [2, 204],
    ]);
  }
  // Give anything that raced a moment to show itself.
  await sleep(300);
  for (const [i, { order }] of orders.entries()) {
    const paid = await orderDoc(server, order.id);
    expect(paid.status).toBe('TO_BE_DELIVERED');
    expect(paid.audit.filter((entry) => entry.to === 'TO_BE_DELIVERED')).toHaveLength(1);
    expect(paid.draws).toHaveLength(quantities[i]!);
    expect(paid.payment.extraTransactionIds).toEqual([]);
  }
  const sold = quantities.reduce((sum, quantity) => sum + quantity, 0);
  const after = await waitUntil(async () => {
    const state = await boxState(server, box.id);
    return orders.some(({ order }) => state.holds.some((hold) => hold.startsWith(order.id))) ? null : state;
  }, 15_000, 'the holds to be kept as sold');
  expect(after.stock).toBe(before.stock - sold);
});
