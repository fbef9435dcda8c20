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
 * How many units of a box one shopper may take in one drop. One small document per shopper, box and drop,
 * listing the orders it counts: taking is one guarded `$inc` that also records the order (so 50 parallel
 * orders from one shopper cannot pass the limit between them, and a repeat counts nothing), giving back is
 * one write guarded on the order being listed. Paid orders keep their units: the limit is on purchases.
 */
export function purchaseQuotas(main: Connection) {
  const Quota = purchaseQuotaModel(stockDatabase(main));

  return {
    async take(key: QuotaKey, orderId: Types.ObjectId, quantity: number, limit: number): Promise<boolean> {
      if (quantity > limit) return false;
      const _id = quotaIdOf(key);
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

    async giveBack(key: QuotaKey, orderId: Types.ObjectId, quantity: number): Promise<void> {
      const order = orderId.toHexString();
      await Quota.updateOne({ _id: quotaIdOf(key), orders: order }, { $inc: { units: -quantity }, $pull: { orders: order } });
    },

    async used(key: QuotaKey): Promise<number> {
      return (await Quota.findById(quotaIdOf(key)).lean())?.units ?? 0;
    },
  };
}

export type PurchaseQuotas = ReturnType<typeof purchaseQuotas>;
