import type { Connection, Types } from 'mongoose';
import { countsDatabase } from '../db/databases';
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { countedUnitsModel, type CountedKind, type CountedUnitsDoc } from './counted-units.model';

/** How soon the sweep looks again at a counter whose pending orders were still payable. */
const RECHECK_MS = 60_000;

/** Units counted per part of a counter (a day's draws per box) under one limit per part. */
export interface CountedParts {
  units: Readonly<Record<string, number>>;
  limit: number;
}

/**
 * A pending order with the units it took, so the sweep can give back for an order it cannot read:
 * `<orderId>:<units>`, then `:<part>=<units>,…` when it counted parts.
 */
function tokenOf(orderId: Types.ObjectId, quantity: number, parts: Readonly<Record<string, number>> = {}): string {
  const counted = Object.entries(parts).map(([part, units]) => `${part}=${units}`);
  return `${orderId.toHexString()}:${quantity}${counted.length > 0 ? `:${counted.join(',')}` : ''}`;
}

function parsePending(token: string): { orderId: string; quantity: number; parts: Record<string, number> } | null {
  const [orderId, quantity, counted] = token.split(':');
  if (!orderId || !Number.isInteger(Number(quantity))) return null;
  const parts = Object.fromEntries((counted ? counted.split(',') : []).map((entry) => entry.split('=')).map(([part, units]) => [part as string, Number(units)]));
  if (Object.values(parts).some((units) => !Number.isInteger(units))) return null;
  return { orderId, quantity: Number(quantity), parts };
}

/** The `$inc` that counts (sign 1) or gives back (sign −1) an order's units and parts. */
const countOf = (quantity: number, parts: Readonly<Record<string, number>>, sign: 1 | -1) =>
  Object.fromEntries([['units', sign * quantity], ...Object.entries(parts).map(([part, units]) => [`parts.${part}`, sign * units])]);

/**
 * Units counted against a limit under one key, per order. One small document per key, listing the orders it
 * counts: taking is one guarded `$inc` that also records the order (so 50 parallel orders from one shopper
 * cannot pass the limit between them, and a repeat counts nothing), giving back is one write guarded on the
 * order being listed. The order also stays `pending` until its fate is known, so units taken for an order
 * that never got stored (placing crashed) or whose give-back failed are found and returned by the sweep.
 */
export function countedUnits(main: Connection, kind: CountedKind) {
  const Counted = countedUnitsModel(countsDatabase(main));

  return {
    /**
     * `checkAt`: when the sweep may judge this order (its payment deadline). `parts`: units counted in the same
     * write under a limit of their own (a part never counted yet has none: `$not $gt` matches the missing field).
     */
    async take(_id: string, orderId: Types.ObjectId, quantity: number, limit: number, checkAt: Date, parts: CountedParts = { units: {}, limit: 0 }): Promise<boolean> {
      if (quantity > limit || Object.values(parts.units).some((units) => units > parts.limit)) return false;
      const order = orderId.toHexString();
      const guard: Record<string, unknown> = { _id, units: { $lte: limit - quantity }, orders: { $ne: order } };
      for (const [part, units] of Object.entries(parts.units)) guard[`parts.${part}`] = { $not: { $gt: parts.limit - units } };
      const change = { $inc: countOf(quantity, parts.units, 1), $push: { orders: order, pending: tokenOf(orderId, quantity, parts.units) }, $set: { kind }, $min: { checkAt } };
      try {
        const taken = await Counted.updateOne(guard, change, { upsert: true });
        return taken.modifiedCount + taken.upsertedCount === 1;
      } catch (error) {
        // The document exists and the guard refused it, or a parallel first order created it just now.
        if (!isDuplicateKeyError(error)) throw error;
        const taken = await Counted.updateOne(guard, change);
        return taken.modifiedCount === 1;
      }
    },

    async giveBack(_id: string, orderId: Types.ObjectId, quantity: number, parts: Readonly<Record<string, number>> = {}): Promise<void> {
      const order = orderId.toHexString();
      await Counted.updateOne({ _id, orders: order }, { $inc: countOf(quantity, parts, -1), $pull: { orders: order, pending: tokenOf(orderId, quantity, parts) } });
    },

    async used(_id: string): Promise<number> {
      return (await Counted.findById(_id).lean())?.units ?? 0;
    },

    /** The counter as stored (null before its first order). */
    read: (_id: string) => Counted.findById(_id).lean<CountedUnitsDoc>(),

    /** Counters of this kind with pending orders due a look (index { kind, checkAt }). */
    async due(now: Date, limit: number): Promise<Array<Pick<CountedUnitsDoc, '_id' | 'pending'>>> {
      return Counted.find({ kind, checkAt: { $lte: now } }).select({ pending: 1 }).limit(limit).lean<Array<Pick<CountedUnitsDoc, '_id' | 'pending'>>>();
    },

    /** The sweep's verdict on one pending order, from its token: kept (paid) or given back. */
    async settlePending(_id: string, token: string, fate: 'KEEP' | 'RELEASE'): Promise<void> {
      const parsed = parsePending(token);
      if (!parsed) return;
      if (fate === 'KEEP') await Counted.updateOne({ _id, pending: token }, { $pull: { pending: token } });
      else await Counted.updateOne({ _id, orders: parsed.orderId }, { $inc: countOf(parsed.quantity, parsed.parts, -1), $pull: { orders: parsed.orderId, pending: token } });
    },

    /** After the sweep settled what it could: out of its sight when nothing is pending, else looked at again soon. */
    async doneChecking(_id: string, now: Date): Promise<void> {
      // Unset, not null: `$min` leaves a null as it is (null sorts before every date).
      const cleared = await Counted.updateOne({ _id, pending: { $size: 0 } }, { $unset: { checkAt: 1 } });
      if (cleared.modifiedCount === 0) await Counted.updateOne({ _id, checkAt: { $lte: now } }, { $set: { checkAt: new Date(now.getTime() + RECHECK_MS) } });
    },
  };
}

export type CountedUnits = ReturnType<typeof countedUnits>;
