import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, NETWORK_ERROR, describeError } from './api-error';
import { createApiClient, type TokenStore } from './client';
import type { HttpTransport } from './transport';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

/** These tests are about transport and sessions, not the contract: any answer passes. */
const anyAnswer = { safeParse: (data: unknown) => ({ success: true as const, data }) };

type Handler = (seen: Seen) => { status: number; body?: unknown; raw?: string };

/** A real loopback server, so headers, bodies and status codes cross an actual HTTP connection. */
async function startServer(handler: Handler) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        body: text ? (JSON.parse(text) as unknown) : undefined,
      };
      seen.push(request);
      const { status, body, raw } = handler(request);
      res.writeHead(status, { 'Content-Type': raw === undefined ? 'application/json' : 'text/plain' });
      res.end(raw ?? (body === undefined ? '' : JSON.stringify(body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Same contract as the Taro adapter: any status resolves, only a missing answer rejects. */
const fetchTransport: HttpTransport = async ({ method, url, headers, body }) => {
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed };
};

function memoryTokens(initial: string | null = null): TokenStore & { value: string | null } {
  const store = {
    value: initial,
    get: () => store.value,
    set: (token: string) => {
      store.value = token;
    },
    clear: () => {
      store.value = null;
    },
  };
  return store;
}

/** Issues token-1, token-2, … and accepts only the tokens listed in `valid`. */
function authServer(valid: Set<string>, respond: (seen: Seen) => { status: number; body?: unknown }) {
  let issued = 0;
  return startServer((seen) => {
    if (seen.url === '/api/auth/login') {
      issued += 1;
      return { status: 200, body: { token: `token-${issued}`, expiresAt: '2030-01-01T00:00:00Z', user: { id: 'a'.repeat(24) } } };
    }
    const token = seen.authorization?.replace(/^Bearer /, '');
    if (!token || !valid.has(token)) return { status: 401, body: { code: 'UNAUTHORIZED', message: 'login required' } };
    return respond(seen);
  });
}

describe('api client', () => {
  const servers: { close: () => Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('sends public requests without logging in and encodes the query', async () => {
    const server = await startServer(() => ({ status: 200, body: { items: [] } }));
    servers.push(server);
    const getLoginCode = jest.fn(async () => 'dev-alice');
    const client = createApiClient({ baseUrl: server.baseUrl, transport: fetchTransport, tokens: memoryTokens(), getLoginCode });

    await expect(client.request('GET', '/api/boxes', { query: { page: 2, q: 'a b&c', skip: undefined }, auth: false, schema: anyAnswer })).resolves.toEqual({
      items: [],
    });
    expect(server.seen).toEqual([{ method: 'GET', url: '/api/boxes?page=2&q=a%20b%26c', authorization: undefined, body: undefined }]);
    expect(getLoginCode).not.toHaveBeenCalled();
  });

  it('logs in with the platform code before the first authenticated request and sends the bearer token', async () => {
    const server = await authServer(new Set(['token-1']), (seen) => ({ status: 201, body: { echo: seen.body } }));
    servers.push(server);
    const tokens = memoryTokens();
    const client = createApiClient({
      baseUrl: server.baseUrl,
      transport: fetchTransport,
      tokens,
      getLoginCode: async () => 'dev-alice',
    });

    await expect(client.request('POST', '/api/addresses', { body: { name: 'A' }, schema: anyAnswer })).resolves.toEqual({ echo: { name: 'A' } });
    expect(server.seen.map((seen) => [seen.url, seen.authorization, seen.body])).toEqual([
      ['/api/auth/login', undefined, { code: 'dev-alice' }],
      ['/api/addresses', 'Bearer token-1', { name: 'A' }],
    ]);
    expect(tokens.value).toBe('token-1');
  });

  it('on 401 logs in again once and retries the request with the new token', async () => {
    const server = await authServer(new Set(['token-1']), () => ({ status: 200, body: { ok: true } }));
    servers.push(server);
    const tokens = memoryTokens('expired');
    const client = createApiClient({ baseUrl: server.baseUrl, transport: fetchTransport, tokens, getLoginCode: async () => 'dev-bob' });

    await expect(client.request('GET', '/api/orders', { schema: anyAnswer })).resolves.toEqual({ ok: true });
    expect(server.seen.map((seen) => [seen.url, seen.authorization])).toEqual([
      ['/api/orders', 'Bearer expired'],
      ['/api/auth/login', undefined],
      ['/api/orders', 'Bearer token-1'],
    ]);
    expect(tokens.value).toBe('token-1');
  });

  it('gives up with the 401 after one re-login instead of looping', async () => {
    const server = await authServer(new Set(), () => ({ status: 200 }));
    servers.push(server);
    const client = createApiClient({
      baseUrl: server.baseUrl,
      transport: fetchTransport,
      tokens: memoryTokens('stale'),
      getLoginCode: async () => 'dev-alice',
    });

    const error = await client.request('GET', '/api/orders', { schema: anyAnswer }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHORIZED', message: 'login required' });
    expect(server.seen.filter((seen) => seen.url === '/api/auth/login')).toHaveLength(1);
  });

  it('shares one login between concurrent requests', async () => {
    const server = await authServer(new Set(['token-1']), () => ({ status: 200, body: {} }));
    servers.push(server);
    const getLoginCode = jest.fn(async () => 'dev-alice');
    const client = createApiClient({ baseUrl: server.baseUrl, transport: fetchTransport, tokens: memoryTokens(), getLoginCode });

    await Promise.all([client.request('GET', '/api/orders', { schema: anyAnswer }), client.request('GET', '/api/coupons', { schema: anyAnswer }), client.ensureLogin()]);
    expect(getLoginCode).toHaveBeenCalledTimes(1);
    expect(server.seen.filter((seen) => seen.url === '/api/auth/login')).toHaveLength(1);
  });

  it("maps the server's {code, message} and non-JSON failures to ApiError", async () => {
    const server = await startServer((seen) =>
      seen.url === '/conflict'
        ? { status: 409, body: { code: 'OUT_OF_STOCK', message: '库存不足' } }
        : { status: 502, raw: 'Bad Gateway' },
    );
    servers.push(server);
    const client = createApiClient({
      baseUrl: server.baseUrl,
      transport: fetchTransport,
      tokens: memoryTokens('t'),
      getLoginCode: async () => 'dev-alice',
    });

    await expect(client.request('POST', '/conflict', { schema: anyAnswer })).rejects.toMatchObject({ status: 409, code: 'OUT_OF_STOCK', message: '库存不足' });
    await expect(client.request('GET', '/gateway', { schema: anyAnswer })).rejects.toMatchObject({ status: 502, code: 'HTTP_502' });
  });

  it('reports an unreachable server as a network error with status 0', async () => {
    const server = await startServer(() => ({ status: 200 }));
    await server.close();
    const client = createApiClient({
      baseUrl: server.baseUrl,
      transport: fetchTransport,
      tokens: memoryTokens('t'),
      getLoginCode: async () => 'dev-alice',
    });

    const error = await client.request('GET', '/api/orders', { schema: anyAnswer }).catch((failure: unknown) => failure);
    expect(error).toMatchObject({ status: 0, code: NETWORK_ERROR });
    expect(describeError(error)).toBe('网络连接失败，请检查网络后重试');
  });
});
