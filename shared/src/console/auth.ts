import { z } from 'zod';
import { consoleIsoDate, consoleObjectId } from './common';
import { consoleActionSchema, staffRoleSchema } from './permissions';

export const STAFF_USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,31}$/;
export const staffUsernameSchema = z.string().trim().toLowerCase().regex(STAFF_USERNAME_PATTERN, '用户名为 2–32 位小写字母、数字、点、横线或下划线');
/** Long passphrases welcome; 10 is the floor. */
export const staffPasswordSchema = z.string().min(10, '密码至少 10 位').max(200, '密码最多 200 位');
export const totpCodeSchema = z.string().trim().regex(/^\d{6}$/, '验证码为 6 位数字');

export const consoleLoginRequestSchema = z.object({
  username: staffUsernameSchema,
  password: z.string().min(1).max(200),
  /** Required once the account has TOTP enrolled (the server answers TOTP_REQUIRED when it is missing). */
  totp: totpCodeSchema.optional(),
});
export type ConsoleLoginRequest = z.infer<typeof consoleLoginRequestSchema>;

export const staffMeSchema = z.object({
  id: consoleObjectId,
  username: z.string(),
  displayName: z.string(),
  role: staffRoleSchema,
  totpEnabled: z.boolean(),
  /** TOTP is required for this account (owner/operator in production) and not enrolled: only enrol/confirm/logout/me work. */
  totpEnrolmentRequired: z.boolean(),
  /** Logged in with a one-time password: only password change/logout/me work until it is changed. */
  passwordChangeRequired: z.boolean(),
  /** Every action this role may perform (from ROLE_ACTIONS), for showing and hiding buttons. */
  permissions: z.array(consoleActionSchema),
  /** support: the largest single refund in fen; null = no limit (owner). */
  refundLimitFen: z.number().int().nullable(),
});
export type StaffMe = z.infer<typeof staffMeSchema>;

/** Answer of login and of GET /me. The csrfToken goes in the X-CSRF-Token header of every POST/PUT/PATCH/DELETE. */
export const consoleSessionResponseSchema = z.object({
  staff: staffMeSchema,
  csrfToken: z.string(),
  /** When the session ends at the latest (absolute lifetime); idle for CONSOLE idle timeout ends it sooner. */
  expiresAt: consoleIsoDate,
  idleTimeoutSeconds: z.number().int(),
});
export type ConsoleSessionResponse = z.infer<typeof consoleSessionResponseSchema>;

export const totpEnrolResponseSchema = z.object({
  /** base32 secret, for typing in by hand. */
  secret: z.string(),
  /** otpauth:// URI: render as a QR code on the client. */
  otpauthUrl: z.string(),
});
export type TotpEnrolResponse = z.infer<typeof totpEnrolResponseSchema>;

export const totpConfirmRequestSchema = z.object({ code: totpCodeSchema });

export const changePasswordRequestSchema = z.object({ currentPassword: z.string().min(1).max(200), newPassword: staffPasswordSchema });
