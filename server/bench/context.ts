import { sessionTokens } from '../src/users/session-tokens';
import { startStack, type Stack, type StackOptions } from './stack';
import type { BulkShopper } from './db';
import type { ApiShopper } from './load';

/** What every section of the benchmark shares: where things go, the table being built, the stacks it starts. */

export type Verdict = 'PASS' | 'FAIL';

export interface Row {
  section: string;
  figure: string;
  value: string;
  target?: string;
  verdict?: Verdict;
}

export interface BenchContext {
  benchDir: string;
  credentialsDir: string;
  sessionSecret: string;
  profileDir: string | null;
  /** BENCH_SCALE: multiplies run lengths and counts (1 = the full benchmark). */
  scale: number;
  log(line: string): void;
  row(row: Row): void;
  /** Raw figures for the JSON file, by section. */
  record(section: string, data: unknown): void;
  /** `deployment`: which of docs/deploy.md's processes of their own this section runs beside the shop's server. */
  stack(name: string, env?: Record<string, string>, simulatorTimeScale?: number, deployment?: Pick<StackOptions, 'callbackServer' | 'orderDoor'>): Promise<Stack>;
}

export const verdict = (ok: boolean): Verdict => (ok ? 'PASS' : 'FAIL');
export const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 2 : 0)} ms`);

export interface Summary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
  return { count: sorted.length, p50: at(50), p99: at(99), max: sorted.at(-1) ?? Number.NaN };
}

export const median = (values: readonly number[]) => summarize(values).p50;

/**
 * The sections' shared context. Every stack's server cold start is collected for the cold-start row, and the
 * stacks still running are listed so an interrupted run can stop them.
 */
export function createContext(
  options: Omit<BenchContext, 'row' | 'record' | 'stack'>,
  rows: Row[],
  results: Record<string, unknown>,
  coldStarts: number[],
  running: Set<Stack>,
  interrupted: () => boolean,
): BenchContext {
  return {
    ...options,
    row: (row) => rows.push(row),
    record: (section, data) => {
      results[section] = data;
    },
    async stack(name, env = {}, simulatorTimeScale, deployment = {}) {
      if (interrupted()) throw new Error('interrupted');
      const stack = await startStack({ name, env, simulatorTimeScale, ...deployment, benchDir: options.benchDir, credentialsDir: options.credentialsDir, sessionSecret: options.sessionSecret, profileDir: options.profileDir, log: options.log });
      coldStarts.push(stack.coldStartMs);
      if (interrupted()) {
        await stack.stop();
        throw new Error('interrupted');
      }
      running.add(stack);
      return {
        ...stack,
        async stop() {
          running.delete(stack);
          await stack.stop();
        },
      };
    },
  };
}

/**
 * Logged-in shoppers without the login round trips: users and addresses bulk-inserted as login and
 * POST /api/addresses store them, and session tokens signed exactly as the server's session-tokens.ts does
 * (same module, same secret), so the server accepts them as its own.
 */
export async function bulkShoppers(ctx: BenchContext, stack: Stack, count: number, prefix: string): Promise<Array<ApiShopper & BulkShopper>> {
  const sessions = sessionTokens({ secret: ctx.sessionSecret, ttlSeconds: 24 * 3600 });
  const stored = await stack.db.insertShoppers(count, prefix);
  return stored.map((shopper) => ({ ...shopper, token: sessions.issue({ id: shopper.userId, openid: shopper.openid }).token }));
}

/** JSON over fetch; an unexpected status throws, so setup fails loudly. */
export async function call<T>(base: string, method: string, path: string, body?: unknown, token?: string, expect?: number): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (expect !== undefined && response.status !== expect) throw new Error(`${method} ${path} → ${response.status} ${text.slice(0, 300)}`);
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Places and prepays one order through the API; returns its id and total. */
export async function placeAndPrepay(url: string, shopper: ApiShopper, boxId: string): Promise<{ orderId: string; totalFen: number; prepayId: string }> {
  const order = await call<{ id: string; totalFen: number }>(url, 'POST', '/api/orders', { items: [{ boxId, quantity: 1 }], addressId: shopper.addressId }, shopper.token, 201);
  const pay = await call<{ package: string }>(url, 'POST', `/api/orders/${order.body.id}/pay/jsapi`, {}, shopper.token, 200);
  return { orderId: order.body.id, totalFen: order.body.totalFen, prepayId: pay.body.package.replace('prepay_id=', '') };
}

/** Polls until `done` says yes or the time is up; returns whether it did. */
export async function waitFor(done: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
