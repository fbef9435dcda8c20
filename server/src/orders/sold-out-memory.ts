import type { Types } from 'mongoose';
import type { StockLedger } from '../catalog/stock';

/** How often the remembered sold-out boxes are read again (in the background, never by a waiting shopper). */
const REFRESH_MS = 250;

/**
 * The boxes this process saw sold out, answered from memory: a drop's thousands of late arrivals cost the
 * database nothing. The memory is refreshed by one read at a time in the background, started by an arrival
 * that found it older than REFRESH_MS but never awaited by it, so shoppers never queue behind the drop's
 * writes to be told it is over. Units that come back (a window ends, an order is cancelled) are seen by the
 * next refresh. The reservation stays the real guard: a box remembered sold out a moment too long only
 * delays a retry by that moment.
 */
export function soldOutMemory(stock: Pick<StockLedger, 'available' | 'nextReturnAt'>, refreshMs = REFRESH_MS) {
  const soldOut = new Map<string, { boxId: Types.ObjectId; availableAgainAt: Date | null }>();
  let refreshedAt = 0;
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

  function refreshSoon(): void {
    if (refreshing || Date.now() - refreshedAt < refreshMs) return;
    refreshing = true;
    refreshedAt = Date.now();
    // A failed refresh keeps what it knew: the next arrival after REFRESH_MS tries again.
    refresh()
      .catch(() => undefined)
      .finally(() => {
        refreshing = false;
        refreshedAt = Date.now();
      });
  }

  return {
    /** The box if remembered sold out, with when units may come back; never reads. */
    seen(boxId: Types.ObjectId): { availableAgainAt: Date | null } | null {
      const entry = soldOut.get(boxId.toHexString());
      if (!entry) return null;
      refreshSoon();
      return entry;
    },

    remember(boxId: Types.ObjectId, availableAgainAt: Date | null): void {
      if (!soldOut.has(boxId.toHexString())) refreshedAt = Date.now();
      soldOut.set(boxId.toHexString(), { boxId, availableAgainAt });
    },
  };
}

export type SoldOutMemory = ReturnType<typeof soldOutMemory>;
