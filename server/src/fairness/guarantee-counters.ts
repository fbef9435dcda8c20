import { randomBytes } from 'node:crypto';
import type { Connection, Types } from 'mongoose';
import { countsDatabase } from '../db/databases';
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { guaranteeCounterModel, type GuaranteeCounterDoc } from './fairness.model';

export interface CounterKey {
  userId: Types.ObjectId;
  boxId: Types.ObjectId;
}

export type ClaimResult =
  /** `nonce`: the line's sequence number (never given twice); `tag`: the shopper's name in the box's public log. */
  | { kind: 'CLAIMED'; missesBefore: number; nonce: number; tag: string }
  /** Another order of the same shopper and box holds the counter (since `at`): its draws must land (or be given up) first. */
  | { kind: 'BUSY'; orderId: string; at: Date }
  /** This order's draws are already counted: the caller read a stale order and must re-read it. */
  | { kind: 'COUNTED' };

const counterIdOf = ({ userId, boxId }: CounterKey) => `${userId.toHexString()}:${boxId.toHexString()}`;

/** The shopper's anonymous name in one box's public draw log: random, unlinkable to the account. */
export const newShopperTag = () => randomBytes(8).toString('hex');

/** What a claim held by `order` gives: nothing on the counter moves while it is held (see below). */
const claimedOn = (counter: Pick<GuaranteeCounterDoc, 'misses' | 'nonces' | 'tag'>): ClaimResult => ({ kind: 'CLAIMED', missesBefore: counter.misses, nonce: counter.nonces, tag: counter.tag });

/**
 * The draw counter (guarantee and sequence numbers) of one shopper and box, moved in three guarded steps around the order's own
 * paid-and-drawn write (there are no multi-document transactions):
 *
 * 1. claim: the order takes the counter's single pending slot and the line's sequence number, in one write
 *    guarded on the slot being free and the order not counted yet (an upsert for the shopper's first line of
 *    the box). Only one order per shopper and box can hold it, so two orders paid in the same second are
 *    drawn one after the other, never both against the same state.
 * 2. the order is marked paid with its draws (orders/order-transitions.ts); only one applier wins.
 * 3. finish: guarded on the claim still being this order's, `misses` becomes what the order's stored draws
 *    leave and the order joins `counted`, once. A claim whose order never got draws (it was closed first) is
 *    given back instead. Either step is re-run by any later applier, or by the next order that finds the
 *    slot taken, so a crash between the steps heals without skipping or double-counting.
 *
 * While a claim is held nothing else moves on the counter: `misses` changes only in finish and `nonces` only in
 * a claim, and both need the slot. So the claim's `missesBefore` is the counter's `misses` and its sequence
 * number (`nonce`, the HMAC message's, docs/fairness.md) is the counter's `nonces`, for as long as it is held:
 * every applier of the same order (a duplicate callback, reconciliation) that finds the claim reads the same
 * two numbers and computes the same draws. A claim given up leaves its number unused (a gap), never reused: its
 * draws may have been computed (not stored) by an applier that lost.
 *
 * `counted` is what makes a late, stale applier harmless: it cannot claim again for an order already counted.
 * The counters live with the shoppers' other counters (db/databases.ts, countsDatabase), in a database whose writes
 * queue neither behind the shop's nor behind a drop's stock: the claim is held across the order's write, so every
 * write saved in it shortens what a second order waits, and the callback that takes it must not wait for the drop.
 */
export function guaranteeCounters(db: Connection) {
  const Counter = guaranteeCounterModel(countsDatabase(db));

  /**
   * Step 1 in one write when the slot is free. Refused (MongoDB and the engine raise a duplicate key when an
   * upsert's guard fails on an existing `_id`) when the counter is held, or already counts this order: one read
   * then says which, or finds the slot freed in between and tries again. A new counter has no `counted` until
   * its first finish (`$push` makes it): the engine leaves out an empty array inserted by an upsert whose
   * filter names the field, so none is written.
   */
  async function take(_id: string, order: string, now: Date): Promise<GuaranteeCounterDoc | null> {
    try {
      return await Counter.findOneAndUpdate(
        { _id, pending: null, counted: { $ne: order } },
        { $set: { pending: { orderId: order, at: now } }, $inc: { nonces: 1 }, $setOnInsert: { misses: 0, draws: 0, tag: newShopperTag() } },
        { upsert: true, returnDocument: 'after' },
      ).lean<GuaranteeCounterDoc>();
    } catch (error) {
      if (isDuplicateKeyError(error)) return null;
      throw error;
    }
  }

  return {
    async claim(key: CounterKey, orderId: Types.ObjectId, now = new Date()): Promise<ClaimResult> {
      const _id = counterIdOf(key);
      const order = orderId.toHexString();
      for (;;) {
        const taken = await take(_id, order, now);
        if (taken) return claimedOn(taken);
        const counter = await Counter.findById(_id).lean<GuaranteeCounterDoc>();
        if (!counter) continue;
        if (counter.counted?.includes(order)) return { kind: 'COUNTED' };
        if (counter.pending?.orderId === order) return claimedOn(counter);
        if (counter.pending) return { kind: 'BUSY', orderId: counter.pending.orderId, at: counter.pending.at };
      }
    },

    /** Step 3 for an order whose draws are stored: `units` draws leaving `missesAfter`. Idempotent. */
    async finish(key: CounterKey, orderId: Types.ObjectId, units: number, missesAfter: number): Promise<void> {
      const order = orderId.toHexString();
      await Counter.updateOne(
        { _id: counterIdOf(key), 'pending.orderId': order, counted: { $ne: order } },
        { $set: { misses: missesAfter, pending: null }, $inc: { draws: units }, $push: { counted: order } },
      );
    },

    /** Step 3 for an order that will never be drawn (closed, refunded unpaid). Idempotent. */
    async giveUp(key: CounterKey, orderId: Types.ObjectId): Promise<void> {
      await Counter.updateOne({ _id: counterIdOf(key), 'pending.orderId': orderId.toHexString() }, { $set: { pending: null } });
    },

    state: (key: CounterKey) => Counter.findById(counterIdOf(key)).lean<GuaranteeCounterDoc>(),
  };
}

export type GuaranteeCounters = ReturnType<typeof guaranteeCounters>;
