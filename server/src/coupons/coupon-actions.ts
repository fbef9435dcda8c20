import type { Types } from 'mongoose';
import type { ChangeRecorder } from '../admin/admin-audit';
import type { Clock } from '../clock';
import type { CouponTemplateDoc } from './coupon-template.model';
import type { CouponDoc } from './coupon.model';
import { CouponCodeTaken, type CouponTemplateInput, type CouponTemplates } from './coupon-templates';

/** What the audit, `admin coupon --json` and the console show of a template. */
export const templateView = (t: CouponTemplateDoc) => ({
  code: t.code,
  title: t.title,
  amountOffFen: t.amountOffFen,
  percentOffBp: t.percentOffBp,
  maxOffFen: t.maxOffFen,
  minSpendFen: t.minSpendFen,
  validDays: t.validDays,
  validUntil: t.validUntil ? t.validUntil.toISOString() : null,
  quantity: t.quantity,
  remaining: t.remaining,
  granted: t.granted,
  welcome: t.welcome,
});

/**
 * The merchant's coupon changes on someone's behalf (`admin coupon`, the console): the templates service keeps
 * the rules (quantity by a guarded $inc, one welcome template); this records each change with its actor.
 * A CLI dry run answers null.
 */
export function couponActions(templates: CouponTemplates, clock: Clock) {
  return {
    async create(input: CouponTemplateInput, change: ChangeRecorder): Promise<CouponTemplateDoc | null> {
      // Asked first, so a dry run says it would be refused.
      if (await templates.find(input.code)) throw new CouponCodeTaken(`a coupon with code ${input.code} exists`);
      return change({ command: 'coupon create', target: `coupon:${input.code}`, before: null, after: templateView }, () => templates.create(input));
    },

    /** Makes `target` the welcome template (null: none); false when it already was (nothing written). */
    async setWelcome(target: CouponTemplateDoc | null, change: ChangeRecorder): Promise<boolean> {
      const current = await templates.welcome();
      if ((current?.code ?? null) === (target?.code ?? null)) return false;
      await change({ command: 'coupon welcome', target: 'coupon:welcome', before: { code: current?.code ?? null }, after: { code: target?.code ?? null } }, () =>
        templates.setWelcome(target?.code ?? null),
      );
      return true;
    },

    grant: (template: CouponTemplateDoc, userId: Types.ObjectId, change: ChangeRecorder): Promise<CouponDoc | null> =>
      change(
        {
          command: 'coupon grant',
          target: `coupon:${template.code}`,
          before: { remaining: template.remaining },
          after: (c: CouponDoc) => ({ to: userId.toHexString(), couponId: c._id.toHexString(), expiresAt: c.expiresAt.toISOString() }),
        },
        () => templates.grant(template, userId, clock.now()),
      ),
  };
}
