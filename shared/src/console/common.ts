import { z } from 'zod';

export const consoleIsoDate = z.iso.datetime({ offset: true });
export const consoleObjectId = z.string().regex(/^[a-f0-9]{24}$/, '必须是 24 位十六进制编号');
/** A Beijing calendar day. */
export const beijingDaySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
export const consoleFenSchema = z.number().int().min(0);

export const consolePageQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

export function consolePageOf<T extends z.ZodTypeAny>(item: T) {
  return z.object({ items: z.array(item), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() });
}

/** Every console error: `code` is stable (the web may branch on it), `message` is Chinese, for staff. */
export const consoleErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  /** TOO_MANY_ATTEMPTS / ACCOUNT_LOCKED: seconds until a new try is accepted. */
  retryAfterSeconds: z.number().int().optional(),
  /** VALIDATION_ERROR on a CSV import: see shippingImportResponseSchema (errors by row) instead. */
  detail: z.string().optional(),
});
export type ConsoleError = z.infer<typeof consoleErrorSchema>;

/** Header every state-changing console request carries: the csrfToken from login or /me. */
export const CONSOLE_CSRF_HEADER = 'X-CSRF-Token';
/** The session cookie's name (HttpOnly: the web never reads it). */
export const CONSOLE_SESSION_COOKIE = 'bb_console';
export const CONSOLE_API_PREFIX = '/api/console';
