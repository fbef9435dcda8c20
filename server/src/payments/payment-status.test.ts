import { Types } from 'mongoose';
import { paymentStatusResponseSchema, combinedPaymentStatusSchema, type CombinedJsapiResponse } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { payAtSimulator, prepayIdOf, shopper } from '../../test/support/shop';
import { JOB_TEST_ENV, expireInDb, orderDoc } from '../../test/support/job-test-support';
import { orderTransitions } from '../orders/order-transitions';
import { waitUntil } from '../../test/support/wechatpay-harness';

// The expiry sweep runs every second, as it would in production every minute; reconciliation stays out of the way.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { ...JOB_TEST_ENV, RECONCILE_INTERVAL_SECONDS: '3600', RECONCILE_GRACE_SECONDS: '3600' } });
});
afterAll(async () => {
  await server.stop();
});

/**
 * The reference payment API's client loop, as a front end written against that document has it: poll
 * `GET /api/orders/{id}/payment-status` until the status is PAID or FAILED, waiting between polls. It knows no
 * other word: an answer it does not expect keeps it polling, as it would forever. Bounded here only so that a
 * server answering something else fails the test instead of hanging it.
 */
async function seedClientLoop(url: string, token: string): Promise<{ status: string; reason?: string | null; polls: number }> {
  const deadline = Date.now() + 60_000;
  for (let polls = 1; Date.now() < deadline; polls += 1) {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { status: string; reason?: string | null };
    if (body.status === 'PAID' || body.status === 'FAILED') return { ...body, polls };
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`the seed's client loop was still polling ${url} after a minute`);
}

const statusUrl = (orderId: string) => `${server.url}/api/orders/${orderId}/payment-status`;

test("the seed's client loop ends with FAILED (EXPIRED) for an order the expiry sweep closes while it polls", async () => {
  const amy = await shopper(server, 'dev-status-amy');
  const order = await amy.placeOrder();
  await amy.payJsapi(order.id);
  const polling = seedClientLoop(statusUrl(order.id), amy.token);
  await expireInDb(server, order.id);
  const outcome = await polling;
  expect(outcome).toMatchObject({ status: 'FAILED', reason: 'EXPIRED' });
  expect(outcome.polls).toBeGreaterThanOrEqual(1);
  expect((await orderDoc(server, order.id)).status).toBe('CLOSED');
  // The answer is the shared schema's (the mini-program parses it with it).
  const answer = await amy.api.get(`/api/orders/${order.id}/payment-status`);
  expect(paymentStatusResponseSchema.parse(answer.body)).toEqual({ orderNo: order.id, status: 'FAILED', reason: 'EXPIRED', paidAt: null });
});

test("the seed's client loop ends with FAILED (CANCELLED) when the shopper cancels, and with PAID when the money comes", async () => {
  const ben = await shopper(server, 'dev-status-ben');
  const cancelled = await ben.placeOrder();
  await ben.payJsapi(cancelled.id);
  const cancelPolling = seedClientLoop(statusUrl(cancelled.id), ben.token);
  expect((await ben.api.post(`/api/orders/${cancelled.id}/cancel`)).status).toBe(200);
  expect(await cancelPolling).toMatchObject({ status: 'FAILED', reason: 'CANCELLED' });

  const paid = await ben.placeOrder();
  const params = await ben.payJsapi(paid.id);
  const payPolling = seedClientLoop(statusUrl(paid.id), ben.token);
  await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));
  expect(await payPolling).toMatchObject({ status: 'PAID', reason: null });
  const answer = paymentStatusResponseSchema.parse((await ben.api.get(`/api/orders/${paid.id}/payment-status`)).body);
  expect(answer.paidAt).not.toBeNull();
});

test('money that finds the order already closed is refunded: FAILED with reason REFUNDED, never PAID', async () => {
  const cleo = await shopper(server, 'dev-status-cleo');
  const order = await cleo.placeOrder();
  const params = await cleo.payJsapi(order.id);
  // Closed here while the pay sheet at WeChat is still open (as when closing it at WeChat failed).
  const closed = await orderTransitions(server.container.db).close(new Types.ObjectId(order.id), 1, { reason: 'expired', actor: 'test' });
  expect(closed?.status).toBe('CLOSED');
  await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));
  expect(await seedClientLoop(statusUrl(order.id), cleo.token)).toMatchObject({ status: 'FAILED' });
  // The loop may end before the callback lands (EXPIRED); once it has, the reason says the money goes back.
  const reasonNow = async () => paymentStatusResponseSchema.parse((await cleo.api.get(`/api/orders/${order.id}/payment-status`)).body).reason;
  expect(await waitUntil(async () => ((await reasonNow()) === 'REFUNDED' ? 'REFUNDED' : null), 30_000, 'the late payment to be refunded')).toBe('REFUNDED');
  expect((await orderDoc(server, order.id)).status).toMatch(/^REFUND(ING|ED)$/);
  expect((await orderDoc(server, order.id)).draws).toEqual([]);
});

test('a combined payment answers the same words: its loop ends with FAILED (CLOSED) once a member expires', async () => {
  const dora = await shopper(server, 'dev-status-dora');
  const box = await dora.firstBox();
  const orders = [await dora.placeOrder([{ boxId: box.id, quantity: 1 }]), await dora.placeOrder([{ boxId: box.id, quantity: 1 }])];
  const paying = await dora.api.post<CombinedJsapiResponse>('/api/payments/combined/jsapi', { orderIds: orders.map((order) => order.id) });
  expect(paying.status).toBe(200);
  const path = `/api/payments/combined/${paying.body.id}`;
  const polling = seedClientLoop(`${server.url}${path}`, dora.token);
  await expireInDb(server, orders[0]!.id);
  expect(await polling).toMatchObject({ status: 'FAILED', reason: 'CLOSED' });
  const answer = combinedPaymentStatusSchema.parse((await dora.api.get(path)).body);
  expect(answer).toMatchObject({ status: 'FAILED', reason: 'CLOSED', paidAt: null });
  // The member that did not expire is free again and its own payment-status is still PENDING.
  expect(paymentStatusResponseSchema.parse((await dora.api.get(`/api/orders/${orders[1]!.id}/payment-status`)).body)).toMatchObject({ status: 'PENDING', reason: null });
});
