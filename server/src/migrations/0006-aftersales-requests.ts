import type { Migration } from './migration';

/**
 * 0.3.0 adds after-sales requests (`aftersalesrequests`). Their unique `lineKey` index is what lets only one
 * request per order line be in progress, so it must exist before the first request is written, also where
 * the servers start with index creation off: created here, with the queue's and the shopper's indexes.
 * createIndexes with the same keys and options is a no-op, so a second run changes nothing.
 */
export const aftersalesRequests: Migration = {
  name: '0006-aftersales-requests',
  summary: 'after-sales requests get their collection and indexes (one request in progress per order line)',
  async up({ db }) {
    await db.db!.collection('aftersalesrequests').createIndexes([
      { key: { lineKey: 1 }, name: 'lineKey_1', unique: true },
      { key: { userId: 1, orderId: 1 }, name: 'userId_1_orderId_1' },
      { key: { status: 1, updatedAt: 1 }, name: 'status_1_updatedAt_1' },
    ]);
  },
};
