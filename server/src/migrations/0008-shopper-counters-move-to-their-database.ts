import type { Migration } from './migration';
import { moveBetweenDatabases } from './move-between-databases';

/**
 * The per-shopper counters (purchase quotas and daily caps, `purchasequotas`) move from `<db>_stock` to a
 * database of their own, `<db>_counts`: on the embedded engine each database is a file with its own write
 * queue, and a drop's orders took their units and their counters through the same one (db/databases.ts).
 */
export const shopperCountersMoveToTheirDatabase: Migration = {
  name: '0008-shopper-counters-move-to-their-database',
  summary: 'purchase quota and daily cap counters move to their own database (<db>_counts), off the stock write queue',
  async up({ db }) {
    await moveBetweenDatabases(db, 'purchasequotas', 'stock', 'counts');
  },
};
