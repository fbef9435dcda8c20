import { startTestServer, type TestServer } from '../../test/support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ seed: false, env: { BODY_LIMIT_BYTES: '2048' } });
});
afterAll(async () => {
  await server.stop();
});

test('healthz and readyz answer, with a request id', async () => {
  const health = await fetch(`${server.url}/healthz`);
  expect(health.status).toBe(200);
  expect(health.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/);
  const ready = await fetch(`${server.url}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ready' });
});

test('errors are {code, message} with the right status', async () => {
  const unknown = await fetch(`${server.url}/api/nothing-here`);
  expect(unknown.status).toBe(404);
  expect(await unknown.json()).toEqual({ code: 'NOT_FOUND', message: 'no route for GET /api/nothing-here' });

  const badJson = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
  expect(badJson.status).toBe(400);
  expect(((await badJson.json()) as { code: string }).code).toBe('INVALID_JSON');

  const invalid = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(invalid.status).toBe(400);
  expect(((await invalid.json()) as { code: string }).code).toBe('VALIDATION_ERROR');

  const unauthenticated = await fetch(`${server.url}/api/orders`);
  expect(unauthenticated.status).toBe(401);
  expect(((await unauthenticated.json()) as { code: string }).code).toBe('UNAUTHORIZED');
});

test('oversized bodies get 413 before any parsing', async () => {
  const response = await fetch(`${server.url}/api/payments/wechat/notify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ padding: 'x'.repeat(4096) }),
  });
  expect(response.status).toBe(413);
  expect(((await response.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
});
