import { Types } from 'mongoose';
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
