import type { BoxPage, JsapiPayParams, Order, PaymentStatusResponse } from '@blindbox/shared';
import { apiClient } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { uniqueDbName } from '../support/test-env';
import { payAtSimulator, prepayIdOf, simulatorControl } from '../support/shop';
import { CHANNEL_QUERY_INTERVAL_MS } from '../../src/payments/channel-query-throttle';
import { sleep } from './fault-support';

// Two servers on one database, as behind a load balancer: whatever one process counts, the other must see.
// The first trusts one proxy hop (TRUSTED_PROXY_HOPS=1), the second none.
const LOGINS_PER_MINUTE = 3;
const POLLS_PER_MINUTE = 8;
const dbName = uniqueDbName('limits');
let proxied: TestServer;
let direct: TestServer;
beforeAll(async () => {
  const env = { RATE_LIMIT_LOGIN_PER_MINUTE: String(LOGINS_PER_MINUTE), RATE_LIMIT_PAYMENT_STATUS_PER_MINUTE: String(POLLS_PER_MINUTE) };
  proxied = await startTestServer({ dbName, env: { ...env, TRUSTED_PROXY_HOPS: '1' } });
  direct = await startTestServer({ dbName, env, simulatorUrl: proxied.simulatorUrl, seed: false });
});
afterAll(async () => {
  await direct?.stop();
  await proxied?.container.db.dropDatabase().catch(() => undefined);
  await proxied?.stop();
});

async function loginResponse(on: TestServer, code: string, forwardedFor?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
  return fetch(`${on.url}/api/auth/login`, { method: 'POST', headers, body: JSON.stringify({ code }) });
}

// A code WeChat refuses: refused logins count too, and create nothing.
const login = async (on: TestServer, forwardedFor?: string) => {
  const response = await loginResponse(on, 'invalid', forwardedFor);
  await response.arrayBuffer();
  return response.status;
};

test('X-Forwarded-For picks the bucket only as far as the trusted hops wrote it, and one budget spans both servers', async () => {
  // Behind one proxy, the client is the last address; whatever a client puts before it is its own say.
  const spoofed = [];
  for (let i = 0; i < LOGINS_PER_MINUTE + 1; i += 1) spoofed.push(await login(proxied, `10.9.${i}.${i}, 203.0.113.7`));
  expect(spoofed).toEqual([401, 401, 401, 429]);
  // Another client behind the same proxy has its own budget.
  expect(await login(proxied, '203.0.113.8')).toBe(401);

  // Without trusted hops the header is ignored: the socket's address (127.0.0.1) is the client, and its budget
  // is shared by both processes.
  const local = [await login(direct, '198.51.100.1'), await login(proxied, ''), await login(direct, '198.51.100.2'), await login(proxied, '')];
  expect(local.slice(0, LOGINS_PER_MINUTE)).toEqual([401, 401, 401]);
  expect(local[LOGINS_PER_MINUTE]).toBe(429);
});

test('payment-status polled in a loop on both servers asks WeChat at most once per order per interval, and an abusive poller gets 429', async () => {
  const queries: string[] = [];
  for (const server of [proxied, direct]) {
    const channel = server.container.channels.get('wechatpay');
    const query = channel.query.bind(channel);
    channel.query = (outTradeNo) => {
      queries.push(outTradeNo);
      return query(outTradeNo);
    };
  }
  // Logged in as a client of its own behind the proxy: 127.0.0.1's login budget went to the test above.
  const { token } = (await (await loginResponse(proxied, 'dev-limits-poller', '203.0.113.50')).json()) as { token: string };
  const clients = [apiClient(proxied.url, token), apiClient(direct.url, token)];
  expect((await clients[0]!.put('/api/me/age', { bracket: 'ADULT' })).status).toBe(200);
  const boxId = (await clients[0]!.get<BoxPage>('/api/boxes')).body.items[0]!.id;
  const addressId = (await clients[0]!.post<{ id: string }>('/api/addresses', { name: '张三', phone: '13800138000', region: '上海市 浦东新区', detail: '世纪大道 1 号' })).body.id;
  const order = (await clients[0]!.post<Order>('/api/orders', { items: [{ boxId, quantity: 1 }], addressId })).body;
  const params = (await clients[0]!.post<JsapiPayParams>(`/api/orders/${order.id}/pay/jsapi`)).body;
  const poll = (i: number) => clients[i % 2]!.get<PaymentStatusResponse>(`/api/orders/${order.id}/payment-status`);

  // Six concurrent polls, three on each server: one WeChat query between them.
  const first = await Promise.all([0, 1, 2, 3, 4, 5].map(poll));
  expect(first.map((response) => [response.status, response.body.status])).toEqual(Array(6).fill([200, 'PENDING']));
  expect(queries).toHaveLength(1);

  // Paid with the callback lost: within the interval polls answer from the database; after it, one asks again.
  await simulatorControl(proxied.simulatorUrl, 'POST', '/sim/faults', { dropNext: 100 });
  try {
    await payAtSimulator(proxied.simulatorUrl, prepayIdOf(params.package));
    expect((await poll(0)).body.status).toBe('PENDING');
    expect(queries).toHaveLength(1);
    await sleep(CHANNEL_QUERY_INTERVAL_MS + 100);
    expect((await poll(1)).body.status).toBe('PAID');
    expect(queries).toHaveLength(2);
  } finally {
    await simulatorControl(proxied.simulatorUrl, 'DELETE', '/sim/faults');
  }

  // 8 polls were allowed this minute across both servers; the ninth is refused.
  const limited = await poll(0);
  expect([limited.status, (limited.body as unknown as { code: string }).code]).toEqual([429, 'RATE_LIMITED']);
  expect(queries).toHaveLength(2);
});
