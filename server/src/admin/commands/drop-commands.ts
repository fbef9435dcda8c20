import { beijingTime } from '@blindbox/shared';
import { dropView } from '../../catalog/drops';
import { UsageError, type AdminCommand, type AdminContext } from '../admin-command';
import { boxBySlug } from './box-by-slug';
import { parseTimeOption } from './time-option';

/** `5m` or `5`: minutes an order of the drop stays payable (the range is the drop desk's rule). */
function windowOption(text: string): number {
  const match = /^(\d+)m?$/.exec(text.trim());
  if (!match) throw new UsageError('--window must be minutes, e.g. 5m');
  return Number(match[1]);
}

function limitOption(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError('--limit must be a whole number');
  return Number(text);
}

export const dropCommand: AdminCommand = {
  name: 'drop',
  usage: `  drop <slug> --at <time> [--window 5m] [--limit 2]
                                    put a box on sale at an exact time by the server's clock (time: "2026-12-01 20:00"
                                    Beijing, an ISO time, or +10m; never in the past); starts a new drop, so per-shopper
                                    limits count afresh; --window: payment window of its orders (2–120 min), --limit: units per shopper
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
  const box = await boxBySlug(container, slug);
  const updated = await container.drops.schedule(
    box,
    {
      onSaleAt,
      ...(typeof context.values.window === 'string' ? { paymentWindowMinutes: windowOption(context.values.window) } : {}),
      ...(typeof context.values.limit === 'string' ? { purchaseLimit: limitOption(context.values.limit) } : {}),
    },
    context.apply,
  );
  if (!updated) return context.print(null, () => '');
  const opensIn = Math.round((onSaleAt.getTime() - now.getTime()) / 1000);
  return context.print({ slug, ...dropView(updated) }, () =>
    [
      `box ${slug} goes on sale at ${onSaleAt.toISOString()} (Beijing ${beijingTime(onSaleAt)}), in ${opensIn} s by the server's clock`,
      `  drop ${updated.dropKey}; payment window ${updated.paymentWindowMinutes ?? 'default'} min; limit ${updated.purchaseLimit ?? 'default'} per shopper`,
    ].join('\n'),
  );
}

async function cancelDrop(context: AdminContext, slug: string) {
  const box = await boxBySlug(context.container, slug);
  const { box: updated, was } = await context.container.drops.cancel(box, context.apply);
  if (was.state === 'CANCELLED') return context.print({ slug, ...dropView(box) }, () => `the drop of box ${slug} is already cancelled`);
  if (!updated) return context.print(null, () => '');
  return context.print({ slug, ...dropView(updated) }, () =>
    `the drop of box ${slug} at ${box.onSaleAt?.toISOString()} is cancelled${was.state === 'OPEN' ? ' (it had opened: no new orders from now; placed ones are served)' : ''}`,
  );
}
