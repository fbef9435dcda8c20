import { z } from 'zod';
import { formatFen } from './money';
import { fenSchema, mobileNumberSchema, shopperLineSchema } from './api';

/** Who may consent for a shopper aged 8–17: a parent, or another legal guardian (法定监护人). */
export const GUARDIAN_RELATIONSHIPS = ['PARENT', 'OTHER_GUARDIAN'] as const;
export type GuardianRelationship = (typeof GUARDIAN_RELATIONSHIPS)[number];
export const GUARDIAN_RELATIONSHIP_LABELS: Record<GuardianRelationship, string> = { PARENT: '父母', OTHER_GUARDIAN: '其他法定监护人' };

/** The shop-wide caps a guardian is told about and agrees to; every order of the minor is held to them. */
export const minorLimitsSchema = z.object({ dailySpendCapFen: fenSchema, dailyDrawCapPerBox: z.number().int().min(1) });
export type MinorLimits = z.infer<typeof minorLimitsSchema>;

/**
 * The declaration a guardian confirms, word for word. Its version is recorded with each consent: changing a word
 * means a new version, and consents given to an older one no longer count (the guardian confirms the new text).
 */
export const GUARDIAN_DECLARATION_VERSION = '2026-12-04';
export function guardianDeclarationLines(limits: MinorLimits): string[] {
  return [
    '本人是该用户的父母或其他法定监护人，由本人亲自填写本页。',
    '本人同意该用户（8–17 周岁）在本店购买盲盒，并对其购买行为负责。',
    `本人已知悉本店对每位顾客的购买限制：每天累计消费不超过 ${formatFen(limits.dailySpendCapFen)}，每天每款盲盒最多抽 ${limits.dailyDrawCapPerBox} 次，每期每款限购；盲盒开盒后不因款式不满意退换。`,
    '本人知悉：本店目前不核验监护人身份与手机号，本人对所填信息的真实性负责；本店可通过所填手机号联系本人。',
    '本人可随时撤回同意；撤回后该用户不能再下单，已付款订单不受影响。本店提高上述限制或修改本声明时，需本人重新确认。',
  ];
}

/** A guardian's consent as the guardian gives it: never part of an order request. */
export const guardianConsentRequestSchema = z.object({
  guardianName: shopperLineSchema('监护人姓名', 50),
  relationship: z.enum(GUARDIAN_RELATIONSHIPS, { error: '请选择监护人与用户的关系' }),
  guardianPhone: mobileNumberSchema('监护人手机号'),
  /** The version of the declaration the form showed, and the limits it named: both must still be the shop's. */
  declarationVersion: z.string({ error: '缺少声明版本' }).max(40),
  limits: minorLimitsSchema,
  declared: z.literal(true, { error: '请监护人勾选确认以上声明' }),
});
export type GuardianConsentRequest = z.input<typeof guardianConsentRequestSchema>;

export const guardianConsentSchema = z.object({
  guardianName: z.string(),
  relationship: z.enum(GUARDIAN_RELATIONSHIPS),
  /** Masked (138****8000): the full number is kept for the shop, not shown back to whoever holds the session. */
  guardianPhone: z.string(),
  givenAt: z.iso.datetime({ offset: true }),
  declarationVersion: z.string(),
  limits: minorLimitsSchema,
  /** False once the declaration changed or the shop raised a limit above what the guardian agreed to. */
  current: z.boolean(),
});
export type GuardianConsent = z.infer<typeof guardianConsentSchema>;

/** What the guardian page shows: the declaration to confirm, the limits it names, and the consent in force. */
export const guardianConsentViewSchema = z.object({
  declarationVersion: z.string(),
  limits: minorLimitsSchema,
  consent: guardianConsentSchema.nullable(),
});
export type GuardianConsentView = z.infer<typeof guardianConsentViewSchema>;
