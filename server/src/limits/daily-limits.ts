import type { Connection, Types } from 'mongoose';
import type { Config } from '../config';
import { countedUnits } from './counted-units';
import { DailyDrawLimitReached, DailySpendLimitReached } from './limit-errors';

export interface DailyLine {
  boxId: Types.ObjectId;
  quantity: number;
}

const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** The shopper's calendar day in China (UTC+8, no daylight saving), e.g. "2026-12-01". */
export const shopperDayOf = (at: Date): string => new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);

const spendIdOf = (userId: Types.ObjectId, day: string) => `daily-spend:${day}:${userId.toHexString()}`;
const drawsIdOf = (userId: Types.ObjectId, boxId: Types.ObjectId, day: string) => `daily-draws:${day}:${boxId.toHexString()}:${userId.toHexString()}`;

/** One order's share of the daily caps: who, which day, how much, which boxes. */
export interface DailyTake {
  userId: Types.ObjectId;
  orderId: Types.ObjectId;
  day: string;
  totalFen: number;
  lines: readonly DailyLine[];
}

/**
 * Per shopper per day: a spend cap in fen over all orders and a draw cap per box, taken when an order is
 * placed with the same guarded counters as the purchase limit (so parallel orders cannot pass a cap between
 * them, and a repeat counts nothing), given back when an unpaid order closes. The day is the one the order
 * was placed on, stored on the order so the give-back finds the same counters after midnight.
 */
export function dailyLimits(db: Connection, config: Pick<Config, 'DAILY_SPEND_CAP_FEN' | 'DAILY_DRAW_CAP_PER_BOX'>) {
  const units = countedUnits(db, 'daily');

  async function giveBack({ userId, orderId, day, totalFen, lines }: DailyTake): Promise<void> {
    for (const line of lines) await units.giveBack(drawsIdOf(userId, line.boxId, day), orderId, line.quantity);
    await units.giveBack(spendIdOf(userId, day), orderId, totalFen);
  }

  return {
    giveBack,

    /** Takes both caps or neither: a refusal gives back what this call took before throwing. `checkAt`: see countedUnits. */
    async take(taking: DailyTake, checkAt: Date): Promise<void> {
      const { userId, orderId, day, totalFen, lines } = taking;
      if (!(await units.take(spendIdOf(userId, day), orderId, totalFen, config.DAILY_SPEND_CAP_FEN, checkAt))) {
        throw new DailySpendLimitReached(`at most ${config.DAILY_SPEND_CAP_FEN} fen per shopper per day`, { limit: config.DAILY_SPEND_CAP_FEN });
      }
      const taken: DailyLine[] = [];
      for (const line of lines) {
        if (!(await units.take(drawsIdOf(userId, line.boxId, day), orderId, line.quantity, config.DAILY_DRAW_CAP_PER_BOX, checkAt))) {
          await giveBack({ ...taking, lines: taken });
          throw new DailyDrawLimitReached(`at most ${config.DAILY_DRAW_CAP_PER_BOX} draws of box ${line.boxId.toHexString()} per shopper per day`, {
            limit: config.DAILY_DRAW_CAP_PER_BOX,
          });
        }
        taken.push(line);
      }
    },

    async used(userId: Types.ObjectId, boxId: Types.ObjectId, day: string): Promise<{ spentFen: number; draws: number }> {
      return { spentFen: await units.used(spendIdOf(userId, day)), draws: await units.used(drawsIdOf(userId, boxId, day)) };
    },

    /** For the sweep, which settles pending orders from their tokens. */
    counters: units,
  };
}

export type DailyLimits = ReturnType<typeof dailyLimits>;
