import type { Connection, Types } from 'mongoose';
import { ruleError } from '../domain-error';
import type { BoxDoc } from './box.model';
import { itemStock, type ItemCounts } from './item-stock';
import type { StockLedger } from './stock';

/** Stock changes by staff, the same for `admin stock` and the console's stock page: both record who in the audit. */
interface StockDeps {
  db: Connection;
  stock: StockLedger;
}

export const StockBelowHeld = ruleError('CONFLICT', 'STOCK_BELOW_HELD');
export const NoItemCounts = ruleError('CONFLICT', 'NO_ITEM_COUNTS');

/** Compare-and-set rounds against orders racing the change before giving up. */
export const MAX_ROUNDS = 20;

export interface StockReport {
  slug: string;
  version: number;
  available: number;
  held: number;
  sold: number;
  items: { id: string; name: string; left: number; drawn: number }[];
}

/** A box's units: available, held for unpaid orders, sold, and each item's left and drawn. */
export async function stockReport({ db, stock }: StockDeps, box: BoxDoc): Promise<StockReport> {
  const account = await stock.account(box._id);
  const items = itemStock(db);
  const counts = (await items.counts(box._id)) ?? {};
  const drawn = await items.drawnPerItem(box._id);
  return {
    slug: box.slug,
    version: box.version ?? 1,
    available: account.available,
    held: account.held + account.inFlight,
    sold: account.sold,
    items: box.products.map((product) => ({ id: product.productId, name: product.name, left: counts[product.productId] ?? 0, drawn: drawn.get(product.productId) ?? 0 })),
  };
}

/**
 * Changes item counts until the write lands: each round reads the counts and writes guarded on them (for
 * --set) and on `available` staying ≥ 0, so units held for unpaid orders are never taken, whatever orders
 * race the change. Refused, with the numbers, when the change would need held units.
 */
export async function changeStock({ db, stock: ledger }: StockDeps, boxId: Types.ObjectId, targets: string[], add: number | null, set: number | null): Promise<ItemCounts> {
  const items = itemStock(db);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const counts = (await items.counts(boxId)) ?? {};
    const deltas = Object.fromEntries(targets.map((id) => [id, add ?? (set ?? 0) - (counts[id] ?? 0)]));
    const expected = set === null ? null : Object.fromEntries(targets.map((id) => [id, counts[id] ?? 0]));
    if (await ledger.changeItems(boxId, deltas, expected)) return Object.fromEntries(targets.map((id) => [id, (counts[id] ?? 0) + (deltas[id] ?? 0)]));
    const { available } = await ledger.account(boxId);
    const change = Object.values(deltas).reduce((sum, n) => sum + n, 0);
    const below = targets.find((id) => (counts[id] ?? 0) + (deltas[id] ?? 0) < 0);
    if (below) throw new StockBelowHeld(`item ${below} would go below 0`);
    if (available + change < 0) {
      const { held, inFlight } = await ledger.account(boxId);
      throw new StockBelowHeld(`only ${available} units are free (${held + inFlight} are held for unpaid orders): the change takes ${-change}`);
    }
  }
  throw new StockBelowHeld('the stock kept changing under concurrent orders; try again');
}

