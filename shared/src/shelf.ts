/**
 * How the shelf speaks of a box, one rule for the server, the mini-program and their tests: a shopper sees
 * 仅剩 N when few are left and 已售罄 when none are, never a raw stock count (a count tells a reseller more
 * than it helps a buyer); a box first on sale within the last NEW_ARRIVAL_DAYS is 新品; one whose drop has
 * not opened yet is 即将开售.
 */

/** At or below this many units left, the shelf says 仅剩 N. */
export const LOW_STOCK_THRESHOLD = 20;
export const NEW_ARRIVAL_DAYS = 14;

export type StockWord = { kind: 'SOLD_OUT'; text: '已售罄' } | { kind: 'LOW'; text: string } | { kind: 'PLENTY'; text: null };

export function stockWordOf(stock: number): StockWord {
  if (stock <= 0) return { kind: 'SOLD_OUT', text: '已售罄' };
  if (stock <= LOW_STOCK_THRESHOLD) return { kind: 'LOW', text: `仅剩 ${stock}` };
  return { kind: 'PLENTY', text: null };
}

export type ShelfSection = 'COMING' | 'NEW' | 'ON_SALE';

/** The shelf's section of a box, by the server's clock (`now`), never the phone's. */
export function shelfSectionOf(box: { onSaleAt: string | null; launchedAt: string; dropCancelled: boolean }, now: Date): ShelfSection {
  if (box.onSaleAt && !box.dropCancelled && Date.parse(box.onSaleAt) > now.getTime()) return 'COMING';
  if (now.getTime() - Date.parse(box.launchedAt) < NEW_ARRIVAL_DAYS * 86_400_000) return 'NEW';
  return 'ON_SALE';
}
