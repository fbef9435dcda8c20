import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startTestServer, type TestServer } from '../../test/support/test-server';

let server: TestServer;
let h5Dir: string;
beforeAll(async () => {
  h5Dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blindbox-h5-'));
  fs.writeFileSync(path.join(h5Dir, 'index.html'), '<!doctype html><title>shop</title>');
  fs.writeFileSync(path.join(h5Dir, 'app.js'), 'console.log(1)');
  server = await startTestServer({ seed: false, env: { BODY_LIMIT_BYTES: '2048', H5_DIR: h5Dir } });
});
afterAll(async () => {
  await server.stop();
  fs.rmSync(h5Dir, { recursive: true, force: true });
});

/** The path exactly as given: fetch would normalise dots and re-encode what this test needs sent raw. */
function rawGet(rawPath: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    http
      .get({ hostname, port, path: rawPath }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

test('healthz and readyz answer, with a request id', async () => {
  const health = await fetch(`${server.url}/healthz`);
  expect(health.status).toBe(200);
  expect(health.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/);
  const ready = await fetch(`${server.url}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ready', dependencies: { database: 'up' } });
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

  const wrongMethod = await fetch(`${server.url}/api/auth/login`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(wrongMethod.status).toBe(405);
  expect(await wrongMethod.json()).toEqual({ code: 'METHOD_NOT_ALLOWED', message: 'method not allowed on this path' });

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

test('the H5 route answers malformed, NUL and climbing paths with 400 or 404 in the error shape, never 500', async () => {
  expect((await rawGet('/app.js')).body).toBe('console.log(1)');
  expect((await rawGet('/orders/123')).body).toContain('<title>shop</title>');
  const cases: Array<[string, number]> = [
    ['/%E0%A4%A', 400],
    ['/%', 400],
    ['/app.js%00.png', 400],
    ['/%00', 400],
    ['/..%2f..%2f..%2fetc%2fpasswd', 404],
    ['/%2e%2e/%2e%2e/etc/passwd', 404],
    ['/..%5c..%5cetc%5cpasswd', 200],
    ['/app.js/under-a-file', 200],
    [`/${'a'.repeat(300)}`, 200],
  ];
  for (const [rawPath, status] of cases) {
    const response = await rawGet(rawPath);
    expect([rawPath, response.status]).toEqual([rawPath, status]);
    if (status >= 400) expect([rawPath, Object.keys(JSON.parse(response.body) as object)]).toEqual([rawPath, ['code', 'message']]);
    else expect([rawPath, response.body]).toEqual([rawPath, expect.stringContaining('<title>shop</title>')]);
  }
});
