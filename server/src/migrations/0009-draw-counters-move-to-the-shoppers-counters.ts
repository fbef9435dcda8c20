import type { Migration } from './migration';
import { moveBetweenDatabases } from './move-between-databases';

/**
 * The draw counters (guarantee misses and line numbers per shopper and box, `guaranteecounters`) move from
 * `<db>_stock` to `<db>_counts`, beside the purchase quotas: every payment claims and finishes one before WeChat is
 * answered, and on the embedded engine those two writes queued behind a drop's stock writes in the stock file.
 * A counter moves with its pending claim as it is: the claim's order finishes it where it now lives.
 */
export const drawCountersMoveToTheShoppersCounters: Migration = {
  name: '0009-draw-counters-move-to-the-shoppers-counters',
  summary: 'draw (guarantee) counters move to the shoppers\' counters database (<db>_counts), off the stock write queue',
  async up({ db }) {
    await moveBetweenDatabases(db, 'guaranteecounters', 'stock', 'counts');
  },
};
