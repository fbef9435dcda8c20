import { beijingTime } from '@blindbox/shared';
import { boxModel, type BoxDoc } from '../../catalog/box.model';
import { saleOpeningOf } from '../../catalog/sale-terms';
import { NotFound, ruleError } from '../../domain-error';
import { UsageError, type AdminCommand, type AdminContext } from '../admin-command';
import { boxBySlug } from './box-by-slug';
import { parseTimeOption } from './time-option';

const NoDropScheduled = ruleError('CONFLICT', 'NO_DROP_SCHEDULED');

/** What a drop changes on a box, as the audit records it. */
const dropView = (box: Pick<BoxDoc, 'onSaleAt' | 'dropCancelledAt' | 'dropKey' | 'paymentWindowMinutes' | 'purchaseLimit'>) => ({
  onSaleAt: box.onSaleAt ? box.onSaleAt.toISOString() : null,
  dropCancelledAt: box.dropCancelledAt ? box.dropCancelledAt.toISOString() : null,
  dropKey: box.dropKey,
  paymentWindowMinutes: box.paymentWindowMinutes,
  purchaseLimit: box.purchaseLimit,
});

/** `5m` or `5`: minutes an order of the drop stays payable (2–120, as ORDER_EXPIRY_MINUTES). */
function windowOption(text: string): number {
  const match = /^(\d+)m?$/.exec(text.trim());
  const minutes = match ? Number(match[1]) : NaN;
  if (!Number.isInteger(minutes) || minutes < 2 || minutes > 120) throw new UsageError('--window must be minutes from 2 to 120, e.g. 5m');
  return minutes;
}

function limitOption(text: string): number {
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError('--limit must be an integer from 1 to 10000');
  return limit;
}

export const dropCommand: AdminCommand = {
  name: 'drop',
  usage: `  drop <slug> --at <time> [--window 5m] [--limit 2]
                                    put a box on sale at an exact time by the server's clock (time: "2026-12-01 20:00"
                                    Beijing, an ISO time, or +10m); starts a new drop, so per-shopper limits count
                                    afresh; --window: payment window of its orders, --limit: units per shopper
  drop <slug> --cancel              call the scheduled drop off: the box is not on sale until a new drop`,
  options: { at: { type: 'string' }, window: { type: 'string' }, limit: { type: 'string' }, cancel: { type: 'boolean', default: false } },
  destructive: (_positionals, values) => values.cancel === true,
  async run(context) {
    if (context.positionals.length !== 1) throw new UsageError('drop takes exactly one <slug>');
    const { at, cancel } = context.values;
    if (cancel === true) {
      if (at !== undefined || context.values.window !== undefined || context.values.limit !== undefined) throw new UsageError('drop --cancel takes no other option');
      return cancelDrop(context, context.positionals[0]!);
    }
    if (typeof at !== 'string') throw new UsageError('drop needs --at <time> (or --cancel)');
    return scheduleDrop(context, context.positionals[0]!, at);
  },
};

async function scheduleDrop(context: AdminContext, slug: string, atText: string) {
  const { container } = context;
  const now = container.clock.now();
  const onSaleAt = parseTimeOption('--at', atText, now);
  const window = typeof context.values.window === 'string' ? windowOption(context.values.window) : undefined;
  const limit = typeof context.values.limit === 'string' ? limitOption(context.values.limit) : undefined;
  const box = await boxBySlug(container, slug);
  // A new key per scheduled opening: quotas are kept per (box, drop, shopper), so this drop's limits start at zero.
  const dropKey = `drop-${onSaleAt.toISOString()}`;
  const change = {
    onSaleAt,
    dropCancelledAt: null,
    dropKey,
    ...(window === undefined ? {} : { paymentWindowMinutes: window }),
    ...(limit === undefined ? {} : { purchaseLimit: limit }),
  };
  const updated = await context.apply(
    { command: 'drop', target: `box:${slug}`, before: dropView(box), after: (written: BoxDoc) => dropView(written) },
    async () => {
      const written = await boxModel(container.db).findOneAndUpdate({ _id: box._id }, { $set: change }, { returnDocument: 'after', runValidators: true }).lean<BoxDoc>();
      if (!written) throw new NotFound(`box ${slug}`);
      return written;
    },
  );
  if (!updated) return context.print(null, () => '');
  // Shoppers who asked for 开售提醒 hear of the new opening, earlier or later.
  await container.notifications.service.redateDropReminders(box._id, onSaleAt);
  const opensIn = Math.max(0, Math.round((onSaleAt.getTime() - now.getTime()) / 1000));
  return context.print({ slug, ...dropView(updated) }, () =>
    [
      `box ${slug} goes on sale at ${onSaleAt.toISOString()} (Beijing ${beijingTime(onSaleAt)}), ${opensIn > 0 ? `in ${opensIn} s by the server's clock` : 'now'}`,
      `  drop ${dropKey}; payment window ${updated.paymentWindowMinutes ?? 'default'} min; limit ${updated.purchaseLimit ?? 'default'} per shopper`,
    ].join('\n'),
  );
}

async function cancelDrop(context: AdminContext, slug: string) {
  const { container } = context;
  const box = await boxBySlug(container, slug);
  const opening = saleOpeningOf(box, container.clock.now());
  if (opening.state === 'CANCELLED') return context.print({ slug, ...dropView(box) }, () => `the drop of box ${slug} is already cancelled`);
  if (!box.onSaleAt) throw new NoDropScheduled(`box ${slug} has no scheduled drop to cancel`);
  const cancelledAt = container.clock.now();
  const updated = await context.apply(
    { command: 'drop cancel', target: `box:${slug}`, before: dropView(box), after: (written: BoxDoc) => dropView(written) },
    async () => {
      const written = await boxModel(container.db).findOneAndUpdate({ _id: box._id }, { $set: { dropCancelledAt: cancelledAt } }, { returnDocument: 'after' }).lean<BoxDoc>();
      if (!written) throw new NotFound(`box ${slug}`);
      return written;
    },
  );
  if (!updated) return context.print(null, () => '');
  await container.notifications.service.redateDropReminders(box._id, null);
  return context.print({ slug, ...dropView(updated) }, () =>
    `the drop of box ${slug} at ${box.onSaleAt?.toISOString()} is cancelled${opening.state === 'OPEN' ? ' (it had opened: no new orders from now; placed ones are served)' : ''}`,
  );
}
