import { Types } from 'mongoose';
import { boxModel, type BoxDoc } from '../../src/catalog/box.model';
import type { TestServer } from './test-server';

/** A box's counter and its open holds (`<orderId>:<quantity>`), as the ledger keeps them. */
export async function boxState(server: TestServer, boxId: string): Promise<{ stock: number; holds: string[] }> {
  const ledger = server.container.stock;
  const id = new Types.ObjectId(boxId);
  const stock = (await ledger.available([id])).get(boxId);
  if (stock === undefined) throw new Error(`box ${boxId} has no stock counter`);
  return { stock, holds: (await ledger.openHolds(id)).sort() };
}

/** Stocks a box made straight in the database and, as the catalog import does, commits its seeds before any order. */
export async function setStock(server: TestServer, boxId: string, units: number): Promise<void> {
  await server.container.stock.setAvailable(new Types.ObjectId(boxId), units);
  await server.container.fairness.seeds.current(new Types.ObjectId(boxId));
}

/**
 * A box of two items (a COMMON and a SECRET, equal weights) that keeps item counts, made straight in the database
 * with its seeds committed as the catalog import does: a paid order of it also holds item takes.
 */
export async function boxWithItemCounts(server: TestServer, label: string, unitsPerItem: number): Promise<BoxDoc> {
  const prefix = `${label}-${new Types.ObjectId().toHexString()}`;
  const [created] = await boxModel(server.container.db).create([
    {
      slug: prefix,
      name: label,
      coverUrl: '/c.png',
      priceFen: 5000,
      products: [
        { productId: `${label}-a`, name: 'A', rarity: 'COMMON', imageUrl: '/a.png', weight: 1 },
        { productId: `${label}-b`, name: 'B', rarity: 'SECRET', imageUrl: '/b.png', weight: 1 },
      ],
    },
  ]);
  const box = created!.toObject<BoxDoc>();
  await server.container.stock.stockIfNew(box._id, { [`${label}-a`]: unitsPerItem, [`${label}-b`]: unitsPerItem });
  await server.container.fairness.seeds.current(box._id);
  return box;
}
