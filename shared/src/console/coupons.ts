import { z } from 'zod';
import { consoleFenSchema, consoleIsoDate, consoleObjectId } from './common';

export const couponTemplateRowSchema = z.object({
  code: z.string(),
  title: z.string(),
  /** Fen off; 0 for a percentage template. */
  amountOffFen: consoleFenSchema,
  /** Basis points off (1000 = 10 % off, 九折); null for an amount template. */
  percentOffBp: z.number().int().nullable(),
  maxOffFen: consoleFenSchema.nullable(),
  minSpendFen: consoleFenSchema,
  /** Days from the grant; null when validUntil fixes one end for every grant. */
  validDays: z.number().int().nullable(),
  validUntil: consoleIsoDate.nullable(),
  /** null: no limit. */
  quantity: z.number().int().nullable(),
  remaining: z.number().int().nullable(),
  granted: z.number().int(),
  welcome: z.boolean(),
  createdAt: consoleIsoDate,
});
export type CouponTemplateRow = z.infer<typeof couponTemplateRowSchema>;

export const couponTemplateListSchema = z.object({ items: z.array(couponTemplateRowSchema) });

export const createCouponTemplateRequestSchema = z
  .object({
    code: z.string().regex(/^[A-Za-z0-9_-]{2,40}$/, '券码为 2–40 位字母、数字、_ 或 -'),
    title: z.string().trim().max(40, '名称最多 40 字').optional(),
    amountOffFen: z.number().int().min(1, '减免金额须大于 0').optional(),
    percentOffBp: z.number().int().min(1).max(9999, '折扣须在 0.01%–99.99% 之间').optional(),
    maxOffFen: z.number().int().min(1).nullable().optional(),
    minSpendFen: z.number().int().min(0).default(0),
    validDays: z.number().int().min(1, '有效天数至少 1 天').max(3650).nullable().optional(),
    validUntil: consoleIsoDate.nullable().optional(),
    quantity: z.number().int().min(0).nullable().optional(),
    welcome: z.boolean().default(false),
  })
  .refine((input) => (input.amountOffFen === undefined) !== (input.percentOffBp === undefined), { message: '请在满减金额和折扣中选择一种', path: ['amountOffFen'] });
export type CreateCouponTemplateRequest = z.infer<typeof createCouponTemplateRequestSchema>;

export const setWelcomeCouponRequestSchema = z.object({ code: z.string().nullable() });

/**
 * A shopper to grant to: openid (o…), user id (24 hex), or an 11-digit phone a shopper gave as a shipping
 * address (the shop keeps no phone on the account itself).
 */
export const shopperLookupQuerySchema = z.object({ q: z.string().trim().min(1, '请输入 openid 或手机号').max(64) });
export const shopperMatchSchema = z.object({
  userId: consoleObjectId,
  openid: z.string(),
  /** How the shopper was found: by openid or user id, or the shipping phone of their orders. */
  matchedBy: z.enum(['openid', 'userId', 'phone']),
  createdAt: consoleIsoDate,
  lastLoginAt: consoleIsoDate,
});
export type ShopperMatch = z.infer<typeof shopperMatchSchema>;
export const shopperLookupResponseSchema = z.object({ items: z.array(shopperMatchSchema) });

export const grantCouponRequestSchema = z.object({ userId: consoleObjectId });
export const grantCouponResponseSchema = z.object({ couponId: consoleObjectId, userId: consoleObjectId, code: z.string(), expiresAt: consoleIsoDate, template: couponTemplateRowSchema });
