import type { Connection } from 'mongoose';

/**
 * Moves a collection's documents from one of the shop's databases to another (`<db>_stock` to `<db>_counts`, …):
 * each copied only if absent, then deleted where it was, so a second run finds only what a crash left between the
 * two and finishes it (the copy already there is what stays). Shipped migrations call it: what it does must not
 * change; a move that needs something else gets its own code.
 */
export async function moveBetweenDatabases(db: Connection, collection: string, from: string, to: string): Promise<void> {
  const source = db.useDb(`${db.name}_${from}`, { useCache: true }).db!.collection<{ _id: string }>(collection);
  const target = db.useDb(`${db.name}_${to}`, { useCache: true }).db!.collection<{ _id: string }>(collection);
  for await (const { _id, ...document } of source.find({})) {
    await target.updateOne({ _id }, { $setOnInsert: document }, { upsert: true });
    await source.deleteOne({ _id });
  }
}
