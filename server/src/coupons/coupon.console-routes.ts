import { createCouponTemplateRequestSchema, grantCouponRequestSchema, setWelcomeCouponRequestSchema, shopperLookupQuerySchema, type CouponTemplateRow } from '@blindbox/shared';
import { Types } from 'mongoose';
import type { Container } from '../container';
import type { ConsoleRoutes } from '../console/console-router';
import { NotFound } from '../domain-error';
import { findShoppers } from '../users/shopper-lookup';
import { userModel } from '../users/user.model';
import { couponActions, templateView } from './coupon-actions';
import type { CouponTemplateDoc } from './coupon-template.model';
import { couponTemplates } from './coupon-templates';

const rowOf = (template: CouponTemplateDoc): CouponTemplateRow => ({ ...templateView(template), createdAt: template.createdAt.toISOString() });

/** Coupon templates, the welcome coupon, and grants to one shopper found by openid, user id or phone. */
export function couponConsoleRoutes(container: Container, routes: ConsoleRoutes): void {
  const templates = couponTemplates(container.db);
  const actions = couponActions(templates, container.clock);
  const templateOf = async (code: string) => {
    const template = await templates.find(code);
    if (!template) throw new NotFound(`coupon ${code}`);
    return template;
  };

  routes.get('/coupons', 'catalog.view', async (ctx) => {
    // Newest first: the one just made is on top.
    const items = (await templates.list()).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    ctx.body = { items: items.map(rowOf) };
  });

  routes.post('/coupons', 'catalog.manage', async (ctx, { change }) => {
    const input = createCouponTemplateRequestSchema.parse(ctx.request.body);
    const created = await actions.create({ ...input, validUntil: input.validUntil ? new Date(input.validUntil) : null }, change);
    ctx.status = 201;
    ctx.body = rowOf(await templateOf(created!.code));
  });

  routes.post('/coupons/welcome', 'catalog.manage', async (ctx, { change }) => {
    const { code } = setWelcomeCouponRequestSchema.parse(ctx.request.body);
    await actions.setWelcome(code === null ? null : await templateOf(code), change);
    ctx.body = { items: (await templates.list()).map(rowOf) };
  });

  routes.get('/shoppers', 'coupons.grant', async (ctx) => {
    ctx.body = { items: await findShoppers(container.db, shopperLookupQuerySchema.parse(ctx.query).q) };
  });

  routes.post('/coupons/:code/grants', 'coupons.grant', async (ctx, { change }) => {
    const { userId } = grantCouponRequestSchema.parse(ctx.request.body);
    const template = await templateOf(String(ctx.params.code));
    const user = await userModel(container.db).findById(new Types.ObjectId(userId)).select({ _id: 1 }).lean();
    if (!user) throw new NotFound('shopper');
    const coupon = (await actions.grant(template, user._id, change))!;
    ctx.status = 201;
    ctx.body = { couponId: coupon._id.toHexString(), userId, code: template.code, expiresAt: coupon.expiresAt.toISOString(), template: rowOf(await templateOf(template.code)) };
  });
}
