import type { Connection } from 'mongoose';
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { limitsDatabase } from '../db/databases';
import { shopperDayOf } from '../limits/daily-limits';
import { SmsSendLimited, SmsTooSoon, SmsUnavailable } from './sms-errors';

/** What the issue asks of every number: one code a minute, five an hour, ten a (Beijing) day. */
export const SMS_GAP_SECONDS = 60;
export const SMS_PER_PHONE_PER_HOUR = 5;
export const SMS_PER_PHONE_PER_DAY = 10;

export interface SmsSendLimitSettings {
  perAddressPerHour: number;
  perAddressPerDay: number;
  /** The whole shop's SMS spend per Beijing day, and what one message costs (fen). */
  dailyBudgetFen: number;
  priceFen: number;
}

interface CounterDoc {
  _id: string;
  /** Messages (or fen, for the budget) taken in the window the id names. */
  count?: number;
  /** The per-number gap: no code before this. */
  until?: Date;
  /** Housekeeping: a window past this is deleted (no TTL index on FerretDB v1). */
  expiresAt: Date;
}

/** What was taken for one send, to be given back when the provider certainly did not send it. */
export interface SmsSendTake {
  counters: { id: string; amount: number }[];
  gap: { id: string; until: Date } | null;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The send limits, counted in the database so every server process spends one budget. Each counter is a guarded
 * `$inc` that only matches below its limit (an upsert the first time, when a losing concurrent insert retries as
 * a plain guarded update), so 50 parallel requests never take more than the limit. Counters are taken one by one,
 * cheapest refusal first, and the ones already taken are given back when a later one refuses.
 */
export function smsSendLimits(db: Connection, settings: SmsSendLimitSettings) {
  const counters = limitsDatabase(db).collection<CounterDoc>('smsSendCounters');
  let purgedAt = 0;

  async function housekeeping(now: Date) {
    if (now.getTime() - purgedAt < 60_000) return;
    purgedAt = now.getTime();
    await counters.createIndex({ expiresAt: 1 });
    await counters.deleteMany({ expiresAt: { $lte: now } });
  }

  /** Adds `amount` unless that passes `max`; true when taken. */
  async function take(_id: string, amount: number, max: number, expiresAt: Date): Promise<boolean> {
    if (amount > max) return false;
    const filter = { _id, count: { $lte: max - amount } };
    try {
      return (await counters.findOneAndUpdate(filter, { $inc: { count: amount }, $setOnInsert: { expiresAt } }, { upsert: true, returnDocument: 'after' })) !== null;
    } catch (error) {
      // The window exists (full, or another request inserted it first): count in it if there is room.
      if (!isDuplicateKeyError(error)) throw error;
      return (await counters.updateOne(filter, { $inc: { count: amount } })).modifiedCount === 1;
    }
  }

  /** The per-number minute: taken when the previous gap is over; null when it is not (with the seconds left). */
  async function takeGap(_id: string, now: Date): Promise<{ until: Date } | { waitSeconds: number }> {
    const until = new Date(now.getTime() + SMS_GAP_SECONDS * 1000);
    const filter = { _id, until: { $lte: now } };
    const update = { $set: { until, expiresAt: until } };
    try {
      if (await counters.findOneAndUpdate(filter, update, { upsert: true, returnDocument: 'after' })) return { until };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      if ((await counters.updateOne(filter, update)).modifiedCount === 1) return { until };
    }
    const current = await counters.findOne({ _id });
    const waitMs = (current?.until?.getTime() ?? now.getTime()) - now.getTime();
    return { waitSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  async function giveBack(taken: SmsSendTake): Promise<void> {
    for (const { id, amount } of taken.counters) await counters.updateOne({ _id: id }, { $inc: { count: -amount } });
    // Only the gap this send set: a later send's must stand.
    if (taken.gap) await counters.updateOne({ _id: taken.gap.id, until: taken.gap.until }, { $set: { until: new Date(0) } });
  }

  return {
    /**
     * Takes one send for `phone` from `address`, or throws what refused it (nothing stays taken then). The
     * budget is asked last: a refused number or address never spends the shop's money.
     */
    async take(phone: string, address: string, now: Date): Promise<SmsSendTake> {
      await housekeeping(now);
      const gapId = `gap:${phone}`;
      const gap = await takeGap(gapId, now);
      if ('waitSeconds' in gap) throw new SmsTooSoon(`a code was sent to this number less than ${SMS_GAP_SECONDS}s ago`, { retryAfterSeconds: gap.waitSeconds });
      const taken: SmsSendTake = { counters: [], gap: { id: gapId, until: gap.until } };
      const hour = Math.floor(now.getTime() / HOUR_MS);
      const day = shopperDayOf(now);
      const hourEnds = new Date((hour + 1) * HOUR_MS);
      const dayEnds = new Date(now.getTime() + DAY_MS);
      const steps: { id: string; amount: number; max: number; expiresAt: Date; refusal: () => Error }[] = [
        { id: `phone-hour:${hour}:${phone}`, amount: 1, max: SMS_PER_PHONE_PER_HOUR, expiresAt: hourEnds, refusal: () => new SmsSendLimited('this number had its codes for this hour', { scope: 'PHONE_HOUR' }) },
        { id: `phone-day:${day}:${phone}`, amount: 1, max: SMS_PER_PHONE_PER_DAY, expiresAt: dayEnds, refusal: () => new SmsSendLimited('this number had its codes for today', { scope: 'PHONE_DAY' }) },
        { id: `address-hour:${hour}:${address}`, amount: 1, max: settings.perAddressPerHour, expiresAt: hourEnds, refusal: () => new SmsSendLimited('this address asked for too many codes this hour', { scope: 'ADDRESS_HOUR' }) },
        { id: `address-day:${day}:${address}`, amount: 1, max: settings.perAddressPerDay, expiresAt: dayEnds, refusal: () => new SmsSendLimited('this address asked for too many codes today', { scope: 'ADDRESS_DAY' }) },
        { id: `budget:${day}`, amount: settings.priceFen, max: settings.dailyBudgetFen, expiresAt: dayEnds, refusal: () => new SmsUnavailable('the shop’s SMS budget for today is spent', { scope: 'BUDGET' }) },
      ];
      for (const step of steps) {
        if (await take(step.id, step.amount, step.max, step.expiresAt)) {
          taken.counters.push({ id: step.id, amount: step.amount });
          continue;
        }
        await giveBack(taken);
        throw step.refusal();
      }
      return taken;
    },
    giveBack,
    /** Fen spent on SMS on this Beijing day (admin doctor, tests). */
    async spentFen(now: Date): Promise<number> {
      return (await counters.findOne({ _id: `budget:${shopperDayOf(now)}` }))?.count ?? 0;
    },
  };
}

export type SmsSendLimits = ReturnType<typeof smsSendLimits>;
