import type { Connection } from 'mongoose';
import { couponTemplateModel } from './coupon-template.model';
import { templateFrom } from './coupon-templates';

/** The demo's welcome coupon: ¥5 off ¥30, valid 30 days from the first login. */
const DEMO_WELCOME = { code: 'WELCOME5', title: '新人券 ¥5', amountOffFen: 500, minSpendFen: 3000, validDays: 30 } as const;

/**
 * Adds the demo's welcome coupon template if it is missing; it becomes the welcome one only if no template is.
 * Never overwrites: a merchant who changed or switched off the welcome coupon keeps that across re-seeds.
 */
export async function seedWelcomeCoupon(db: Connection): Promise<void> {
  const Template = couponTemplateModel(db);
  const welcome = (await Template.findOne({ welcome: true }).select({ _id: 1 }).lean()) === null;
  const { code, ...fields } = templateFrom(DEMO_WELCOME);
  await Template.updateOne({ code }, { $setOnInsert: { ...fields, welcome } }, { upsert: true });
}
