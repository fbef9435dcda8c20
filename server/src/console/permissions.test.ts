import { CONSOLE_ACTIONS, STAFF_ROLES, roleMay, type ConsoleAction, type StaffRole } from '@blindbox/shared';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { createStaff, loginAs, type ConsoleClient } from '../../test/support/console';

/**
 * The permission matrix: every role × every console action, through HTTP. Each action has a probe request
 * that reaches the action's gate but changes nothing when let through (an order that does not exist, a body
 * that fails validation); a role without the action must get 403 FORBIDDEN, a role with it anything else.
 */
const NO_ORDER = '0'.repeat(24);
const PROBES: Partial<Record<ConsoleAction, [method: 'GET' | 'POST', path: string, body?: unknown]>> = {
  'dashboard.view': ['GET', '/dashboard'],
  'orders.view': ['GET', '/orders'],
  'orders.export': ['GET', '/orders/export.csv'],
  'orders.reconcile': ['POST', `/orders/${NO_ORDER}/reconcile`],
  'orders.refund': ['POST', `/orders/${NO_ORDER}/refunds`, { mode: 'full', reason: 'probe' }],
  'orders.ship': ['POST', `/orders/${NO_ORDER}/ship`, { trackingNo: 'SF0000', carrier: 'SF' }],
  'orders.cancel': ['POST', `/orders/${NO_ORDER}/cancel`, { reason: 'probe' }],
  'shipping.view': ['GET', '/shipping/queue'],
  'shipping.import': ['POST', '/shipping/import', { csv: 'order_id,tracking_no', dryRun: true }],
  'shipping.retry': ['POST', `/shipping/uploads/${NO_ORDER}/retry`],
  'bills.view': ['GET', '/bills'],
  'bills.run': ['POST', '/bills/not-a-day/run'],
  'audit.view': ['GET', '/audit'],
  'complaints.view': ['GET', '/complaints'],
  'complaints.handle': ['POST', '/complaints/no-such-complaint/reply', { content: '' }],
  'staff.view': ['GET', '/staff'],
  'staff.manage': ['POST', '/staff', { username: '' }],
  'catalog.view': ['GET', '/drops'],
  'catalog.manage': ['POST', `/drops/${NO_ORDER}/cancel`],
  'coupons.grant': ['POST', '/coupons/NO-SUCH-COUPON/grants', { userId: NO_ORDER }],
  'sales.view': ['GET', '/sales?from=2026-01-01&to=2026-01-02'],
};
/** Rights that exist before their pages: checked on the table alone. */
const NOT_ROUTED_YET: readonly ConsoleAction[] = [];

let server: TestServer;
const clients = new Map<StaffRole, ConsoleClient>();
beforeAll(async () => {
  server = await startTestServer({ seed: false, env: { CONSOLE_LOGIN_PER_ADDRESS_PER_MINUTE: '0' } });
  for (const role of STAFF_ROLES) clients.set(role, await loginAs(server, await createStaff(server, `matrix-${role}`, role)));
});
afterAll(async () => {
  await server?.stop();
});

test('every action has a probe or is named as not routed yet', () => {
  expect(CONSOLE_ACTIONS.filter((action) => !PROBES[action] && !NOT_ROUTED_YET.includes(action))).toEqual([]);
});

const matrix = STAFF_ROLES.flatMap((role) => CONSOLE_ACTIONS.filter((action) => PROBES[action]).map((action) => [role, action, roleMay(role, action)] as const));

test.each(matrix)('%s → %s: allowed %s', async (role, action, allowed) => {
  const [method, path, body] = PROBES[action]!;
  const client = clients.get(role)!;
  const response = await client.call<{ code?: string }>(method, path, method === 'POST' ? (body ?? {}) : undefined);
  if (allowed) {
    expect(response.body?.code).not.toBe('FORBIDDEN');
    expect(response.status).not.toBe(401);
  } else {
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('FORBIDDEN');
  }
});

test('the table: owner may everything, viewer only reads, support refunds but never manages staff', () => {
  expect(CONSOLE_ACTIONS.every((action) => roleMay('owner', action))).toBe(true);
  expect(CONSOLE_ACTIONS.filter((action) => roleMay('viewer', action)).every((action) => /\.(view|export)$/.test(action))).toBe(true);
  expect(roleMay('support', 'orders.refund')).toBe(true);
  expect(roleMay('operator', 'orders.refund')).toBe(false);
  expect(roleMay('support', 'staff.manage')).toBe(false);
  expect(roleMay('operator', 'catalog.manage')).toBe(true);
});

test('no role reaches a console route without a session', async () => {
  for (const [action, [method, path]] of Object.entries(PROBES)) {
    const response = await fetch(`${server.url}/api/console${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
    expect([action, response.status]).toEqual([action, 401]);
  }
});
