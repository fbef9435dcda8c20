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

/** A shopper's day: spend in `units`, draws per box in `parts` (limits/counted-units.ts). */
export const dailyIdOf = (userId: Types.ObjectId, day: string) => `daily:${day}:${userId.toHexString()}`;
const drawsOf = (lines: readonly DailyLine[]): Record<string, number> => {
  const draws: Record<string, number> = {};
  for (const line of lines) draws[line.boxId.toHexString()] = (draws[line.boxId.toHexString()] ?? 0) + line.quantity;
  return draws;
};

/** One order's share of the daily caps: who, which day, how much, which boxes. */
export interface DailyTake {
  userId: Types.ObjectId;
  orderId: Types.ObjectId;
  day: string;
  totalFen: number;
  lines: readonly DailyLine[];
}

/**
 * Per shopper per day: a spend cap in fen over all orders and a draw cap per box, both on one counter per
 * shopper and day, taken in one guarded write when an order is placed (so parallel orders cannot pass a cap
 * between them, a repeat counts nothing, and an order takes both caps or neither), given back in one write
 * when an unpaid order closes. The day is the one the order was placed on, stored on the order so the
 * give-back finds the same counter after midnight.
 */
export function dailyLimits(db: Connection, config: Pick<Config, 'DAILY_SPEND_CAP_FEN' | 'DAILY_DRAW_CAP_PER_BOX'>) {
  const units = countedUnits(db, 'daily');
  const overDraws = (boxId: string) =>
    new DailyDrawLimitReached(`at most ${config.DAILY_DRAW_CAP_PER_BOX} draws of box ${boxId} per shopper per day`, { limit: config.DAILY_DRAW_CAP_PER_BOX });
  const overSpend = () => new DailySpendLimitReached(`at most ${config.DAILY_SPEND_CAP_FEN} fen per shopper per day`, { limit: config.DAILY_SPEND_CAP_FEN });

  return {
    giveBack: ({ userId, orderId, day, totalFen, lines }: DailyTake) => units.giveBack(dailyIdOf(userId, day), orderId, totalFen, drawsOf(lines)),

    /** Takes both caps or neither; a refusal says which cap, read after the refused write. `checkAt`: see countedUnits. */
    async take({ userId, orderId, day, totalFen, lines }: DailyTake, checkAt: Date): Promise<void> {
      const id = dailyIdOf(userId, day);
      const draws = drawsOf(lines);
      // A refusal is read to say which cap; one that no cap explains (given back meanwhile) is tried again.
      for (let attempt = 1; ; attempt += 1) {
        if (await units.take(id, orderId, totalFen, config.DAILY_SPEND_CAP_FEN, checkAt, { units: draws, limit: config.DAILY_DRAW_CAP_PER_BOX })) return;
        const counter = await units.read(id);
        // Counted already (a repeat): nothing more to take.
        if (counter?.orders.includes(orderId.toHexString())) return;
        if ((counter?.units ?? 0) + totalFen > config.DAILY_SPEND_CAP_FEN) throw overSpend();
        const over = Object.entries(draws).find(([boxId, quantity]) => (counter?.parts?.[boxId] ?? 0) + quantity > config.DAILY_DRAW_CAP_PER_BOX);
        if (over) throw overDraws(over[0]);
        if (attempt === 3) throw new Error(`daily caps of ${id}: refused three times with both caps unreached`);
      }
    },

    async used(userId: Types.ObjectId, boxId: Types.ObjectId, day: string): Promise<{ spentFen: number; draws: number }> {
      const counter = await units.read(dailyIdOf(userId, day));
      return { spentFen: counter?.units ?? 0, draws: counter?.parts?.[boxId.toHexString()] ?? 0 };
    },

    /** For the sweep, which settles pending orders from their tokens. */
    counters: units,
  };
}

export type DailyLimits = ReturnType<typeof dailyLimits>;
