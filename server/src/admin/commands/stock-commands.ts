import { NotFound } from '../../domain-error';
import { boxModel, type BoxDoc } from '../../catalog/box.model';
import { itemStock, type ItemCounts } from '../../catalog/item-stock';
import { changeStock, MAX_ROUNDS, NoItemCounts, stockReport, StockBelowHeld, type StockReport } from '../../catalog/stock-desk';
import { UsageError, type AdminCommand, type AdminContext } from '../admin-command';

function integerOption(value: unknown, name: string): number | null {
  if (value === undefined) return null;
  const parsed = Number(value);
  if (typeof value !== 'string' || !/^-?\d+$/.test(value) || !Number.isSafeInteger(parsed)) throw new UsageError(`${name} must be a whole number`);
  return parsed;
}

const formatReport = (stock: StockReport) =>
  [
    `box ${stock.slug} (version ${stock.version}): ${stock.available} available, ${stock.held} held for unpaid orders, ${stock.sold} sold`,
    ...stock.items.map((item) => `  ${item.id.padEnd(28)} ${item.name}  ${item.left} left, ${item.drawn} drawn`),
  ].join('\n');

/**
 * A box stocked before per-item counts (box-level stock only) gets them from `stock <slug> --set N`: every
 * item N, and the box's counter Σ − the units held for unpaid orders (never less), guarded against orders
 * racing it like any other change.
 */
async function startItemCounts(context: AdminContext, box: BoxDoc, set: number | null) {
  if (set === null) throw new NoItemCounts(`box ${box.slug} keeps no per-item counts (stocked before they existed): give every item its count with --set N, without --item`);
  const ledger = context.container.stock;
  const units = Object.fromEntries(box.products.map((product) => [product.productId, set]));
  const before = await ledger.account(box._id);
  await context.apply({ command: 'stock set', target: `box:${box.slug}`, before: { available: before.available, items: null }, after: { items: units } }, async () => {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const { written, held } = await ledger.startItemCounts(box._id, units);
      if (written) return;
      if (Object.values(units).reduce((sum, n) => sum + n, 0) < held) throw new StockBelowHeld(`${held} units are held for unpaid orders: the items must hold at least that many`);
    }
    throw new StockBelowHeld('the stock kept changing under concurrent orders; try again');
  });
  const stock = await stockReport(context.container, box);
  return context.print(stock, () => formatReport(stock));
}

export const stockCommand: AdminCommand = {
  name: 'stock',
  usage: `  stock <slug> [--item <id>] [--add N | --set N]
                                    units left per item (and available / held / sold); --add or --set changes
                                    one item, or every item without --item; never below the units held`,
  options: { item: { type: 'string' }, add: { type: 'string' }, set: { type: 'string' } },
  destructive: (_positionals, values) => values.set !== undefined,
  async run(context) {
    if (context.positionals.length !== 1) throw new UsageError('stock takes exactly one <slug>');
    const [slug] = context.positionals as [string];
    const add = integerOption(context.values.add, '--add');
    const set = integerOption(context.values.set, '--set');
    if (add !== null && set !== null) throw new UsageError('give --add or --set, not both');
    if (set !== null && set < 0) throw new UsageError('--set must be 0 or more');
    const box = await boxModel(context.container.db).findOne({ slug }).lean<BoxDoc>();
    if (!box) throw new NotFound(`box ${slug}`);
    const item = context.values.item;
    if (typeof item === 'string' && !box.products.some((product) => product.productId === item)) throw new NotFound(`item ${item} of box ${slug}`);
    if (add !== null || set !== null) {
      const counts = await itemStock(context.container.db).counts(box._id);
      if (!counts) return startItemCounts(context, box, typeof item === 'string' ? null : set);
      const targets = typeof item === 'string' ? [item] : box.products.map((product) => product.productId);
      const before = Object.fromEntries(targets.map((id) => [id, counts[id] ?? 0]));
      const planned = Object.fromEntries(targets.map((id) => [id, add === null ? set : (counts[id] ?? 0) + add]));
      await context.apply(
        {
          command: set === null ? 'stock add' : 'stock set',
          target: `box:${slug}`,
          before: { items: before },
          // What was written (draws may move an item between the read and the write); a dry run shows the plan.
          after: context.dryRun ? { items: planned } : (written: ItemCounts) => ({ items: written }),
        },
        () => changeStock(context.container, box._id, targets, add, set),
      );
    }
    const stock = await stockReport(context.container, box);
    return context.print(stock, () => formatReport(stock));
  },
};
