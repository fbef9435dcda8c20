import type { Connection, Types } from 'mongoose';
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { limitsDatabase } from '../db/databases';

/**
 * A polling shopper may ask about an order as often as it likes, but WeChat hears about it at most once per
 * interval per order, across every server process: the slot lives in the database, not in memory. The poll
 * that claims the slot asks WeChat; the others in the same interval answer from the order as stored (the
 * callback or the claimant's query updates it).
 */
export const CHANNEL_QUERY_INTERVAL_MS = 3_000;
const COLLECTION = 'channelQueries';
/** Slots far in the past are only kept for orders nobody polls any more. */
const PURGE_AFTER_MS = 3600_000;

interface SlotDoc {
  _id: string;
  nextAt: Date;
}

export function channelQueryThrottle(db: Connection) {
  const slots = limitsDatabase(db).collection<SlotDoc>(COLLECTION);
  let purgedAt = 0;

  return {
    /** True for the one caller per interval that may query the channel about this order now. */
    async claim(orderId: Types.ObjectId): Promise<boolean> {
      const now = Date.now();
      if (now - purgedAt >= PURGE_AFTER_MS) {
        purgedAt = now;
        // The purge must not scan the collection: it holds a slot per order ever polled.
        await slots.createIndex({ nextAt: 1 });
        await slots.deleteMany({ nextAt: { $lt: new Date(now - PURGE_AFTER_MS) } });
      }
      const _id = orderId.toHexString();
      const nextAt = new Date(now + CHANNEL_QUERY_INTERVAL_MS);
      const taken = await slots.updateOne({ _id, nextAt: { $lte: new Date(now) } }, { $set: { nextAt } });
      if (taken.modifiedCount === 1) return true;
      try {
        await slots.insertOne({ _id, nextAt });
        return true;
      } catch (error) {
        // The slot exists and is not due: someone else asked within the interval.
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    },
  };
}
