import { loginResponseSchema } from '@blindbox/shared';
import { ApiError, CONTRACT_MISMATCH, NETWORK_ERROR, errorFromResponse } from './api-error';
import type { HttpMethod, HttpTransport } from './transport';

export interface TokenStore {
  get(): string | null;
  set(token: string): void;
  clear(): void;
}

export interface ApiClientOptions {
  /** Prefix for every path; empty for same-origin requests. */
  baseUrl: string;
  transport: HttpTransport;
  tokens: TokenStore;
  /** A one-time login code: `Taro.login()` in WeChat, a dev user in H5. */
  getLoginCode: () => Promise<string>;
  /**
   * Check every answer against its shared schema (development and tests): a server change that breaks the
   * contract fails loudly here instead of as a blank screen.
   */
  validateResponses?: boolean;
  /** Told when the shopper's session was replaced or dropped on purpose (phone sign-in, binding, signing out). */
  onSessionChange?: () => void;
}

/** What the client needs of a shared zod schema; kept structural so this file does not depend on zod. */
export interface ResponseSchema<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false; error: { message: string } };
}

export type Query = Record<string, string | number | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Catalog endpoints are public; everything else needs a session. */
  auth?: boolean;
}

export interface TypedRequestOptions<T> extends RequestOptions {
  schema: ResponseSchema<T>;
}

export interface ApiClient {
  request<T>(method: HttpMethod, path: string, options: TypedRequestOptions<T>): Promise<T>;
  /** Logs in unless a session token is already stored. */
  ensureLogin(): Promise<void>;
  /** Forgets the session and logs in again (e.g. after switching the H5 dev user). */
  relogin(): Promise<void>;
  /** Keeps a session the shopper got another way (phone sign-in, binding a phone); stored, so it survives reloads. */
  useSession(token: string): void;
  /** Forgets the session (signing out of the H5 shop). */
  forgetSession(): void;
  /** Whether a session is stored (the H5 shop reads optional, per-shopper details only then). */
  hasSession(): boolean;
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const parts = Object.entries(query)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const { baseUrl, transport, tokens, getLoginCode, validateResponses = false, onSessionChange } = options;
  // Pages load in parallel on launch; they must share one login rather than race several.
  let pendingLogin: Promise<string> | null = null;

  async function send(method: HttpMethod, path: string, token: string | null, query?: Query, body?: unknown) {
    const headers: Record<string, string> = { Accept: 'application/json' };
    // Bytes (a photo) go as they are; anything else is JSON.
    if (body !== undefined) headers['Content-Type'] = body instanceof ArrayBuffer ? 'application/octet-stream' : 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    try {
      return await transport({ method, url: `${baseUrl}${path}${queryString(query)}`, headers, body });
    } catch (error) {
      throw new ApiError(0, NETWORK_ERROR, error instanceof Error ? error.message : String(error));
    }
  }

  async function doLogin(): Promise<string> {
    const code = await getLoginCode();
    const response = await send('POST', '/api/auth/login', null, undefined, { code });
    if (response.status < 200 || response.status >= 300) throw errorFromResponse(response.status, response.body);
    const { token } = checked(loginResponseSchema, response.status, response.body, '/api/auth/login');
    tokens.set(token);
    return token;
  }

  function login(): Promise<string> {
    pendingLogin ??= doLogin().finally(() => {
      pendingLogin = null;
    });
    return pendingLogin;
  }

  function checked<T>(schema: ResponseSchema<T>, status: number, body: unknown, path: string): T {
    if (!validateResponses) return body as T;
    const result = schema.safeParse(body);
    if (!result.success) throw new ApiError(status, CONTRACT_MISMATCH, `${path}: the answer does not match the shared schema (${result.error.message})`);
    return result.data;
  }

  async function request<T>(method: HttpMethod, path: string, { query, body, auth = true, schema }: TypedRequestOptions<T>) {
    let token = tokens.get();
    if (auth && !token) token = await login();
    let response = await send(method, path, token, query, body);
    if (response.status === 401 && auth) {
      // The token expired or the server's key rotated: one fresh login, one retry, then give up.
      tokens.clear();
      token = await login();
      response = await send(method, path, token, query, body);
    }
    if (response.status < 200 || response.status >= 300) throw errorFromResponse(response.status, response.body);
    return checked(schema, response.status, response.body, path);
  }

  async function ensureLogin() {
    if (!tokens.get()) await login();
  }

  async function relogin() {
    tokens.clear();
    await login();
  }

  return {
    request,
    ensureLogin,
    relogin,
    useSession(token) {
      tokens.set(token);
      onSessionChange?.();
    },
    forgetSession() {
      tokens.clear();
      onSessionChange?.();
    },
    hasSession: () => tokens.get() !== null,
  };
}
