import type { Connection, Types } from 'mongoose';
import { stockDatabase } from '../db/databases';
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { positionHoldModel, type PositionHoldDoc } from './position-hold.model';

export interface PositionLine {
  setId: Types.ObjectId;
  boxId: Types.ObjectId;
  positions: readonly number[];
}

export const positionHoldIdOf = (setId: Types.ObjectId, position: number) => `${setId.toHexString()}:${position}`;

/**
 * The position ledger: one document per position ever held (see position-hold.model.ts). Every change is
 * one guarded single-document write, so each runs again harmlessly after a crash:
 * - take: insert HELD (the first order wins the `_id`), or RELEASED → HELD for a position given back;
 * - release: HELD → RELEASED guarded on the holding order, so it happens once, and a stale release never
 *   frees a position a later order has taken;
 * - keep (paid): HELD → SOLD with the design delivered, guarded on the order.
 * There is no counter to keep in step, so a hold needs no token: what is free is what no document holds.
 */
export function positionHolds(main: Connection) {
  const Hold = positionHoldModel(stockDatabase(main));

  async function takeOne(orderId: Types.ObjectId, line: PositionLine, position: number, expiresAt: Date): Promise<boolean> {
    const _id = positionHoldIdOf(line.setId, position);
    const held = { orderId, state: 'HELD' as const, expiresAt, updatedAt: new Date(), productId: null };
    try {
      await Hold.create({ _id, setId: line.setId, boxId: line.boxId, position, ...held });
      return true;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const again = await Hold.updateOne({ _id, state: 'RELEASED' }, { $set: held });
    return again.modifiedCount === 1;
  }

  async function release(orderId: Types.ObjectId, lines: readonly PositionLine[]): Promise<number> {
    let released = 0;
    for (const line of lines) {
      for (const position of line.positions) {
        const result = await Hold.updateOne({ _id: positionHoldIdOf(line.setId, position), orderId, state: 'HELD' }, { $set: { state: 'RELEASED', updatedAt: new Date() } });
        released += result.modifiedCount;
      }
    }
    return released;
  }

  return {
    /**
     * All or nothing, positions in ascending order (two orders racing for overlapping positions meet at the
     * lowest shared one, so one of them gets all): returns the first position that is taken, after giving
     * back the ones this order took.
     */
    async take(orderId: Types.ObjectId, line: PositionLine, expiresAt: Date): Promise<number | null> {
      const taken: number[] = [];
      for (const position of [...line.positions].sort((a, b) => a - b)) {
        if (!(await takeOne(orderId, line, position, expiresAt))) {
          await release(orderId, [{ ...line, positions: taken }]);
          return position;
        }
        taken.push(position);
      }
      return null;
    },

    /** Returns how many positions this call gave back: each is given back once, whoever else calls. */
    release,

    /** The order is paid: each position becomes the record of its sale, with the design it delivered. */
    async keep(orderId: Types.ObjectId, line: PositionLine, designAt: (position: number) => string): Promise<void> {
      for (const position of line.positions) {
        await Hold.updateOne(
          { _id: positionHoldIdOf(line.setId, position), orderId, state: 'HELD' },
          { $set: { state: 'SOLD', productId: designAt(position), updatedAt: new Date() } },
        );
      }
    },

    /** Every held or sold position of the given sets (released ones are free again). */
    async taken(setIds: readonly Types.ObjectId[]): Promise<PositionHoldDoc[]> {
      if (setIds.length === 0) return [];
      return Hold.find({ setId: { $in: setIds }, state: { $in: ['HELD', 'SOLD'] } }).lean<PositionHoldDoc[]>();
    },

    /** Which of these positions are held or sold now (one read by `_id`). */
    async takenAmong(setId: Types.ObjectId, positions: readonly number[]): Promise<number[]> {
      const taken = await Hold.find({ _id: { $in: positions.map((position) => positionHoldIdOf(setId, position)) }, state: { $in: ['HELD', 'SOLD'] } }).select({ position: 1 }).lean();
      return taken.map((hold) => hold.position);
    },

    async soldCount(setId: Types.ObjectId): Promise<number> {
      return Hold.countDocuments({ setId, state: 'SOLD' });
    },

    /** Positions still HELD although their order may have stopped being payable: their order decides (orders/order-holds.ts). */
    async expired(now: Date, limit: number): Promise<PositionHoldDoc[]> {
      return Hold.find({ state: 'HELD', expiresAt: { $lte: now } }).sort({ expiresAt: 1 }).limit(limit).lean<PositionHoldDoc[]>();
    },
  };
}

export type PositionHolds = ReturnType<typeof positionHolds>;
