import type { Types } from 'mongoose';
import type { StockLedger } from '../catalog/stock';

/** How often the remembered sold-out boxes are read again (in the background, never by a waiting shopper). */
const REFRESH_MS = 250;

/**
 * The boxes this process saw sold out, answered from memory: a drop's thousands of late arrivals cost the
 * database nothing. While shoppers keep asking about them, the memory is refreshed every REFRESH_MS by one
 * read at a time, from a timer of its own: never by a waiting shopper (nor in a shopper's request), so nobody
 * queues behind the drop's writes to be told it is over. Units that come back (a window ends, an order is
 * cancelled) are seen by the next refresh. The reservation stays the real guard: a box remembered sold out a
 * moment too long only delays a retry by that moment.
 */
export function soldOutMemory(stock: Pick<StockLedger, 'available' | 'nextReturnAt'>, refreshMs = REFRESH_MS) {
  const soldOut = new Map<string, { boxId: Types.ObjectId; availableAgainAt: Date | null }>();
  let asked = false;
  let refreshing = false;

  async function refresh(): Promise<void> {
    const boxIds = [...soldOut.values()].map((entry) => entry.boxId);
    const available = await stock.available(boxIds);
    for (const boxId of boxIds) {
      const key = boxId.toHexString();
      if ((available.get(key) ?? 0) > 0) soldOut.delete(key);
      else soldOut.set(key, { boxId, availableAgainAt: await stock.nextReturnAt(boxId) });
    }
  }

  // Started with the service (built once, outside any request); unref'd: it never keeps a process alive.
  setInterval(() => {
    if (!asked || refreshing || soldOut.size === 0) return;
    asked = false;
    refreshing = true;
    // A failed refresh keeps what it knew: the next tick tries again.
    refresh()
      .catch(() => undefined)
      .finally(() => {
        refreshing = false;
      });
  }, refreshMs).unref();

  return {
    /** The box if remembered sold out, with when units may come back; never reads. */
    seen(boxId: Types.ObjectId): { availableAgainAt: Date | null } | null {
      const entry = soldOut.get(boxId.toHexString());
      if (entry) asked = true;
      return entry ?? null;
    },

    remember(boxId: Types.ObjectId, availableAgainAt: Date | null): void {
      soldOut.set(boxId.toHexString(), { boxId, availableAgainAt });
    },
  };
}

export type SoldOutMemory = ReturnType<typeof soldOutMemory>;
