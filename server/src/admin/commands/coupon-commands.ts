import { fenToYuan } from '@blindbox/shared';
import { Types } from 'mongoose';
import type { Container } from '../../container';
import { NotFound } from '../../domain-error';
import { findShoppers } from '../../users/shopper-lookup';
import { couponTemplates, type CouponTemplateInput } from '../../coupons/coupon-templates';
import { couponActions, templateView } from '../../coupons/coupon-actions';
import type { CouponTemplateDoc } from '../../coupons/coupon-template.model';
import { UsageError, type AdminCommand, type AdminContext, type CommandResult, type OptionValues } from '../admin-command';
import { parseTimeOption } from './time-option';

function integerOption(values: OptionValues, name: string): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (typeof text !== 'string' || !/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value)) throw new UsageError(`--${name} must be a whole number`);
  return value;
}

function terms(t: Pick<CouponTemplateDoc, 'amountOffFen' | 'percentOffBp' | 'maxOffFen' | 'minSpendFen'>): string {
  const off = t.percentOffBp ? `${t.percentOffBp / 100}% off${t.maxOffFen ? ` (at most ¥${fenToYuan(t.maxOffFen)})` : ''}` : `¥${fenToYuan(t.amountOffFen)} off`;
  return `${off}, min spend ¥${fenToYuan(t.minSpendFen)}`;
}

const actionsOf = ({ container }: AdminContext) => couponActions(couponTemplates(container.db), container.clock);

async function templateArg(context: AdminContext, sub: string): Promise<CouponTemplateDoc> {
  const code = context.positionals[1];
  if (!code || context.positionals.length !== 2) throw new UsageError(`coupon ${sub} takes exactly one <code>`);
  const template = await couponTemplates(context.container.db).find(code);
  if (!template) throw new NotFound(`coupon ${code}`);
  return template;
}

/** One shopper by user id, WeChat openid or shipping phone; a phone several shoppers gave is refused as ambiguous. */
async function shopperOf(container: Container, who: string): Promise<Types.ObjectId> {
  const found = await findShoppers(container.db, who);
  if (found.length === 0) throw new NotFound(`shopper ${who}`);
  if (found.length > 1) throw new UsageError(`${who} names ${found.length} shoppers (${found.map((match) => match.userId).join(', ')}): give a user id`);
  return new Types.ObjectId(found[0]!.userId);
}

async function create(context: AdminContext) {
  const { values, positionals, container } = context;
  const code = positionals[1];
  if (!code || positionals.length !== 2) throw new UsageError('coupon create takes exactly one <code>');
  const input: CouponTemplateInput = {
    code,
    title: typeof values.title === 'string' ? values.title : undefined,
    amountOffFen: integerOption(values, 'amount-off'),
    percentOffBp: integerOption(values, 'percent-off'),
    maxOffFen: integerOption(values, 'max-off') ?? null,
    minSpendFen: integerOption(values, 'min-spend') ?? 0,
    validDays: integerOption(values, 'valid-days') ?? null,
    validUntil: typeof values.until === 'string' ? parseTimeOption('--until', values.until, container.clock.now()) : null,
    quantity: integerOption(values, 'quantity') ?? null,
    welcome: values.welcome === true,
  };
  const created = await actionsOf(context).create(input, context.apply);
  if (!created) return context.print(null, () => '');
  return context.print(templateView(created), () => `coupon ${code} created: ${created.title}, ${terms(created)}${created.welcome ? '; it is the welcome coupon' : ''}`);
}

async function welcome(context: AdminContext) {
  const templates = couponTemplates(context.container.db);
  const current = await templates.welcome();
  const off = context.values.off === true;
  const named = context.positionals.length > 1;
  if (off === named) throw new UsageError('coupon welcome takes either a <code> or --off');
  const target = off ? null : await templateArg(context, 'welcome');
  if (!(await actionsOf(context).setWelcome(target, context.apply))) {
    return context.print({ welcome: current?.code ?? null }, () => (current ? `${current.code} is already the welcome coupon` : 'there is already no welcome coupon'));
  }
  return context.print({ welcome: target?.code ?? null }, () => (target ? `new shoppers now get ${target.code} (${target.title})` : 'new shoppers get no welcome coupon'));
}

async function grant(context: AdminContext) {
  const template = await templateArg(context, 'grant');
  const to = context.values.to;
  if (typeof to !== 'string' || !to.trim()) throw new UsageError('coupon grant needs --to <userId|openid|phone>');
  const userId = await shopperOf(context.container, to.trim());
  const coupon = await actionsOf(context).grant(template, userId, context.apply);
  if (!coupon) return context.print(null, () => '');
  return context.print({ couponId: coupon._id.toHexString(), userId: userId.toHexString(), code: template.code, expiresAt: coupon.expiresAt }, () =>
    `granted ${template.code} (${template.title}) to ${userId.toHexString()}: coupon ${coupon._id.toHexString()}, valid until ${coupon.expiresAt.toISOString()}`,
  );
}

async function list(context: AdminContext) {
  if (context.positionals.length !== 1) throw new UsageError('coupon list takes no arguments');
  const templates = (await couponTemplates(context.container.db).list()).sort((a, b) => a.code.localeCompare(b.code));
  return context.print(templates.map(templateView), () =>
    templates.length === 0
      ? 'no coupons'
      : templates
          .map((t) => {
            const validity = t.validUntil ? `until ${t.validUntil.toISOString()}` : `${t.validDays} days from grant`;
            const left = t.quantity === null ? 'unlimited' : `${t.remaining} of ${t.quantity} left`;
            return `${t.welcome ? '*' : ' '} ${t.code}  ${t.title}  ${terms(t)}  ${validity}  granted ${t.granted}, ${left}`;
          })
          .concat('(* the welcome coupon every new shopper gets)')
          .join('\n'),
  );
}

const SUBCOMMANDS: Record<string, (context: AdminContext) => Promise<CommandResult>> = { create, welcome, grant, list };

export const couponCommand: AdminCommand = {
  name: 'coupon',
  usage: `  coupon create <code> --amount-off <fen> | --percent-off <bp> [--max-off <fen>] [--min-spend <fen>]
                [--valid-days N | --until <date>] [--quantity N] [--welcome] [--title text]
                                    a coupon template (percent in basis points: 1000 = 10 % off, priced in
                                    whole fen rounded down; default validity 30 days from the grant)
  coupon welcome <code> | --off     the coupon every new shopper gets at their first login, or none
  coupon grant <code> --to <userId|openid|phone>
                                    give one shopper a coupon (never more than the template's quantity)
  coupon list                       templates with what each has granted and has left`,
  options: {
    'amount-off': { type: 'string' },
    'percent-off': { type: 'string' },
    'max-off': { type: 'string' },
    'min-spend': { type: 'string' },
    'valid-days': { type: 'string' },
    until: { type: 'string' },
    quantity: { type: 'string' },
    welcome: { type: 'boolean', default: false },
    title: { type: 'string' },
    off: { type: 'boolean', default: false },
    to: { type: 'string' },
  },
  async run(context) {
    const sub = SUBCOMMANDS[context.positionals[0] ?? ''];
    if (!sub) throw new UsageError(`coupon needs one of: ${Object.keys(SUBCOMMANDS).join(', ')}`);
    return sub(context);
  },
};
