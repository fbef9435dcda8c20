import { z } from 'zod';
import { consoleIsoDate, consolePageOf, consolePageQuerySchema } from './common';

export const auditQuerySchema = consolePageQuerySchema.extend({
  /** Exact actor, e.g. `staff:alice` or `admin:root` (the CLI's). */
  actor: z.string().trim().max(80).optional(),
  /** Exact target, e.g. `order:<id>`, `staff:<name>`, `bill:2026-12-01`. */
  target: z.string().trim().max(120).optional(),
  /** Beijing days, inclusive. */
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const consoleAuditEntrySchema = z.object({
  actor: z.string(),
  command: z.string(),
  target: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  at: consoleIsoDate,
});
export type ConsoleAuditEntry = z.infer<typeof consoleAuditEntrySchema>;
export const auditResponseSchema = consolePageOf(consoleAuditEntrySchema);
