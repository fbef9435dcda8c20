import type { Connection, Types } from 'mongoose';
import { stockDatabase } from '../db/databases';
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { purchaseQuotaModel } from './stock.model';

export interface QuotaKey {
  boxId: Types.ObjectId;
  dropKey: string;
  userId: Types.ObjectId;
}

const quotaIdOf = ({ boxId, dropKey, userId }: QuotaKey) => `${boxId.toHexString()}:${dropKey}:${userId.toHexString()}`;

/**
 * Units counted against a limit under one key, per order. One small document per key, listing the orders it
 * counts: taking is one guarded `$inc` that also records the order (so 50 parallel orders from one shopper
 * cannot pass the limit between them, and a repeat counts nothing), giving back is one write guarded on the
 * order being listed. The per-drop purchase limit and the daily limits (limits/daily-limits.ts) both use it.
 */
export function countedUnits(main: Connection) {
  const Quota = purchaseQuotaModel(stockDatabase(main));

  return {
    async take(_id: string, orderId: Types.ObjectId, quantity: number, limit: number): Promise<boolean> {
      if (quantity > limit) return false;
      const order = orderId.toHexString();
      const guard = { _id, units: { $lte: limit - quantity }, orders: { $ne: order } };
      const change = { $inc: { units: quantity }, $push: { orders: order } };
      try {
        const taken = await Quota.updateOne(guard, change, { upsert: true });
        return taken.modifiedCount + taken.upsertedCount === 1;
      } catch (error) {
        // The document exists and the guard refused it, or a parallel first order created it just now.
        if (!isDuplicateKeyError(error)) throw error;
        const taken = await Quota.updateOne(guard, change);
        return taken.modifiedCount === 1;
      }
    },

    async giveBack(_id: string, orderId: Types.ObjectId, quantity: number): Promise<void> {
      const order = orderId.toHexString();
      await Quota.updateOne({ _id, orders: order }, { $inc: { units: -quantity }, $pull: { orders: order } });
    },

    async used(_id: string): Promise<number> {
      return (await Quota.findById(_id).lean())?.units ?? 0;
    },
  };
}

export type CountedUnits = ReturnType<typeof countedUnits>;

/** How many units of a box one shopper may take in one drop. Paid orders keep their units: the limit is on purchases. */
export function purchaseQuotas(main: Connection) {
  const units = countedUnits(main);
  return {
    take: (key: QuotaKey, orderId: Types.ObjectId, quantity: number, limit: number) => units.take(quotaIdOf(key), orderId, quantity, limit),
    giveBack: (key: QuotaKey, orderId: Types.ObjectId, quantity: number) => units.giveBack(quotaIdOf(key), orderId, quantity),
  };
}

export type PurchaseQuotas = ReturnType<typeof purchaseQuotas>;
