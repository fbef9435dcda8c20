import type { Connection, Types } from 'mongoose';
import { boxModel } from './box.model';

export interface StockLine {
  boxId: Types.ObjectId;
  quantity: number;
}

const holdOf = (orderId: Types.ObjectId, quantity: number) => `${orderId.toHexString()}:${quantity}`;

/**
 * Stock moves in single-document atomic updates on the box, each guarded so it can run any number of
 * times: reserving takes units only while enough remain (never negative, never oversold) and records a
 * hold for the order; releasing gives units back only while that hold exists; keeping (after payment)
 * drops the hold without giving units back. A crash between steps is healed by running the step again.
 */
export function stockLedger(connection: Connection) {
  const Box = boxModel(connection);

  async function reserveOne(orderId: Types.ObjectId, line: StockLine): Promise<boolean> {
    const hold = holdOf(orderId, line.quantity);
    const result = await Box.updateOne(
      { _id: line.boxId, active: true, stock: { $gte: line.quantity }, holds: { $ne: hold } },
      { $inc: { stock: -line.quantity }, $push: { holds: hold } },
    );
    return result.modifiedCount === 1;
  }

  async function releaseOne(orderId: Types.ObjectId, line: StockLine): Promise<void> {
    const hold = holdOf(orderId, line.quantity);
    await Box.updateOne({ _id: line.boxId, holds: hold }, { $inc: { stock: line.quantity }, $pull: { holds: hold } });
  }

  return {
    /** All or nothing: returns the first box that lacks stock after giving back what was already taken. */
    async reserve(orderId: Types.ObjectId, lines: readonly StockLine[]): Promise<Types.ObjectId | null> {
      const reserved: StockLine[] = [];
      for (const line of lines) {
        if (!(await reserveOne(orderId, line))) {
          for (const done of reserved) await releaseOne(orderId, done);
          return line.boxId;
        }
        reserved.push(line);
      }
      return null;
    },

    async release(orderId: Types.ObjectId, lines: readonly StockLine[]): Promise<void> {
      for (const line of lines) await releaseOne(orderId, line);
    },

    /** The units are sold: forget the holds, keep the stock taken. */
    async keep(orderId: Types.ObjectId, lines: readonly StockLine[]): Promise<void> {
      for (const line of lines) {
        const hold = holdOf(orderId, line.quantity);
        await Box.updateOne({ _id: line.boxId, holds: hold }, { $pull: { holds: hold } });
      }
    },
  };
}

export type StockLedger = ReturnType<typeof stockLedger>;
