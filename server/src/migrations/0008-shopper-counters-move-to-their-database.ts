import type { Migration } from './migration';

/**
 * The per-shopper counters (purchase quotas and daily caps, `purchasequotas`) move from `<db>_stock` to a
 * database of their own, `<db>_counts`: on the embedded engine each database is a file with its own write
 * queue, and a drop's orders took their units and their counters through the same one (db/databases.ts).
 * Each counter is copied only if absent, then deleted from the stock database: a second run finds only what a
 * crash left between the two and finishes it.
 */
export const shopperCountersMoveToTheirDatabase: Migration = {
  name: '0008-shopper-counters-move-to-their-database',
  summary: 'purchase quota and daily cap counters move to their own database (<db>_counts), off the stock write queue',
  async up({ db }) {
    const from = db.useDb(`${db.name}_stock`, { useCache: true }).db!.collection<{ _id: string }>('purchasequotas');
    const to = db.useDb(`${db.name}_counts`, { useCache: true }).db!.collection<{ _id: string }>('purchasequotas');
    for await (const { _id, ...counter } of from.find({})) {
      await to.updateOne({ _id }, { $setOnInsert: counter }, { upsert: true });
      await from.deleteOne({ _id });
    }
  },
};
