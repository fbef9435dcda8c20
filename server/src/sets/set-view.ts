import { saleRef, type BoxSet, type BoxSetList, type PositionState } from '@blindbox/shared';
import type { BoxDoc } from '../catalog/box.model';
import type { BoxSetDoc } from './set.model';
import type { PositionHoldDoc } from './position-hold.model';
import { seriesOf } from './arrangement';

/** Sold out or retired: nothing of it can be sold any more, so its arrangement can be shown. */
export const isRevealed = (set: Pick<BoxSetDoc, 'state'>) => set.state === 'SOLD_OUT' || set.state === 'RETIRED';

function counts(set: BoxSetDoc, taken: readonly PositionHoldDoc[]) {
  const grid: PositionState[] = Array.from({ length: set.positions }, () => 'FREE');
  for (const hold of taken) if (hold.position < set.positions) grid[hold.position] = hold.state === 'SOLD' ? 'SOLD' : 'HELD';
  const sold = grid.filter((state) => state === 'SOLD').length;
  const held = grid.filter((state) => state === 'HELD').length;
  // A retired set sells nothing more: its untaken positions are not free.
  const free = set.state === 'ON_SALE' || set.state === 'RETIRING' ? set.positions - sold - held : 0;
  return { grid, sold, held, free };
}

export function toBoxSetSummary(set: BoxSetDoc, taken: readonly PositionHoldDoc[]): BoxSetList['items'][number] {
  const { sold, held, free } = counts(set, taken);
  return {
    id: set._id.toHexString(),
    boxId: set.boxId.toHexString(),
    number: set.number,
    positions: set.positions,
    commitment: set.commitment,
    committedAt: set.createdAt.toISOString(),
    // A retire in progress may still be undone: until it is done the set is on sale.
    state: set.state === 'RETIRING' ? 'ON_SALE' : set.state,
    free,
    held,
    sold,
    revealedAt: set.revealedAt?.toISOString() ?? null,
  };
}

/**
 * The one place that decides what a set shows. While it is on sale: whether each position is free, held or
 * sold, and the commitment; never a design, not even a sold one (with every design once per set, the sold
 * ones would narrow down the rest). Once sold out or retired: the arrangement, the salt and every sale.
 */
export function toBoxSetDto(set: BoxSetDoc, taken: readonly PositionHoldDoc[], box: Pick<BoxDoc, 'products' | 'setRules'>): BoxSet {
  const revealed = isRevealed(set);
  const sales = taken
    .filter((hold) => hold.state === 'SOLD')
    .sort((a, b) => a.position - b.position)
    .map((hold) => ({ position: hold.position, productId: hold.productId ?? '', orderRef: saleRef(hold.orderId.toHexString(), hold.position), soldAt: hold.updatedAt.toISOString() }));
  return {
    ...toBoxSetSummary(set, taken),
    grid: counts(set, taken).grid,
    arrangement: revealed ? [...set.arrangement] : null,
    salt: revealed ? set.salt : null,
    sales: revealed ? sales : null,
    series: seriesOf(box),
    secretEvery: box.setRules?.secretEvery ?? null,
  };
}
