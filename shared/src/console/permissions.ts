import { z } from 'zod';

/**
 * Staff roles and what each may do: the ONE table the server checks on every console request (and the web
 * reads only to hide buttons a role cannot use; hiding is no protection, the server's check is).
 */
export const STAFF_ROLES = ['owner', 'operator', 'support', 'viewer'] as const;
export const staffRoleSchema = z.enum(STAFF_ROLES);
export type StaffRole = z.infer<typeof staffRoleSchema>;

export const STAFF_ROLE_LABELS: Record<StaffRole, string> = { owner: '店主', operator: '运营', support: '客服', viewer: '只读' };

export const CONSOLE_ACTIONS = [
  'dashboard.view',
  'orders.view',
  'orders.export',
  'orders.reconcile',
  'orders.refund',
  'orders.ship',
  'orders.cancel',
  'shipping.view',
  'shipping.import',
  'shipping.retry',
  'bills.view',
  'bills.run',
  'audit.view',
  // WeChat Pay complaints (消费者投诉): reading them, and answering, refunding, completing them.
  'complaints.view',
  'complaints.handle',
  // The catalog (boxes, stock, drops, whole sets, coupon templates): seeing it, and changing it.
  'catalog.view',
  'catalog.manage',
  // One coupon to one shopper (a goodwill gesture support may make), within the template's quantity.
  'coupons.grant',
  // Units, revenue and refunds per day and box, with its CSV (no shopper's data in it).
  'sales.view',
  'staff.view',
  'staff.manage',
] as const;
export const consoleActionSchema = z.enum(CONSOLE_ACTIONS);
export type ConsoleAction = z.infer<typeof consoleActionSchema>;

const READ: readonly ConsoleAction[] = ['dashboard.view', 'orders.view', 'orders.export', 'shipping.view', 'bills.view', 'audit.view', 'catalog.view', 'sales.view', 'complaints.view'];

export const ROLE_ACTIONS: Record<StaffRole, readonly ConsoleAction[]> = {
  owner: CONSOLE_ACTIONS,
  operator: [...READ, 'orders.ship', 'shipping.import', 'shipping.retry', 'catalog.manage', 'coupons.grant'],
  // Refunds up to CONSOLE_SUPPORT_REFUND_LIMIT_FEN (server config) per refund; the owner has no limit.
  // Customer service answers WeChat Pay complaints (a refund from one is still an orders.refund within the limit).
  support: [...READ, 'orders.reconcile', 'orders.refund', 'orders.ship', 'orders.cancel', 'shipping.retry', 'coupons.grant', 'complaints.handle'],
  viewer: READ,
};

export function roleMay(role: StaffRole, action: ConsoleAction): boolean {
  return ROLE_ACTIONS[role].includes(action);
}
