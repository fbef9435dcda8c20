import type { Connection, Types } from 'mongoose';
import { assertFen, formatFen } from '@blindbox/shared';
import { ruleError } from '../domain-error';
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { couponTemplateModel, type CouponTemplateDoc } from './coupon-template.model';
import { grantCoupon } from './grant-coupon';
import type { CouponDoc } from './coupon.model';

export const CouponCodeTaken = ruleError('CONFLICT', 'COUPON_CODE_TAKEN');
export const CouponExhausted = ruleError('CONFLICT', 'COUPON_EXHAUSTED');
export const CouponEnded = ruleError('CONFLICT', 'COUPON_ENDED');
export const InvalidCouponTemplate = ruleError('INVALID', 'INVALID_COUPON_TEMPLATE');

/** Validity when a template names neither days nor an end. */
export const DEFAULT_VALID_DAYS = 30;
const DAY_MS = 86_400_000;

/** Exactly one of `amountOffFen` and `percentOffBp`; at most one of `validDays` and `validUntil`. */
export interface CouponTemplateInput {
  code: string;
  title?: string;
  amountOffFen?: number;
  percentOffBp?: number;
  maxOffFen?: number | null;
  minSpendFen?: number;
  validDays?: number | null;
  validUntil?: Date | null;
  quantity?: number | null;
  welcome?: boolean;
}

/** `满¥30.00减¥5.00`, `9折券（最高减¥20.00）`: what the shopper reads when the merchant gives no title. */
function defaultTitle(amountOffFen: number, percentOffBp: number | null, maxOffFen: number | null, minSpendFen: number): string {
  if (percentOffBp !== null) return `${(10_000 - percentOffBp) / 1000}折券${maxOffFen ? `（最高减${formatFen(maxOffFen)}）` : ''}`;
  return minSpendFen > 0 ? `满${formatFen(minSpendFen)}减${formatFen(amountOffFen)}` : `立减${formatFen(amountOffFen)}`;
}

/** A new template's document, or every rule it breaks at once. */
export function templateFrom(input: CouponTemplateInput): Omit<CouponTemplateDoc, '_id' | 'createdAt' | 'updatedAt'> {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9_-]{2,40}$/.test(input.code)) problems.push('the code must be 2–40 letters, digits, _ or -');
  const percent = input.percentOffBp ?? null;
  const amount = input.amountOffFen ?? null;
  if ((percent === null) === (amount === null)) problems.push('give exactly one of an amount off (fen) and a percentage off (basis points)');
  if (amount !== null && (!Number.isInteger(amount) || amount < 1)) problems.push('the amount off must be a positive integer of fen');
  if (percent !== null && (!Number.isInteger(percent) || percent < 1 || percent > 9999)) problems.push('the percentage off must be 1–9999 basis points (1000 = 10 %)');
  const cap = input.maxOffFen ?? null;
  if (cap !== null && (percent === null || !Number.isInteger(cap) || cap < 1)) problems.push('a cap is a positive integer of fen, on a percentage coupon only');
  const minSpendFen = input.minSpendFen ?? 0;
  if (!Number.isInteger(minSpendFen) || minSpendFen < 0) problems.push('the minimum spend must be an integer of fen');
  if (input.validDays != null && input.validUntil != null) problems.push('give validity in days or an end date, not both');
  if (input.validDays != null && (!Number.isInteger(input.validDays) || input.validDays < 1)) problems.push('validity days must be a positive integer');
  const quantity = input.quantity ?? null;
  if (quantity !== null && (!Number.isInteger(quantity) || quantity < 0)) problems.push('the quantity must be a non-negative integer');
  if (problems.length > 0) throw new InvalidCouponTemplate(problems.join('; '));
  return {
    code: input.code,
    title: input.title?.trim() || defaultTitle(amount ?? 0, percent, cap, minSpendFen),
    amountOffFen: amount === null ? 0 : assertFen(amount),
    percentOffBp: percent,
    maxOffFen: cap,
    minSpendFen,
    validDays: input.validUntil != null ? null : (input.validDays ?? DEFAULT_VALID_DAYS),
    validUntil: input.validUntil ?? null,
    quantity,
    remaining: quantity,
    granted: 0,
    welcome: input.welcome === true,
  };
}

/** Coupon templates and their grants: the welcome coupon at a first login, and the merchant's own. */
export function couponTemplates(db: Connection) {
  const Template = couponTemplateModel(db);

  /** One unit of the template's quantity, by a guarded $inc: concurrent grants can never take more than there is. */
  async function take(template: CouponTemplateDoc): Promise<boolean> {
    const taken =
      template.remaining === null
        ? await Template.updateOne({ _id: template._id, remaining: null }, { $inc: { granted: 1 } })
        : await Template.updateOne({ _id: template._id, remaining: { $gte: 1 } }, { $inc: { remaining: -1, granted: 1 } });
    return taken.modifiedCount === 1;
  }

  async function giveBack(template: CouponTemplateDoc): Promise<void> {
    await Template.updateOne({ _id: template._id }, { $inc: template.remaining === null ? { granted: -1 } : { remaining: 1, granted: -1 } });
  }

  async function grant(template: CouponTemplateDoc, userId: Types.ObjectId, now: Date): Promise<CouponDoc> {
    const expiresAt = template.validUntil ?? new Date(now.getTime() + (template.validDays ?? DEFAULT_VALID_DAYS) * DAY_MS);
    if (expiresAt.getTime() <= now.getTime()) throw new CouponEnded(`coupon ${template.code} ended at ${expiresAt.toISOString()}`);
    if (!(await take(template))) throw new CouponExhausted(`coupon ${template.code} has none left (quantity ${template.quantity})`);
    try {
      return await grantCoupon(db, userId, {
        title: template.title,
        amountOffFen: template.amountOffFen,
        percentOffBp: template.percentOffBp,
        maxOffFen: template.maxOffFen,
        templateCode: template.code,
        minSpendFen: template.minSpendFen,
        expiresAt,
      });
    } catch (error) {
      await giveBack(template);
      throw error;
    }
  }

  return {
    async create(input: CouponTemplateInput): Promise<CouponTemplateDoc> {
      const doc = templateFrom(input);
      try {
        const [created] = await Template.create([{ ...doc, welcome: false }]);
        if (!created) throw new Error('coupon template not created');
        // Made the welcome one only once it exists, through the one path that keeps a single welcome template.
        return doc.welcome ? ((await this.setWelcome(doc.code)) as CouponTemplateDoc) : created.toObject();
      } catch (error) {
        if (isDuplicateKeyError(error)) throw new CouponCodeTaken(`a coupon with code ${input.code} exists`);
        throw error;
      }
    },

    find: (code: string) => Template.findOne({ code }).lean<CouponTemplateDoc>().exec(),

    list: () => Template.find({}).lean<CouponTemplateDoc[]>().exec(),

    welcome: () => Template.findOne({ welcome: true }).lean<CouponTemplateDoc>().exec(),

    /** Makes `code` the welcome template (null: none); returns it. Any other welcome template stops being one. */
    async setWelcome(code: string | null): Promise<CouponTemplateDoc | null> {
      await Template.updateMany(code === null ? { welcome: true } : { welcome: true, code: { $ne: code } }, { $set: { welcome: false } });
      if (code === null) return null;
      return Template.findOneAndUpdate({ code }, { $set: { welcome: true } }, { returnDocument: 'after' }).lean<CouponTemplateDoc>();
    },

    grant,

    /** The welcome template's coupon for a new shopper; null when there is none, it ran out or it ended. */
    async grantWelcome(userId: Types.ObjectId, now: Date): Promise<CouponDoc | null> {
      const template = await Template.findOne({ welcome: true }).lean<CouponTemplateDoc>();
      if (!template) return null;
      return grant(template, userId, now).catch((error: unknown) => {
        if (error instanceof CouponExhausted || error instanceof CouponEnded) return null;
        throw error;
      });
    },
  };
}

export type CouponTemplates = ReturnType<typeof couponTemplates>;
