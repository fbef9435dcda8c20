import { AsyncResource } from 'node:async_hooks';
import { Types, type Connection } from 'mongoose';
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { insertPlain } from '../db/plain-insert';
import { stockDatabase } from '../db/databases';
import { holdIdOf, holdModel, stockModel, type HoldDoc } from './stock.model';
import { itemStock, type ItemCounts } from './item-stock';

export interface StockLine {
  boxId: Types.ObjectId;
  quantity: number;
}

/** Longer than any reserve or release takes between its steps; past it, the healing sweep finishes them. */
export const STUCK_STEP_MS = 5 * 60 * 1000;

export { holdIdOf };
const tokenOf = (holdId: string, quantity: number) => `${holdId}:${quantity}`;

function parseToken(token: string): { holdId: string; orderId: Types.ObjectId; quantity: number } | null {
  const [orderId, boxId, quantity] = token.split(':');
  if (!orderId || !boxId || !Types.ObjectId.isValid(orderId) || !Number.isInteger(Number(quantity))) return null;
  return { holdId: `${orderId}:${boxId}`, orderId: new Types.ObjectId(orderId), quantity: Number(quantity) };
}

/**
 * The stock ledger: a small counter per box (`stocks`) and one document per held order line (`holds`), in
 * the stock database. There are no multi-document transactions, so every change that touches both is a
 * sequence of single-document steps whose order makes a crash harmless:
 * - reserve: take the units and leave a token in `reserving` (one guarded `$inc`: never negative, never
 *   oversold), then store the hold. The token has done its work once the hold is stored (the hold now says the
 *   units were taken): it is pulled after the order's answer, with the other tokens that settled meanwhile
 *   (pullLater). A token older than STUCK_STEP_MS without a hold means the order was never stored: the sweep
 *   first stores a RELEASED hold in its place, so a reservation that wakes up late can no longer store its own,
 *   then gives the units back in one write that also removes the token.
 * - release: HELD → RELEASING (only one caller wins), give the units back leaving a token in `releasing`,
 *   RELEASED, remove the token. A token present means the units went back, so finishing a stuck release
 *   never counts them twice.
 * - keep (the order is paid): HELD → SOLD, one write; the units were taken at reserve.
 * Sold units are the SOLD holds, so available + open holds + sold always adds up to what was stocked.
 */
export function stockLedger(main: Connection) {
  const db = stockDatabase(main);
  const Stock = stockModel(db);
  const Hold = holdModel(db);
  const items = itemStock(main);

  /** Tokens whose hold is stored, by box, waiting to be pulled. */
  const settled = new Map<string, { boxId: Types.ObjectId; tokens: string[] }>();
  let pulling = false;
  /**
   * Pulls the settled tokens, one write per box for all that settled while the previous one was written: a
   * drop's winners do not wait for it, and its hot counter is written once per batch. Started in the context the
   * ledger was built in, outside the request whose token came first (db/command-counts.ts). A failed pull is
   * heal()'s to finish: a token with its hold is pulled there.
   */
  const pullSettled = AsyncResource.bind(() => {
    if (pulling) return;
    pulling = true;
    setImmediate(async () => {
      while (settled.size > 0) {
        const batch = [...settled.values()];
        settled.clear();
        for (const { boxId, tokens } of batch) await Stock.updateOne({ _id: boxId }, { $pullAll: { reserving: tokens } }).catch(() => undefined);
      }
      pulling = false;
    });
  });
  function pullLater(boxId: Types.ObjectId, token: string): void {
    const key = boxId.toHexString();
    const box = settled.get(key) ?? { boxId, tokens: [] };
    box.tokens.push(token);
    settled.set(key, box);
    pullSettled();
  }

  async function reserveOne(orderId: Types.ObjectId, line: StockLine, expiresAt: Date): Promise<boolean> {
    const holdId = holdIdOf(orderId, line.boxId);
    const token = tokenOf(holdId, line.quantity);
    const taken = await Stock.updateOne(
      { _id: line.boxId, available: { $gte: line.quantity }, reserving: { $ne: token } },
      { $inc: { available: -line.quantity }, $push: { reserving: token }, $min: { tokensAt: new Date() } },
    );
    if (taken.modifiedCount !== 1) return false;
    try {
      // Refused (duplicate key) when the sweep judged this reservation abandoned and stored a RELEASED hold in its
      // place: it gives the units back, or already has (the give-back below is guarded on the token).
      await insertPlain(Hold, [{ _id: holdId, boxId: line.boxId, orderId, quantity: line.quantity, state: 'HELD', expiresAt, updatedAt: new Date() }]);
    } catch (error) {
      await Stock.updateOne({ _id: line.boxId, reserving: token }, { $inc: { available: line.quantity }, $pull: { reserving: token } });
      throw error;
    }
    pullLater(line.boxId, token);
    return true;
  }

  /** Units back, exactly once: the token in `releasing` records that they went back. */
  async function finishRelease(hold: Pick<HoldDoc, '_id' | 'boxId' | 'quantity'>): Promise<void> {
    const token = tokenOf(hold._id, hold.quantity);
    await Stock.updateOne(
      { _id: hold.boxId, releasing: { $ne: token } },
      { $inc: { available: hold.quantity }, $push: { releasing: token }, $min: { tokensAt: new Date() } },
    );
    await Hold.updateOne({ _id: hold._id, state: 'RELEASING' }, { $set: { state: 'RELEASED', updatedAt: new Date() } });
    await Stock.updateOne({ _id: hold.boxId }, { $pull: { releasing: token } });
  }

  async function releaseOne(orderId: Types.ObjectId, line: StockLine): Promise<void> {
    const won = await Hold.findOneAndUpdate(
      { _id: holdIdOf(orderId, line.boxId), state: 'HELD' },
      { $set: { state: 'RELEASING', updatedAt: new Date() } },
      { returnDocument: 'after' },
    ).lean<HoldDoc>();
    if (won) await finishRelease(won);
  }

  /**
   * A RELEASED hold stored for a reservation the sweep found without one, so that reservation can never store its
   * own HELD hold afterwards (it would sell units the sweep gives back). False: its own hold got there first (the
   * reservation was alive after all), and the token is pulled on the next pass.
   */
  async function storedInPlace(token: { holdId: string; orderId: Types.ObjectId; quantity: number }, boxId: Types.ObjectId, now: Date): Promise<boolean> {
    try {
      await Hold.create({ _id: token.holdId, boxId, orderId: token.orderId, quantity: token.quantity, state: 'RELEASED', expiresAt: now, updatedAt: now });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /**
   * Where every unit of a box is: for sale, held for an unpaid order, sold, or taken by a reservation whose
   * hold is not stored (yet, or ever: the sweep returns those). The four always add up to what was stocked.
   */
  async function account(boxId: Types.ObjectId): Promise<{ available: number; held: number; sold: number; inFlight: number }> {
    const stock = await Stock.findById(boxId).lean();
    const holds = await Hold.find({ boxId }).select({ state: 1, quantity: 1 }).lean();
    const byId = new Map(holds.map((hold) => [hold._id, hold]));
    const returned = new Set(stock?.releasing ?? []);
    const units = (states: HoldDoc['state'][]) =>
      holds.filter((hold) => states.includes(hold.state) && !returned.has(tokenOf(hold._id, hold.quantity))).reduce((sum, hold) => sum + hold.quantity, 0);
    const inFlight = (stock?.reserving ?? []).map(parseToken).reduce((sum, token) => sum + (token && !byId.has(token.holdId) ? token.quantity : 0), 0);
    return { available: stock?.available ?? 0, held: units(['HELD', 'RELEASING']), sold: units(['SOLD']), inFlight };
  }

  return {
    /** All or nothing: returns the first box that lacks stock after giving back what was already taken. */
    async reserve(orderId: Types.ObjectId, lines: readonly StockLine[], expiresAt: Date): Promise<Types.ObjectId | null> {
      const reserved: StockLine[] = [];
      for (const line of lines) {
        if (!(await reserveOne(orderId, line, expiresAt))) {
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

    /** The units are sold: the hold becomes the record of the sale. */
    async keep(orderId: Types.ObjectId, lines: readonly StockLine[]): Promise<void> {
      for (const line of lines) {
        await Hold.updateOne({ _id: holdIdOf(orderId, line.boxId), state: 'HELD' }, { $set: { state: 'SOLD', updatedAt: new Date() } });
      }
    },

    async available(boxIds: readonly Types.ObjectId[]): Promise<Map<string, number>> {
      const stocks = await Stock.find({ _id: { $in: boxIds } }).select({ available: 1 }).lean();
      return new Map(stocks.map((stock) => [stock._id.toHexString(), stock.available]));
    },

    /** What the catalog shows: units for sale and, for a box keeping them, units left per item. */
    async forSale(boxIds: readonly Types.ObjectId[]): Promise<Map<string, { available: number; items: ItemCounts | null }>> {
      const stocks = await Stock.find({ _id: { $in: boxIds } }).select({ available: 1, items: 1 }).lean();
      return new Map(stocks.map((stock) => [stock._id.toHexString(), { available: stock.available, items: stock.items ?? null }]));
    },

    /** When the first unpaid hold on the box expires, i.e. when a sold-out box may have units again. */
    async nextReturnAt(boxId: Types.ObjectId): Promise<Date | null> {
      const next = await Hold.findOne({ boxId, state: 'HELD' }).sort({ expiresAt: 1 }).select({ expiresAt: 1 }).lean();
      return next?.expiresAt ?? null;
    },

    /**
     * Creates the box's counter with its items' units if it has none (returns whether it did); never resets one
     * (re-seeding and re-importing must not undo sales).
     */
    async stockIfNew(boxId: Types.ObjectId, units: ItemCounts): Promise<boolean> {
      const available = Object.values(units).reduce((sum, n) => sum + n, 0);
      const created = await Stock.updateOne(
        { _id: boxId },
        { $setOnInsert: { available, items: units, reserving: [], releasing: [], drawingLines: [], drawing: [] } },
        { upsert: true },
      );
      return created.upsertedCount === 1;
    },

    /**
     * Changes item counts by `deltas` and `available` by their sum, in one write on the box's counter: refused
     * (false) when `available` would go below 0 (the units held for unpaid orders are outside it, so no change
     * can take them, however many orders race it) or an item below 0, or, with `expected`, when an item's
     * count is no longer what the caller read (compare-and-set, for setting an exact count).
     */
    async changeItems(boxId: Types.ObjectId, deltas: ItemCounts, expected: ItemCounts | null = null): Promise<boolean> {
      const total = Object.values(deltas).reduce((sum, n) => sum + n, 0);
      const filter: Record<string, unknown> = { _id: boxId, items: { $exists: true }, available: { $gte: -total } };
      for (const [productId, delta] of Object.entries(deltas)) if (delta < 0) filter[`items.${productId}`] = { $gte: -delta };
      for (const [productId, count] of Object.entries(expected ?? {})) filter[`items.${productId}`] = count;
      const inc = Object.fromEntries([['available', total], ...Object.entries(deltas).map(([productId, delta]) => [`items.${productId}`, delta])]);
      return (await Stock.updateOne(filter, { $inc: inc })).modifiedCount === 1;
    },

    /**
     * Gives a box stocked before per-item counts its items' counts (`admin stock --set` on such a box): the
     * counter becomes Σ counts − the units held for unpaid orders, in one write guarded on `available` not having
     * moved since the units were counted (a reservation or release in between moves it). Returns the units held,
     * and whether the write landed (false: read again); refused (written false) when the counts cannot cover them.
     */
    async startItemCounts(boxId: Types.ObjectId, units: ItemCounts): Promise<{ written: boolean; held: number }> {
      const { available, held, inFlight } = await account(boxId);
      const next = Object.values(units).reduce((sum, n) => sum + n, 0) - held - inFlight;
      if (next < 0) return { written: false, held: held + inFlight };
      const started = await Stock.updateOne(
        { _id: boxId, items: { $exists: false }, available },
        { $set: { items: units, available: next, drawingLines: [], drawing: [] } },
      );
      return { written: started.modifiedCount === 1, held: held + inFlight };
    },

    /**
     * Sets what is for sale (tests, benchmarks): open holds and sales are not touched, and the box stops
     * keeping per-item counts (every product stays drawable), as a box stocked before they existed.
     */
    async setAvailable(boxId: Types.ObjectId, units: number): Promise<void> {
      await Stock.updateOne({ _id: boxId }, { $set: { available: units }, $unset: { items: 1 } }, { upsert: true });
    },

    /** Holds not yet settled either way, as `<orderId>:<quantity>` (for tests and the admin CLI). */
    async openHolds(boxId: Types.ObjectId): Promise<string[]> {
      const holds = await Hold.find({ boxId, state: { $in: ['HELD', 'RELEASING'] } }).select({ orderId: 1, quantity: 1 }).lean();
      return holds.map((hold) => `${hold.orderId.toHexString()}:${hold.quantity}`);
    },

    account,

    /** Holds still HELD although their order stopped being payable: their order decides (orders/order-holds.ts). */
    async expiredHolds(now: Date, limit: number): Promise<HoldDoc[]> {
      return Hold.find({ state: 'HELD', expiresAt: { $lte: now } }).sort({ expiresAt: 1 }).limit(limit).lean<HoldDoc[]>();
    },

    /**
     * Finishes what a crash cut short: reservations whose order never got its hold, releases stuck half way,
     * tokens left after their step completed. Every write is guarded on the token or the hold state, so this
     * may run anywhere, any number of times, concurrently with the normal path.
     */
    async heal(now = new Date()): Promise<{ reclaimed: number; releasesFinished: number }> {
      const cutoff = now.getTime() - STUCK_STEP_MS;
      let reclaimed = 0;
      let releasesFinished = 0;

      const stuck = await Hold.find({ state: 'RELEASING', updatedAt: { $lte: new Date(cutoff) } }).limit(500).lean<HoldDoc[]>();
      for (const hold of stuck) {
        const claimed = await Hold.updateOne({ _id: hold._id, state: 'RELEASING', updatedAt: hold.updatedAt }, { $set: { updatedAt: now } });
        if (claimed.modifiedCount === 1) {
          await finishRelease(hold);
          releasesFinished += 1;
        }
      }

      const stocks = await Stock.find({ tokensAt: { $lte: new Date(cutoff) } }).select({ reserving: 1, releasing: 1, drawingLines: 1, drawing: 1 }).limit(500).lean();
      for (const stock of stocks) {
        for (const token of stock.reserving ?? []) {
          const parsed = parseToken(token);
          if (!parsed || parsed.orderId.getTimestamp().getTime() > cutoff) continue;
          if (await Hold.exists({ _id: parsed.holdId })) {
            await Stock.updateOne({ _id: stock._id, reserving: token }, { $pull: { reserving: token } });
          } else if (await storedInPlace(parsed, stock._id, now)) {
            const back = await Stock.updateOne({ _id: stock._id, reserving: token }, { $inc: { available: parsed.quantity }, $pull: { reserving: token } });
            reclaimed += back.modifiedCount;
          }
        }
        for (const token of stock.releasing ?? []) {
          const parsed = parseToken(token);
          if (!parsed) continue;
          const hold = await Hold.findById(parsed.holdId).select({ state: 1, updatedAt: 1 }).lean();
          if (hold?.state === 'RELEASING' && hold.updatedAt.getTime() > cutoff) continue;
          if (hold?.state === 'RELEASING') await Hold.updateOne({ _id: parsed.holdId, state: 'RELEASING' }, { $set: { state: 'RELEASED', updatedAt: now } });
          await Stock.updateOne({ _id: stock._id }, { $pull: { releasing: token } });
        }
        await items.healTokens(stock, new Date(cutoff));
        // Nothing in flight any more: out of the sweep's sight until the next token (a token pushed meanwhile keeps it).
        // (Counters stocked before item takes existed have no `drawingLines` array at all.)
        const noDrawing = stock.drawingLines ? { $size: 0 } : { $exists: false };
        // Unset, not null: `$min` leaves a null as it is (null sorts before every date), so the next token would go unseen.
        await Stock.updateOne({ _id: stock._id, reserving: { $size: 0 }, releasing: { $size: 0 }, drawingLines: noDrawing }, { $unset: { tokensAt: 1 } });
      }
      return { reclaimed, releasesFinished };
    },
  };
}

export type StockLedger = ReturnType<typeof stockLedger>;
