import { generate } from 'otplib';
import { CONSOLE_CSRF_HEADER, CONSOLE_SESSION_COOKIE, type ConsoleSessionResponse, type StaffRole } from '@blindbox/shared';
import { recordingChanges } from '../../src/admin/admin-audit';
import { staffModel } from '../../src/staff/staff.model';
import type { TestServer } from './test-server';
import { payAtSimulator, prepayIdOf, shopper } from './shop';
import { orderDoc } from './job-test-support';
import { waitUntil } from './wechatpay-harness';

export const STAFF_PASSWORD = 'correct horse battery';

export interface ConsoleResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** A browser-like console client: keeps the session cookie, sends the CSRF token on state-changing requests. */
export interface ConsoleClient {
  cookie: string | null;
  csrf: string | null;
  call<T = unknown>(method: string, path: string, body?: unknown, options?: { csrf?: string | null; contentType?: string }): Promise<ConsoleResponse<T>>;
  get<T = unknown>(path: string): Promise<ConsoleResponse<T>>;
  post<T = unknown>(path: string, body?: unknown): Promise<ConsoleResponse<T>>;
  patch<T = unknown>(path: string, body?: unknown): Promise<ConsoleResponse<T>>;
}

export function consoleClient(server: TestServer, from = '127.0.0.1'): ConsoleClient {
  const client: ConsoleClient = {
    cookie: null,
    csrf: null,
    async call<T>(method: string, path: string, body?: unknown, options: { csrf?: string | null; contentType?: string } = {}) {
      const csrf = options.csrf === undefined ? client.csrf : options.csrf;
      const response = await fetch(`${server.url}/api/console${path}`, {
        method,
        headers: {
          ...(body === undefined || body instanceof Uint8Array ? {} : { 'content-type': options.contentType ?? 'application/json' }),
          ...(client.cookie ? { cookie: `${CONSOLE_SESSION_COOKIE}=${client.cookie}` } : {}),
          ...(csrf ? { [CONSOLE_CSRF_HEADER]: csrf } : {}),
          'x-forwarded-for': from,
        },
        // Bytes go without a content type, as a cross-site no-cors fetch of a Blob would send them.
        body: body === undefined ? undefined : body instanceof Uint8Array || typeof body === 'string' ? body : JSON.stringify(body),
      });
      const set = response.headers.get('set-cookie');
      const match = set && new RegExp(`${CONSOLE_SESSION_COOKIE}=([^;]*)`).exec(set);
      if (match) client.cookie = match[1] || null;
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // CSV and other text answers stay text.
      }
      return { status: response.status, body: parsed as T, headers: response.headers };
    },
    get: (path) => client.call('GET', path),
    post: (path, body) => client.call('POST', path, body ?? {}),
    patch: (path, body) => client.call('PATCH', path, body ?? {}),
  };
  return client;
}

/** A staff member straight through the service (as `admin staff create` does), with a chosen password and optional TOTP. */
export async function createStaff(server: TestServer, username: string, role: StaffRole, options: { totp?: boolean; mustChangePassword?: boolean } = {}): Promise<{ username: string; totpSecret: string | null }> {
  const { staff, staffAuth, audit } = server.container;
  const change = recordingChanges(audit, 'test');
  await staff.create({ username, role, password: STAFF_PASSWORD }, change);
  if (options.mustChangePassword) await staffModel(server.container.db).updateOne({ username }, { $set: { passwordChangeRequired: true } });
  if (!options.totp) return { username, totpSecret: null };
  const member = await staff.get(username);
  const { secret } = await staffAuth.enrolTotp(member);
  await staffAuth.confirmTotp(member, await totpCode(secret, server.clock.now(), -1), change);
  return { username, totpSecret: secret };
}

/** A code of the step `offsetSteps` from now: a login never reuses the step the enrolment confirmed. */
export const totpCode = (secret: string, now: Date, offsetSteps = 0) => generate({ secret, epoch: Math.floor(now.getTime() / 1000) + offsetSteps * 30 });

export async function loginAs(server: TestServer, member: { username: string; totpSecret: string | null }, from?: string): Promise<ConsoleClient> {
  const client = consoleClient(server, from);
  const totp = member.totpSecret ? await totpCode(member.totpSecret, server.clock.now()) : undefined;
  const response = await client.post<ConsoleSessionResponse>('/auth/login', { username: member.username, password: STAFF_PASSWORD, totp });
  if (response.status !== 200) throw new Error(`console login failed: ${response.status} ${JSON.stringify(response.body)}`);
  client.csrf = response.body.csrfToken;
  return client;
}

/** A paid order of `quantity` units of the first box, paid through the simulator. */
export async function paidOrderOf(server: TestServer, code: string, quantity = 3): Promise<{ id: string; totalFen: number }> {
  const user = await shopper(server, code);
  const order = await user.placeOrder([{ boxId: (await user.firstBox()).id, quantity }]);
  await payAtSimulator(server.simulatorUrl, prepayIdOf((await user.payJsapi(order.id)).package));
  await waitUntil(async () => {
    const paid = await orderDoc(server, order.id);
    return paid.status === 'TO_BE_DELIVERED' && !paid.settleDueAt ? true : null;
  }, 20_000, 'payment');
  return { id: order.id, totalFen: order.totalFen };
}
