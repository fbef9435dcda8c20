import type { Connection } from 'mongoose';
import { couponTemplateModel } from './coupon-template.model';
import { templateFrom } from './coupon-templates';
import { isDuplicateKeyError } from '../db/duplicate-key-error';

/** The demo's welcome coupon: ¥5 off ¥30, valid 30 days from the first login. */
const DEMO_WELCOME = { code: 'WELCOME5', title: '新人券 ¥5', amountOffFen: 500, minSpendFen: 3000, validDays: 30 } as const;

/**
 * Adds the demo's welcome coupon template if it is missing; it becomes the welcome one only if no template is.
 * Never overwrites: a merchant who changed or switched off the welcome coupon keeps that across re-seeds.
 */
export async function seedWelcomeCoupon(db: Connection): Promise<void> {
  const Template = couponTemplateModel(db);
  if (await Template.exists({ code: DEMO_WELCOME.code })) return;
  const welcome = (await Template.exists({ welcome: true })) === null;
  await Template.create([{ ...templateFrom(DEMO_WELCOME), welcome }]).catch((error: unknown) => {
    // Seeded by a parallel start just now.
    if (!isDuplicateKeyError(error)) throw error;
  });
}
