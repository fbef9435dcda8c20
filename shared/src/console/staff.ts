import { z } from 'zod';
import { consoleIsoDate, consoleObjectId } from './common';
import { staffRoleSchema } from './permissions';
import { staffUsernameSchema } from './auth';

export const staffRowSchema = z.object({
  id: consoleObjectId,
  username: z.string(),
  displayName: z.string(),
  role: staffRoleSchema,
  disabled: z.boolean(),
  totpEnabled: z.boolean(),
  passwordChangeRequired: z.boolean(),
  /** Locked after CONSOLE_LOGIN_MAX_FAILURES failed logins in a row, until the owner unlocks it (null = not locked). */
  lockedAt: consoleIsoDate.nullable(),
  failedLogins: z.number().int(),
  lastLoginAt: consoleIsoDate.nullable(),
  createdAt: consoleIsoDate,
});
export type StaffRow = z.infer<typeof staffRowSchema>;
export const staffListResponseSchema = z.object({ items: z.array(staffRowSchema) });

export const createStaffRequestSchema = z.object({
  username: staffUsernameSchema,
  displayName: z.string().trim().max(40).optional(),
  role: staffRoleSchema,
});
/** The one-time password is shown once; the new member must change it at first login. */
export const oneTimePasswordResponseSchema = z.object({ staff: staffRowSchema, oneTimePassword: z.string() });

export const updateStaffRequestSchema = z.object({ role: staffRoleSchema.optional(), disabled: z.boolean().optional(), displayName: z.string().trim().max(40).optional() });

export const staffSessionSchema = z.object({
  id: z.string(),
  staffId: consoleObjectId,
  username: z.string(),
  createdAt: consoleIsoDate,
  lastSeenAt: consoleIsoDate,
  expiresAt: consoleIsoDate,
  ip: z.string(),
  userAgent: z.string(),
  /** This request's own session. */
  current: z.boolean(),
});
export const staffSessionsResponseSchema = z.object({ items: z.array(staffSessionSchema) });
