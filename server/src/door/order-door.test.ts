import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Types } from 'mongoose';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { buyer } from '../../test/fault/fault-support';
import { setStock } from '../../test/support/stock';
import { apiClient } from '../../test/support/api-client';
import { freePort } from '../../dev/free-port';
import { createLogger } from '../logger';
import { boxModel } from '../catalog/box.model';
import { orderDoor, type OrderDoorOptions } from './order-door';

// Every shopper may buy up to two units of a box (the shop's default): one shopper's own refusal comes at the third.
let server: TestServer;
const doors: http.Server[] = [];
beforeAll(async () => {
  server = await startTestServer({ env: { PURCHASE_LIMIT_PER_BOX: '2' } });
});
afterAll(async () => {
  for (const door of doors) door.close();
  await server.stop();
});

/** A door in front of `upstreams`, with a clock the test moves. */
async function startDoor(options: Partial<OrderDoorOptions> = {}) {
  const clock = { now: Date.now() };
  const door = http.createServer(
    orderDoor({ upstreams: [server.url], rememberMs: 250, bodyLimitBytes: 64 * 1024, requestTimeoutMs: 10_000, logger: createLogger({ LOG_LEVEL: 'silent', LOG_PRETTY: false, NODE_ENV: 'test' }), now: () => clock.now, ...options }),
  );
  doors.push(door);
  await new Promise<void>((resolve) => door.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(door.address() as AddressInfo).port}`, clock };
}

async function boxOf(units: number): Promise<string> {
  const [box] = await boxModel(server.container.db).create([
    { slug: `door-${new Types.ObjectId().toHexString()}`, name: '门口款', coverUrl: '/c.png', priceFen: 5900, products: [{ productId: 'only', name: 'Only', rarity: 'COMMON', imageUrl: '/i.png', weight: 1 }] },
  ]);
  await setStock(server, box!._id.toHexString(), units);
  return box!._id.toHexString();
}

/** Requests the shop itself answered, by route and status (its own metrics). */
async function shopRequests(method: string, route: string, status: number): Promise<number> {
  const text = await server.container.metrics.registry.getSingleMetricAsString('http_requests_total');
  return Number(new RegExp(`method="${method}",route="${route}",status="${status}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
}

/** The order route's answers the shop itself gave, by status. */
const shopAnswered = (status: number) => shopRequests('POST', '/api/orders', status);

const order = (url: string, boxId: string, quantity = 1) =>
  fetch(`${url}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: [{ boxId, quantity }], addressId: new Types.ObjectId().toHexString() }) }).then(async (response) => ({
    status: response.status,
    body: (await response.json()) as { code: string; message: string },
  }));

test("the door passes orders on, and repeats the shop's sold-out answer for the same lines without asking it again until the memory's time is up", async () => {
  const door = await startDoor();
  const boxId = await boxOf(1);
  const winner = await buyer(server, 'dev-door-winner');
  const placed = await apiClient(door.url, winner.token).post<{ id: string; status: string }>('/api/orders', { items: [{ boxId, quantity: 1 }], addressId: winner.addressId });
  expect(placed).toEqual({ status: 201, body: expect.objectContaining({ status: 'TO_BE_PAID' }) as unknown });

  const before = await shopAnswered(409);
  const first = await order(door.url, boxId);
  expect(first).toEqual({ status: 409, body: expect.objectContaining({ code: 'SOLD_OUT' }) as unknown });
  expect(await shopAnswered(409)).toBe(before + 1);

  // The same lines again, by anyone: the shop's answer, word for word, and the shop not asked.
  const repeated = await Promise.all(Array.from({ length: 5 }, () => order(door.url, boxId)));
  expect(repeated).toEqual(Array(5).fill(first));
  expect(await shopAnswered(409)).toBe(before + 1);
  // Other lines are the shop's to answer.
  expect((await order(door.url, boxId, 2)).body.code).toBe('SOLD_OUT');
  expect(await shopAnswered(409)).toBe(before + 2);

  // Past the memory's time, one request asks the shop again; whoever comes meanwhile still hears the answer.
  door.clock.now += 251;
  const [asking, meanwhile] = [order(door.url, boxId), order(door.url, boxId)];
  expect((await meanwhile).body.code).toBe('SOLD_OUT');
  expect((await asking).body.code).toBe('SOLD_OUT');
  expect(await shopAnswered(409)).toBe(before + 3);
});

test("a refusal about the shopper (the purchase limit) is never repeated to anyone else, and units back on sale are sold once the memory's time is up", async () => {
  const door = await startDoor();
  const boxId = await boxOf(4);
  const greedy = await buyer(server, 'dev-door-greedy');
  const greedyApi = apiClient(door.url, greedy.token);
  for (const expected of [201, 201, 409]) expect((await greedyApi.post('/api/orders', { items: [{ boxId, quantity: 1 }], addressId: greedy.addressId })).status).toBe(expected);
  const other = await buyer(server, 'dev-door-other');
  expect((await apiClient(door.url, other.token).post('/api/orders', { items: [{ boxId, quantity: 1 }], addressId: other.addressId })).status).toBe(201);

  // The last unit goes, and the shop refuses the next shopper; then three units come back (a staff restock): the
  // door repeats sold out for its memory's time only, and the next order after it is the shop's to answer.
  expect((await apiClient(door.url, other.token).post('/api/orders', { items: [{ boxId, quantity: 1 }], addressId: other.addressId })).status).toBe(201);
  const late = await buyer(server, 'dev-door-late');
  const lateOrder = () => apiClient(door.url, late.token).post<{ code?: string }>('/api/orders', { items: [{ boxId, quantity: 1 }], addressId: late.addressId });
  expect((await lateOrder()).body.code).toBe('SOLD_OUT');
  await setStock(server, boxId, 3);
  expect((await order(door.url, boxId)).body.code).toBe('SOLD_OUT');
  // The shop's own stock gate learns of the restock by its background read (stock-gate.ts): ask until it has.
  let answer = { status: 0 };
  for (let attempt = 0; attempt < 40 && answer.status !== 201; attempt++) {
    door.clock.now += 251;
    answer = await lateOrder();
    if (answer.status !== 201) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(answer.status).toBe(201);
});

test('every other request but its own /healthz is passed on as it came (headers, query, answer), and a shop that does not answer is a 502 in the API error shape', async () => {
  const door = await startDoor();
  const boxId = await boxOf(2);
  const requestId = `door-test-${new Types.ObjectId().toHexString()}`;
  const [direct, through] = await Promise.all(
    [server.url, door.url].map(async (url) => {
      const response = await fetch(`${url}/api/boxes/${boxId}?from=door`, { headers: { 'x-request-id': requestId } });
      const { serverTime, ...box } = (await response.json()) as { serverTime: string };
      return { status: response.status, requestId: response.headers.get('x-request-id'), box, serverTime: typeof serverTime };
    }),
  );
  expect(through).toEqual(direct);
  expect(through?.requestId).toBe(requestId);
  // Lines the door cannot read are the shop's to refuse (here: nobody signed in).
  expect((await order(door.url, 'not-an-id')).body.code).toBe('UNAUTHORIZED');

  const nobody = await startDoor({ upstreams: [`http://127.0.0.1:${await freePort()}`] });
  expect(await order(nobody.url, boxId)).toEqual({ status: 502, body: { code: 'SHOP_UNREACHABLE', message: expect.any(String) as string } });
  // Except its own liveness, answered with no shop behind it.
  const alive = await fetch(`${nobody.url}/healthz`);
  expect({ status: alive.status, body: await alive.json() }).toEqual({ status: 200, body: { status: 'ok', door: true } });
});

test('the servers are taken in turn, and an ask that got no answer forgets the sold-out answer instead of repeating it for good', async () => {
  const boxId = await boxOf(1);
  const winner = await buyer(server, 'dev-door-turns');
  expect((await winner.api.post('/api/orders', { items: [{ boxId, quantity: 1 }], addressId: winner.addressId })).status).toBe(201);
  // Every other request goes to a server that is down.
  const door = await startDoor({ upstreams: [server.url, `http://127.0.0.1:${await freePort()}`] });
  const before = await shopAnswered(409);
  expect((await order(door.url, boxId)).body.code).toBe('SOLD_OUT');
  door.clock.now += 251;
  expect((await order(door.url, boxId)).status).toBe(502);
  // Nothing remembered any more: the next order is the shop's to answer again.
  expect((await order(door.url, boxId)).body.code).toBe('SOLD_OUT');
  expect(await shopAnswered(409)).toBe(before + 2);
});

test("a winner answered after the sold-out answer, though let in before it, is older news: the door keeps repeating sold out", async () => {
  // A shop (a stand-in: the order of its answers is the point) that keeps the first order waiting, as a drop's
  // winners wait for a placing slot, and refuses every later one at once.
  let asked = 0;
  let answerFirst: () => void = () => undefined;
  const shop = http.createServer((req, res) => {
    asked += 1;
    const soldOut = JSON.stringify({ code: 'SOLD_OUT', message: '已售罄' });
    if (asked === 1) answerFirst = () => res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'won', status: 'TO_BE_PAID' }));
    else res.writeHead(409, { 'content-type': 'application/json' }).end(soldOut);
  });
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  try {
    const door = await startDoor({ upstreams: [`http://127.0.0.1:${(shop.address() as AddressInfo).port}`] });
    const boxId = new Types.ObjectId().toHexString();
    const winner = order(door.url, boxId);
    while (asked < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await order(door.url, boxId)).body.code).toBe('SOLD_OUT');
    answerFirst();
    expect((await winner).status).toBe(201);
    // The winner's 201 came last but was asked first: the sold-out answer stands, the shop is not asked again.
    expect((await order(door.url, boxId)).body.code).toBe('SOLD_OUT');
    expect(asked).toBe(2);
    // A request let through after it (the memory's time up) that is not refused makes the door forget.
    door.clock.now += 251;
    asked = 0;
    answerFirst = () => undefined;
    const next = order(door.url, boxId);
    while (asked < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    answerFirst();
    expect((await next).status).toBe(201);
    expect((await order(door.url, boxId)).body.code).toBe('SOLD_OUT');
    expect(asked).toBe(2);
  } finally {
    shop.close();
  }
});

test('a shop cut off mid-answer cuts the shopper off too, and the door goes on answering', async () => {
  // A shop that starts an answer and drops the connection: an order's (kept to be read whole) and a page's (piped).
  const halfway = net.createServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 409 Conflict\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"code":"SOLD')));
  await new Promise<void>((resolve) => halfway.listen(0, '127.0.0.1', resolve));
  try {
    const door = await startDoor({ upstreams: [`http://127.0.0.1:${(halfway.address() as AddressInfo).port}`] });
    const boxId = new Types.ObjectId().toHexString();
    for (let round = 0; round < 2; round++) {
      await expect(order(door.url, boxId)).rejects.toThrow();
      await expect(fetch(`${door.url}/api/boxes/${boxId}`).then((response) => response.text())).rejects.toThrow();
    }
  } finally {
    halfway.close();
  }
});

test("the door counts what it answered and what it passed on, for the scraper's token only", async () => {
  const token = 'door-metrics-token-for-the-test';
  const door = await startDoor({ metricsToken: token });
  const boxId = await boxOf(1);
  const winner = await buyer(server, 'dev-door-metrics');
  expect((await apiClient(door.url, winner.token).post('/api/orders', { items: [{ boxId, quantity: 1 }], addressId: winner.addressId })).status).toBe(201);
  for (let asked = 0; asked < 3; asked++) expect((await order(door.url, boxId)).body.code).toBe('SOLD_OUT');

  const scrape = (authorization?: string) => fetch(`${door.url}/metrics`, { headers: authorization ? { authorization } : {} });
  expect((await scrape()).status).toBe(401);
  expect((await scrape('Bearer not-the-token-not-the-token')).status).toBe(401);
  const text = await (await scrape(`Bearer ${token}`)).text();
  expect(text).toContain('door_orders_total{answer="passed"} 2');
  expect(text).toContain('door_orders_total{answer="remembered"} 2');
});

test('a door keeping connections warm opens them to the shop at its start, each carrying a /healthz', async () => {
  const healthChecks = () => shopRequests('GET', '/healthz', 200);
  const before = await healthChecks();
  await startDoor({ warmConnections: 5 });
  const deadline = Date.now() + 5_000;
  while ((await healthChecks()) < before + 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(await healthChecks()).toBe(before + 5);
});

test('keeping warm passes a shop by while a burst is under way there (16 requests in flight), and tops it up once it is over', async () => {
  // A shop that holds every order until told, and counts the door's /healthz.
  let healthChecks = 0;
  const held: http.ServerResponse[] = [];
  const shop = http.createServer((req, res) => {
    if (req.url === '/healthz') {
      healthChecks += 1;
      res.end('{"status":"ok"}');
    } else {
      req.resume();
      held.push(res);
    }
  });
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  try {
    const door = await startDoor({ upstreams: [`http://127.0.0.1:${(shop.address() as AddressInfo).port}`], warmConnections: 20, warmEveryMs: 100 });
    await settle(50);
    expect(healthChecks).toBeGreaterThanOrEqual(20);
    const orders = Array.from({ length: 16 }, () => order(door.url, new Types.ObjectId().toHexString()).catch(() => null));
    while (held.length < 16) await settle(10);
    const during = healthChecks;
    await settle(350);
    expect(healthChecks).toBe(during);

    for (const res of held.splice(0)) res.writeHead(409, { 'content-type': 'application/json' }).end('{"code":"SOLD_OUT","message":"sold out"}');
    await Promise.all(orders);
    await settle(250);
    expect(healthChecks).toBeGreaterThanOrEqual(during + 20);
  } finally {
    shop.closeAllConnections();
    shop.close();
  }
});
