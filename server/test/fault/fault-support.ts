/** Helpers shared by the fault and abuse suite (not a test file itself). */
import type { CreateOrderRequest, Order } from '@blindbox/shared';
import { Types } from 'mongoose';
import type { TestServer } from '../support/test-server';
import { shopper } from '../support/shop';
import { orderModel, type OrderDoc } from '../../src/orders/order.model';
import { countsDatabase, limitsDatabase, stockDatabase } from '../../src/db/databases';

/** The ledger's collections live in the stock database, the shoppers' counters, rate limits and query slots in their own (db/databases.ts). */
const STOCK_COLLECTIONS = new Set(['stocks', 'holds']);
const COUNTS_COLLECTIONS = new Set(['purchasequotas', 'guaranteecounters']);
const LIMITS_COLLECTIONS = new Set(['rateLimits', 'channelQueries']);

/** Each document of some collections as its exact stored JSON, by collection and _id. */
export type Snapshot = Record<string, Record<string, string>>;

/**
 * The stored bytes of whole collections, so a refused request can be shown to have changed nothing at all
 * (not even an updatedAt or a lastCheckedAt). `omit` drops named top-level fields where a refusal may
 * legitimately leave a trace, e.g. the updatedAt of a box whose reservation was rolled back.
 */
export async function snapshotCollections(
  server: TestServer,
  names: readonly string[] = ['orders', 'boxes', 'coupons', 'stocks', 'holds', 'purchasequotas'],
  omit: Record<string, readonly string[]> = {},
): Promise<Snapshot> {
  const snapshot: Snapshot = {};
  for (const name of names) {
    const docs: Record<string, string> = {};
    const db = STOCK_COLLECTIONS.has(name)
      ? stockDatabase(server.container.db)
      : COUNTS_COLLECTIONS.has(name)
        ? countsDatabase(server.container.db)
        : LIMITS_COLLECTIONS.has(name)
          ? limitsDatabase(server.container.db)
          : server.container.db;
    for (const doc of await db.collection(name).find({}).sort({ _id: 1 }).toArray()) {
      for (const field of omit[name] ?? []) delete (doc as Record<string, unknown>)[field];
      docs[String(doc._id)] = JSON.stringify(doc);
    }
    snapshot[name] = docs;
  }
  return snapshot;
}

/** Only the documents that differ, readable in a failure message (whole snapshots are too long to diff). */
export function changedDocuments(before: Snapshot, after: Snapshot): string[] {
  const changes: string[] = [];
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = before[name] ?? {};
    const now = after[name] ?? {};
    for (const id of new Set([...Object.keys(was), ...Object.keys(now)])) {
      if (was[id] !== now[id]) changes.push(`${name} ${id}: ${was[id] ?? '(none)'} → ${now[id] ?? '(none)'}`);
    }
  }
  return changes;
}

export async function outTradeNoOf(server: TestServer, orderId: string): Promise<string> {
  const doc = await orderModel(server.container.db).findById(orderId).lean<OrderDoc>();
  const outTradeNo = doc?.payment.current?.outTradeNo;
  if (!outTradeNo) throw new Error(`order ${orderId} has no open payment attempt`);
  return outTradeNo;
}

export async function ordersByIds(server: TestServer, ids: readonly string[]): Promise<OrderDoc[]> {
  return orderModel(server.container.db)
    .find({ _id: { $in: ids.map((id) => new Types.ObjectId(id)) } })
    .lean<OrderDoc[]>();
}

/**
 * A shopper with one saved address, placing orders straight through the API: `shopper().placeOrder` saves a
 * new address per order, and a user may keep only 20, which bulk tests would hit.
 */
export async function buyer(server: TestServer, code: string) {
  const base = await shopper(server, code);
  const addressId = (await base.address()).id;
  return {
    ...base,
    addressId,
    async orderNow(items: CreateOrderRequest['items'], couponId?: string): Promise<Order> {
      const { status, body } = await base.api.post<Order>('/api/orders', { items, addressId, couponId });
      if (status !== 201) throw new Error(`order not placed: ${status} ${JSON.stringify(body)}`);
      return body;
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
