import { CONSOLE_API_PREFIX, CONSOLE_CSRF_HEADER, CONSOLE_ERROR_MESSAGES, consoleErrorSchema } from '@blindbox/shared';
import type { z } from 'zod';

/** A console request that did not succeed, with the server's stable code and a Chinese message for staff. */
export class ConsoleApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ConsoleApiError';
  }

  /** The session is gone: the login page is the answer. */
  get isLoggedOut(): boolean {
    return this.status === 401 && (this.code === 'UNAUTHENTICATED' || this.code === 'SESSION_EXPIRED');
  }
}

/** The synchronizer token of this session (from login and /auth/me); sent on every state-changing request. */
let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type Query = Record<string, string | number | boolean | undefined | null>;

export function apiUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return `${CONSOLE_API_PREFIX}${path}${search ? `?${search}` : ''}`;
}

interface RequestOptions {
  query?: Query;
  body?: unknown;
}

/**
 * One console API call: same-origin cookie, CSRF header on writes, JSON in and out, and the answer checked
 * against the shared schema (a server that drifted from the contract shows an error, not a blank page).
 */
export async function request<S extends z.ZodType>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, schema: S, options: RequestOptions = {}): Promise<z.infer<S>> {
  const response = await send(method, path, options);
  const parsed = schema.safeParse(await response.json());
  if (!parsed.success) throw new ConsoleApiError(response.status, 'BAD_RESPONSE', '服务器返回的数据格式不符，请刷新页面或联系技术人员');
  return parsed.data;
}

/** A file sent as its bytes (a picture): the server reads what it is from the bytes, not from a declared type. */
export async function uploadFile<S extends z.ZodType>(path: string, file: Blob, schema: S, query?: Query): Promise<z.infer<S>> {
  const response = await send('POST', path, { body: file, query });
  const parsed = schema.safeParse(await response.json());
  if (!parsed.success) throw new ConsoleApiError(response.status, 'BAD_RESPONSE', '服务器返回的数据格式不符，请刷新页面或联系技术人员');
  return parsed.data;
}

/** A write whose answer carries nothing to show (204). */
export async function requestNoContent(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<void> {
  await send(method, path, { body });
}

async function send(method: string, path: string, { query, body }: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const file = body instanceof Blob;
  if (body !== undefined) headers['Content-Type'] = file ? 'application/octet-stream' : 'application/json';
  if (method !== 'GET' && csrfToken) headers[CONSOLE_CSRF_HEADER] = csrfToken;
  let response: Response;
  try {
    response = await fetch(apiUrl(path, query), {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : file ? body : JSON.stringify(body),
    });
  } catch {
    throw new ConsoleApiError(0, 'NETWORK', '无法连接服务器，请检查网络后重试');
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

async function errorOf(response: Response): Promise<ConsoleApiError> {
  const parsed = consoleErrorSchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) {
    // Not our API's answer (a proxy's 502 page, a timeout): say so in words staff can act on.
    const message = response.status >= 500 ? `服务器暂时不可用（HTTP ${response.status}），请稍后再试` : `请求失败（HTTP ${response.status}）`;
    return new ConsoleApiError(response.status, 'HTTP_' + response.status, message);
  }
  const { code, message, retryAfterSeconds } = parsed.data;
  // The server's message is Chinese already; the shared table covers an answer that came without one.
  return new ConsoleApiError(response.status, code, message || CONSOLE_ERROR_MESSAGES[code] || '操作失败', retryAfterSeconds);
}

/** What to show for any error a query or mutation threw. */
export function errorMessage(error: unknown): string {
  if (error instanceof ConsoleApiError) {
    const wait = error.retryAfterSeconds ? `（${Math.ceil(error.retryAfterSeconds / 60)} 分钟后可重试）` : '';
    return error.message + wait;
  }
  return '操作失败，请刷新页面后重试';
}
