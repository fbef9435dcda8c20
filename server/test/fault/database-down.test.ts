import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startTestServer, type TestServer } from '../support/test-server';
import { testEnv } from '../support/test-env';
import { wechatCallbacks } from '../support/wechat-callbacks';
import { apiClient } from '../support/api-client';
import { orderDoc } from '../support/job-test-support';
import { waitUntil } from '../support/wechatpay-harness';
import { buyer, outTradeNoOf } from './fault-support';

/**
 * A TCP relay between the server and the suite's shared engine, which this file may cut and restore:
 * the database "goes away" for this server only, without touching the engine other files use.
 */
async function startRelay(target: URL) {
  const sockets = new Set<net.Socket>();
  let open = true;
  const server = net.createServer((client) => {
    if (!open) return client.destroy();
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    uri: `mongodb://127.0.0.1:${(server.address() as AddressInfo).port}/?directConnection=true`,
    cut() {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      open = true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let relay: Awaited<ReturnType<typeof startRelay>>;
let server: TestServer;
beforeAll(async () => {
  relay = await startRelay(new URL(testEnv().mongodbUri));
  server = await startTestServer({ env: { MONGODB_URI: relay.uri } });
});
afterAll(async () => {
  relay.restore();
  await server?.stop();
  await relay?.close();
});

test('with the database gone: 503 with Retry-After, /readyz names it, a callback is answered non-2xx; once back, all is served again', async () => {
  const alice = await buyer(server, 'dev-dbdown-alice');
  const order = await alice.orderNow([{ boxId: (await alice.firstBox()).id, quantity: 1 }]);
  await alice.payJsapi(order.id);
  const cb = await wechatCallbacks();
  const callback = cb.signed(cb.envelope(cb.transaction(await outTradeNoOf(server, order.id), order.totalFen, { payer: { openid: (await orderDoc(server, order.id)).openid } })));
  const notify = () => fetch(`${server.url}/api/payments/wechat/notify`, { method: 'POST', headers: callback.headers, body: callback.raw });

  relay.cut();
  const ready = await fetch(`${server.url}/readyz`);
  expect(ready.status).toBe(503);
  expect(ready.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(await ready.json()).toEqual({ code: 'NOT_READY', message: 'database unreachable', dependencies: { database: 'down' } });

  const [orders, boxes, callbackAnswer] = await Promise.all([alice.api.get(`/api/orders/${order.id}`), apiClient(server.url).get('/api/boxes'), notify()]);
  for (const [what, status, body] of [['order', orders.status, orders.body], ['boxes', boxes.status, boxes.body]] as const) {
    expect([what, status, body]).toEqual([what, 503, { code: 'DATABASE_UNAVAILABLE', message: expect.any(String) }]);
  }
  // WeChat retries anything but 2xx; a 503 also tells it nothing was decided.
  expect(callbackAnswer.status).toBe(503);
  expect(callbackAnswer.headers.get('retry-after')).toMatch(/^\d+$/);
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

  relay.restore();
  await waitUntil(async () => ((await fetch(`${server.url}/readyz`)).ok ? true : null), 30_000, 'the server to be ready again');
  expect((await notify()).status).toBe(204);
  expect((await orderDoc(server, order.id)).status).toBe('TO_BE_DELIVERED');
}, 60_000);
