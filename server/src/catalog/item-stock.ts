import type { Connection, Types } from 'mongoose';
import { stockDatabase } from '../db/databases';
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { holdIdOf } from './stock';
import { itemTakeModel, stockModel, type ItemTakeDoc, type StockDoc, type TakenUnit } from './stock.model';

export type ItemCounts = Record<string, number>;

/** Draws a line's units against item counts (deterministic: same counts, same units). */
export type ChooseUnits = (counts: Readonly<ItemCounts>) => TakenUnit[];

/** A line is drawn again at most this often when items run out under it; every attempt's token is guarded against. */
const MAX_ATTEMPTS = 16;
const takeToken = (takeId: string, attempt: number) => `${takeId}#${attempt}`;
const backToken = (takeId: string) => `${takeId}#back`;
const allTakeTokens = (takeId: string) => Array.from({ length: MAX_ATTEMPTS }, (_, attempt) => takeToken(takeId, attempt));

function tally(units: readonly TakenUnit[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const unit of units) counts.set(unit.productId, (counts.get(unit.productId) ?? 0) + 1);
  return counts;
}

const field = (productId: string) => `items.${productId}`;
const covers = (items: Readonly<ItemCounts>, units: readonly TakenUnit[]) => [...tally(units)].every(([productId, n]) => (items[productId] ?? 0) >= n);
const incOf = (units: readonly TakenUnit[], sign: 1 | -1) => Object.fromEntries([...tally(units)].map(([productId, n]) => [field(productId), sign * n]));

/**
 * Per-item stock: how many of each item a box still holds, on the box's stock counter (one document, so
 * an item's count and the box's `available` change together), and the takes of paid order lines.
 *
 * A paid line's units are taken out of its items in a guarded, idempotent step before the paid-and-drawn
 * write (fairness/order-draws.ts):
 * 1. the line's take record is created with a draw of its units against the counts read (`attempts[0]`);
 *    every applier of the order finds the same record, so they all try to take the same units;
 * 2. one guarded `$inc` takes them (`items.<id> ≥ n`, so an item never goes below 0) and pushes the attempt's
 *    token; the filter refuses it while any token of the line is present, so the line is taken once however
 *    many appliers retry;
 * 3. when items ran out under an attempt (another order took them), the units are drawn again against what is
 *    left (`attempts[k+1]`, guarded on the number of attempts) and step 2 runs again;
 * 4. the record is marked TAKEN with the attempt whose token is on the counter.
 * A line whose order ended up not drawn (it was closed while being paid) is given back the same way (token
 * `#back`). The tokens are removed by the healing sweep once their record is final and STUCK_STEP_MS old.
 */
export function itemStock(main: Connection) {
  const db = stockDatabase(main);
  const Stock = stockModel(db);
  const Take = itemTakeModel(db);

  const stockOf = (boxId: Types.ObjectId) => Stock.findById(boxId).select({ items: 1, drawing: 1 }).lean<Pick<StockDoc, '_id' | 'items' | 'drawing'>>();
  const takenAttemptIn = (drawing: readonly string[] | undefined, takeId: string) => {
    const token = (drawing ?? []).find((candidate) => candidate.startsWith(`${takeId}#`) && candidate !== backToken(takeId));
    return token === undefined ? null : Number(token.slice(takeId.length + 1));
  };
  const markTaken = (takeId: string, attempt: number) =>
    Take.updateOne({ _id: takeId, state: 'CHOSEN' }, { $set: { state: 'TAKEN', takenAttempt: attempt, updatedAt: new Date() } });

  /** TAKEN → RETURNING → units back (once: the `#back` token) → RETURNED; each step may be run again. */
  async function sendBack(takeId: string, boxId: Types.ObjectId): Promise<void> {
    const take = await Take.findOneAndUpdate(
      { _id: takeId, state: { $in: ['TAKEN', 'RETURNING'] } },
      { $set: { state: 'RETURNING', updatedAt: new Date() } },
      { returnDocument: 'after' },
    ).lean<ItemTakeDoc>();
    if (!take || take.takenAttempt === null) return;
    await Stock.updateOne(
      { _id: boxId, drawing: { $ne: backToken(takeId) } },
      { $inc: incOf(take.attempts[take.takenAttempt]?.units ?? [], 1), $push: { drawing: backToken(takeId) }, $min: { tokensAt: new Date() } },
    );
    await Take.updateOne({ _id: takeId, state: 'RETURNING' }, { $set: { state: 'RETURNED', updatedAt: new Date() } });
  }

  return {
    /** A box's item counts, or null when it keeps none. */
    async counts(boxId: Types.ObjectId): Promise<ItemCounts | null> {
      return (await stockOf(boxId))?.items ?? null;
    },

    /**
     * Takes the units of one order line out of the box's items and returns them; null when the box keeps no
     * item counts (the line draws from every product, as before per-item stock). Safe to repeat and to run
     * concurrently for the same line: it is taken once, and every caller gets the units that were.
     */
    async take(orderId: Types.ObjectId, boxId: Types.ObjectId, choose: ChooseUnits): Promise<TakenUnit[] | null> {
      const takeId = holdIdOf(orderId, boxId);
      for (;;) {
        const take = await Take.findById(takeId).lean<ItemTakeDoc>();
        // Given back (or being): the order was closed, so its paid-and-drawn write cannot win whatever is returned.
        if (take && take.state !== 'CHOSEN') return take.takenAttempt === null ? [] : (take.attempts[take.takenAttempt]?.units ?? []);
        const stock = await stockOf(boxId);
        if (!stock?.items) return null;
        const taken = takenAttemptIn(stock.drawing, takeId);
        if (taken !== null) {
          // Another applier's take landed: its attempt is on the record (created before its token was pushed).
          await markTaken(takeId, taken);
          const recorded = take && take.attempts.length > taken ? take : await Take.findById(takeId).lean<ItemTakeDoc>();
          return recorded?.attempts[taken]?.units ?? [];
        }
        if (!take) {
          try {
            await Take.create({ _id: takeId, boxId, orderId, attempts: [{ units: choose(stock.items) }], takenAttempt: null, state: 'CHOSEN', updatedAt: new Date() });
          } catch (error) {
            if (!isDuplicateKeyError(error)) throw error;
          }
          continue;
        }
        const attempt = take.attempts.length - 1;
        const units = take.attempts[attempt]?.units ?? [];
        if (!covers(stock.items, units)) {
          if (attempt + 1 >= MAX_ATTEMPTS) throw new Error(`order line ${takeId} could not be drawn: items keep running out under it`);
          await Take.updateOne(
            { _id: takeId, state: 'CHOSEN', attempts: { $size: attempt + 1 } },
            { $push: { attempts: { units: choose(stock.items) } }, $set: { updatedAt: new Date() } },
          );
          continue;
        }
        const enough = Object.fromEntries([...tally(units)].map(([productId, n]) => [field(productId), { $gte: n }]));
        const took = await Stock.updateOne(
          { _id: boxId, drawing: { $nin: allTakeTokens(takeId) }, ...enough },
          { $inc: incOf(units, -1), $push: { drawing: takeToken(takeId, attempt) }, $min: { tokensAt: new Date() } },
        );
        if (took.modifiedCount === 1) {
          if ((await markTaken(takeId, attempt)).modifiedCount === 0) {
            // The line was given back while this take was landing: what it took goes back too.
            const now = await Take.findById(takeId).lean<ItemTakeDoc>();
            if (now && now.state !== 'TAKEN') {
              await Take.updateOne({ _id: takeId, state: { $ne: 'TAKEN' } }, { $set: { state: 'RETURNING', takenAttempt: attempt, updatedAt: new Date() } });
              await sendBack(takeId, boxId);
            }
          }
          return units;
        }
      }
    },

    /**
     * The line's order was not drawn after all (closed while it was being paid): its items go back, once.
     * Only a line whose take reached the counter has anything to give back.
     */
    async giveBack(orderId: Types.ObjectId, boxId: Types.ObjectId): Promise<void> {
      const takeId = holdIdOf(orderId, boxId);
      const take = await Take.findById(takeId).lean<ItemTakeDoc>();
      if (!take || take.state === 'RETURNED') return;
      if (take.state === 'CHOSEN') {
        const taken = takenAttemptIn((await stockOf(boxId))?.drawing, takeId);
        // Nothing reached the counter: the line is closed (a take landing after this gives its units back itself).
        if (taken === null) await Take.updateOne({ _id: takeId, state: 'CHOSEN' }, { $set: { state: 'RETURNED', updatedAt: new Date() } });
        else await markTaken(takeId, taken);
      }
      await sendBack(takeId, boxId);
    },

    /** Units of each item given to paid draws (taken and not given back). */
    async drawnPerItem(boxId: Types.ObjectId): Promise<Map<string, number>> {
      const takes = await Take.find({ boxId, state: 'TAKEN' }).select({ attempts: 1, takenAttempt: 1 }).lean<ItemTakeDoc[]>();
      const drawn = new Map<string, number>();
      for (const take of takes) {
        for (const [productId, n] of tally(take.attempts[take.takenAttempt ?? -1]?.units ?? [])) drawn.set(productId, (drawn.get(productId) ?? 0) + n);
      }
      return drawn;
    },

    /**
     * Removes the tokens whose take record is final and older than `cutoff` (no applier of that order can
     * still be between its read and its write), and finishes a take whose token landed but whose record was
     * not marked (a crash between the two).
     */
    async healTokens(stock: Pick<StockDoc, '_id' | 'drawing'>, cutoff: Date): Promise<void> {
      for (const token of stock.drawing ?? []) {
        const takeId = token.slice(0, token.lastIndexOf('#'));
        const back = token === backToken(takeId);
        const take = await Take.findById(takeId).select({ state: 1, updatedAt: 1 }).lean<Pick<ItemTakeDoc, '_id' | 'state' | 'updatedAt'>>();
        if (take?.state === 'CHOSEN' && !back) await markTaken(takeId, Number(token.slice(takeId.length + 1)));
        else if (take?.state === 'RETURNING' && back) await Take.updateOne({ _id: takeId, state: 'RETURNING' }, { $set: { state: 'RETURNED', updatedAt: new Date() } });
        else if (!take || (take.state !== 'CHOSEN' && take.updatedAt <= cutoff)) await Stock.updateOne({ _id: stock._id }, { $pull: { drawing: token } });
      }
    },
  };
}

export type ItemStock = ReturnType<typeof itemStock>;
