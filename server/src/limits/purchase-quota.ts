import type { Connection, Types } from 'mongoose';
import { countedUnits } from './counted-units';

export interface QuotaKey {
  boxId: Types.ObjectId;
  dropKey: string;
  userId: Types.ObjectId;
}

const quotaIdOf = ({ boxId, dropKey, userId }: QuotaKey) => `${boxId.toHexString()}:${dropKey}:${userId.toHexString()}`;

/** How many units of a box one shopper may take in one drop. Paid orders keep their units: the limit is on purchases. */
export function purchaseQuotas(main: Connection) {
  const units = countedUnits(main, 'quota');
  return {
    take: (key: QuotaKey, orderId: Types.ObjectId, quantity: number, limit: number, checkAt: Date) => units.take(quotaIdOf(key), orderId, quantity, limit, checkAt),
    giveBack: (key: QuotaKey, orderId: Types.ObjectId, quantity: number) => units.giveBack(quotaIdOf(key), orderId, quantity),
    /** For the sweep, which knows the order and gives back through the key (giveBack above). */
    counters: units,
  };
}

export type PurchaseQuotas = ReturnType<typeof purchaseQuotas>;
