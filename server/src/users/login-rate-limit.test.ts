import { limitsDatabase } from '../db/databases';
import { startTestServer } from '../../test/support/test-server';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ env: { RATE_LIMIT_LOGIN_PER_MINUTE: '3' }, seed: false });
});
afterAll(() => server.stop());

const login = (code: string) =>
  fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });

it('limits logins per client IP and answers 429 in the API error shape', async () => {
  // Failed logins count too: guessing codes is exactly what the limit is for.
  const statuses = [];
  for (const code of ['dev-erin', 'invalid', 'dev-frank']) statuses.push((await login(code)).status);
  expect(statuses).toEqual([200, 401, 200]);

  const limited = await login('dev-grace');
  expect(limited.status).toBe(429);
  expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(await limited.json()).toEqual({ code: 'RATE_LIMITED', message: expect.any(String) });
});

it('opens a new window once the minute is over, counting from one again', async () => {
  const windows = limitsDatabase(server.container.db).collection<{ _id: string; count: number; resetAt: Date }>('rateLimits');
  expect((await login('dev-heidi')).status).toBe(429);
  // The minute passes (the window's end moved back rather than waiting for it).
  const { modifiedCount } = await windows.updateMany({ _id: { $regex: /^login:/ } }, { $set: { resetAt: new Date(Date.now() - 1000) } });
  expect(modifiedCount).toBe(1);
  const reopened = await login('dev-heidi');
  expect(reopened.status).toBe(200);
  expect(reopened.headers.get('ratelimit-remaining')).toBe('2');
  const [window] = await windows.find({ _id: { $regex: /^login:/ } }).toArray();
  expect(window).toMatchObject({ count: 1 });
  expect(window!.resetAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
});

it('does not limit the other routes', async () => {
  const response = await fetch(`${server.url}/api/boxes`);
  expect(response.status).toBe(200);
});
