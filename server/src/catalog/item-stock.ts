import { randomBytes } from 'node:crypto';
import { Types, type Connection } from 'mongoose';
import { stockDatabase } from '../db/databases';
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { holdIdOf, itemTakeModel, stockModel, type ItemTakeDoc, type StockDoc, type TakenUnit } from './stock.model';

export type ItemCounts = Record<string, number>;

/** Draws a line's units against item counts (deterministic: same counts, same units). */
export type ChooseUnits = (counts: Readonly<ItemCounts>) => TakenUnit[];

/** A line is drawn again at most this often when items run out under it. */
const MAX_ATTEMPTS = 16;
const backLine = (takeId: string) => `${takeId}#back`;
const parseTakeToken = (token: string) => {
  const [takeId = '', attempt] = token.split('#');
  return { takeId, attempt: Number(attempt) };
};

function tally(units: readonly TakenUnit[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const unit of units) counts.set(unit.productId, (counts.get(unit.productId) ?? 0) + 1);
  return counts;
}

const field = (productId: string) => `items.${productId}`;
const covers = (items: Readonly<ItemCounts>, units: readonly TakenUnit[]) => [...tally(units)].every(([productId, n]) => (items[productId] ?? 0) >= n);
const incOf = (units: readonly TakenUnit[], sign: 1 | -1) => Object.fromEntries([...tally(units)].map(([productId, n]) => [field(productId), sign * n]));
const unitsOf = (take: Pick<ItemTakeDoc, 'attempts'>, attempt: number | null) => (attempt === null ? [] : (take.attempts[attempt]?.units ?? []));

/**
 * Per-item stock: how many of each item a box still holds, on the box's stock counter (one document, so an
 * item's count and the box's `available` change together), and the takes of paid order lines.
 *
 * A paid line's units are taken out of its items in guarded, idempotent steps before the paid-and-drawn
 * write (fairness/order-draws.ts):
 * 1. the line's take record is created with a draw of its units against the counts read (`attempts[0]`);
 *    every applier of the order finds the same record, so they all try to take the same units;
 * 2. one guarded `$inc` takes them (`items.<id> ≥ n`: an item never goes below 0), refused while the line is in
 *    `drawingLines`, and leaves the line there with a token naming this take;
 * 3. when items ran out under an attempt (another order took them), the units are drawn again against what is
 *    left (`attempts[k+1]`, guarded on the number of attempts) and step 2 runs again;
 * 4. once the order is settled, the record is marked TAKEN with the token that landed and the line leaves the
 *    counter (an applier finding the token, or the healing sweep, marks it too).
 * An applier that read the record before step 4 and takes again after the line left the counter finds the
 * record TAKEN by another token: it gives its own units back, guarded on its token. A line whose order ended
 * up not drawn (closed while being paid) is given back once (line `#back`). The healing sweep finishes what
 * a crash cut short, from the tokens left on the counter (stock.ts heal).
 */
export function itemStock(main: Connection) {
  const db = stockDatabase(main);
  const Stock = stockModel(db);
  const Take = itemTakeModel(db);

  const stockOf = (boxId: Types.ObjectId) =>
    Stock.findById(boxId).select({ items: 1, drawing: 1, drawingLines: 1 }).lean<Pick<StockDoc, '_id' | 'items' | 'drawing' | 'drawingLines'>>();
  const tokenOn = (stock: Pick<StockDoc, 'drawing'> | null, takeId: string) => (stock?.drawing ?? []).find((token) => token.startsWith(`${takeId}#`)) ?? null;
  const markTaken = (takeId: string, token: string) =>
    Take.updateOne({ _id: takeId, state: 'CHOSEN' }, { $set: { state: 'TAKEN', takenAttempt: parseTakeToken(token).attempt, takenToken: token, updatedAt: new Date() } });

  /** Gives back what one token took, once (guarded on the token still being there). */
  const undoToken = (boxId: Types.ObjectId, takeId: string, token: string, units: readonly TakenUnit[]) =>
    Stock.updateOne({ _id: boxId, drawing: token }, { $inc: incOf(units, 1), $pull: { drawing: token, drawingLines: takeId } });

  /** TAKEN → RETURNING → units back (once: the `#back` line) → RETURNED; each step may be run again. */
  async function sendBack(takeId: string, boxId: Types.ObjectId): Promise<void> {
    const take = await Take.findOneAndUpdate(
      { _id: takeId, state: { $in: ['TAKEN', 'RETURNING'] } },
      { $set: { state: 'RETURNING', updatedAt: new Date() } },
      { returnDocument: 'after' },
    ).lean<ItemTakeDoc>();
    if (!take || take.takenAttempt === null) return;
    await Stock.updateOne(
      { _id: boxId, drawingLines: { $ne: backLine(takeId) } },
      { $inc: incOf(unitsOf(take, take.takenAttempt), 1), $push: { drawingLines: backLine(takeId) }, $min: { tokensAt: new Date() } },
    );
    await Take.updateOne({ _id: takeId, state: 'RETURNING' }, { $set: { state: 'RETURNED', updatedAt: new Date() } });
  }

  /**
   * After landing a take: the record is marked TAKEN later (by settling, by any applier finding the token, or
   * the healing sweep), so the draw holds its guarantee claim for as few writes as possible. A record already
   * naming another take, or given back, means this applier read it before that and took again once the line
   * had left the counter: it gives its own units back (once, guarded on its token).
   */
  async function afterLanding(takeId: string, boxId: Types.ObjectId, token: string, units: TakenUnit[]): Promise<TakenUnit[]> {
    const now = await Take.findById(takeId).lean<ItemTakeDoc>();
    if (!now || now.state === 'CHOSEN' || now.takenToken === token) return units;
    await undoToken(boxId, takeId, token, units);
    return unitsOf(now, now.takenAttempt);
  }

  /** Marks the record of a take that landed (its token is on the counter); returns the record as marked. */
  async function recordLanded(takeId: string, token: string): Promise<ItemTakeDoc | null> {
    await markTaken(takeId, token);
    return Take.findById(takeId).lean<ItemTakeDoc>();
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
        const stock = await stockOf(boxId);
        if (!stock?.items) return null;
        let take = await Take.findById(takeId).lean<ItemTakeDoc>();
        // Taken, or given back (the order was closed, so its paid-and-drawn write cannot win whatever is returned).
        if (take && take.state !== 'CHOSEN') return unitsOf(take, take.takenAttempt);
        const landed = tokenOn(stock, takeId);
        if (landed) {
          // A take of this line landed (its attempt is on the record, created before it).
          const recorded = await recordLanded(takeId, landed);
          return recorded ? unitsOf(recorded, recorded.takenAttempt) : [];
        }
        if (!take) {
          const created = { _id: takeId, boxId, orderId, attempts: [{ units: choose(stock.items) }], takenAttempt: null, takenToken: null, state: 'CHOSEN' as const, updatedAt: new Date() };
          try {
            await Take.create(created);
          } catch (error) {
            if (!isDuplicateKeyError(error)) throw error;
            continue;
          }
          take = created;
        }
        const attempt = take.attempts.length - 1;
        const units = unitsOf(take, attempt);
        if (!covers(stock.items, units)) {
          if (attempt + 1 >= MAX_ATTEMPTS) throw new Error(`order line ${takeId} could not be drawn: items keep running out under it`);
          await Take.updateOne(
            { _id: takeId, state: 'CHOSEN', attempts: { $size: attempt + 1 } },
            { $push: { attempts: { units: choose(stock.items) } }, $set: { updatedAt: new Date() } },
          );
          continue;
        }
        const token = `${takeId}#${attempt}#${randomBytes(6).toString('hex')}`;
        const enough = Object.fromEntries([...tally(units)].map(([productId, n]) => [field(productId), { $gte: n }]));
        const took = await Stock.updateOne(
          { _id: boxId, drawingLines: { $ne: takeId }, ...enough },
          { $inc: incOf(units, -1), $push: { drawingLines: takeId, drawing: token }, $min: { tokensAt: new Date() } },
        );
        if (took.modifiedCount === 1) return afterLanding(takeId, boxId, token, units);
      }
    },

    /** The line's order is paid and drawn: the line leaves the counter (its record says what was taken). */
    async settleTaken(orderId: Types.ObjectId, boxId: Types.ObjectId): Promise<void> {
      const takeId = holdIdOf(orderId, boxId);
      let take = await Take.findById(takeId).select({ state: 1, takenToken: 1 }).lean<Pick<ItemTakeDoc, '_id' | 'state' | 'takenToken'>>();
      if (take?.state === 'CHOSEN') {
        const landed = tokenOn(await stockOf(boxId), takeId);
        take = landed ? await recordLanded(takeId, landed) : take;
      }
      if (take?.state === 'TAKEN' && take.takenToken) await Stock.updateOne({ _id: boxId, drawing: take.takenToken }, { $pull: { drawing: take.takenToken, drawingLines: takeId } });
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
        const landed = tokenOn(await stockOf(boxId), takeId);
        // Nothing reached the counter: the line is closed (a take landing after this gives its units back itself).
        if (landed) await markTaken(takeId, landed);
        else await Take.updateOne({ _id: takeId, state: 'CHOSEN' }, { $set: { state: 'RETURNED', updatedAt: new Date() } });
      }
      const current = await Take.findById(takeId).select({ takenToken: 1 }).lean<Pick<ItemTakeDoc, '_id' | 'takenToken'>>();
      if (current?.takenToken) await Stock.updateOne({ _id: boxId, drawing: current.takenToken }, { $pull: { drawing: current.takenToken, drawingLines: takeId } });
      await sendBack(takeId, boxId);
    },

    /** Units of each item given to paid draws (taken and not given back). */
    async drawnPerItem(boxId: Types.ObjectId): Promise<Map<string, number>> {
      const takes = await Take.find({ boxId, state: 'TAKEN' }).select({ attempts: 1, takenAttempt: 1 }).lean<ItemTakeDoc[]>();
      const drawn = new Map<string, number>();
      for (const take of takes) {
        for (const [productId, n] of tally(unitsOf(take, take.takenAttempt))) drawn.set(productId, (drawn.get(productId) ?? 0) + n);
      }
      return drawn;
    },

    /**
     * Order lines whose take has been on a counter since before `cutoff` (index { tokensAt }): their order's fate
     * says whether they are settled or given back (orders/order-holds.ts), before `healTokens` tidies the rest.
     */
    async linesInFlight(cutoff: Date, limit: number): Promise<Array<{ orderId: Types.ObjectId; boxId: Types.ObjectId }>> {
      const stocks = await Stock.find({ tokensAt: { $lte: cutoff } }).select({ drawingLines: 1 }).limit(limit).lean<Array<Pick<StockDoc, '_id' | 'drawingLines'>>>();
      return stocks.flatMap((stock) =>
        (stock.drawingLines ?? [])
          .filter((line) => !line.endsWith('#back'))
          .map((line) => ({ orderId: new Types.ObjectId(line.split(':')[0]), boxId: stock._id })),
      );
    },

    /**
     * Finishes what a crash cut short, from what is left on the counter: a take that landed but was not
     * marked, a second take whose give-back did not run, a give-back not marked RETURNED; and removes the
     * lines of settled takes older than `cutoff` (settling removes them at once unless it was cut short).
     */
    async healTokens(stock: Pick<StockDoc, '_id' | 'drawing' | 'drawingLines'>, cutoff: Date): Promise<void> {
      for (const token of stock.drawing ?? []) {
        const { takeId } = parseTakeToken(token);
        const take = await Take.findById(takeId).lean<ItemTakeDoc>();
        if (take?.state === 'CHOSEN') await markTaken(takeId, token);
        else if (take && take.takenToken !== token) await undoToken(stock._id, takeId, token, unitsOf(take, parseTakeToken(token).attempt));
        else if (!take || take.updatedAt <= cutoff) await Stock.updateOne({ _id: stock._id, drawing: token }, { $pull: { drawing: token, drawingLines: takeId } });
      }
      for (const line of (stock.drawingLines ?? []).filter((candidate) => candidate.endsWith('#back'))) {
        const takeId = line.slice(0, -'#back'.length);
        const take = await Take.findById(takeId).select({ state: 1, updatedAt: 1 }).lean<Pick<ItemTakeDoc, '_id' | 'state' | 'updatedAt'>>();
        if (take?.state === 'RETURNING') await Take.updateOne({ _id: takeId, state: 'RETURNING' }, { $set: { state: 'RETURNED', updatedAt: new Date() } });
        else if (!take || take.updatedAt <= cutoff) await Stock.updateOne({ _id: stock._id }, { $pull: { drawingLines: line } });
      }
    },
  };
}

export type ItemStock = ReturnType<typeof itemStock>;
