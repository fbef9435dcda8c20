import { Types, type Connection } from 'mongoose';
import { MAX_SET_POSITIONS, type BoxSet, type BoxSetList, type CreateOrderRequest } from '@blindbox/shared';
import { boxModel, type BoxDoc } from '../catalog/box.model';
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { NotFound } from '../domain-error';
import type { DrawDoc, OrderDoc, OrderItemDoc, SetPickDoc } from '../orders/order.model';
import { boxSetModel, type BoxSetDoc } from './set.model';
import { positionHolds, type PositionLine } from './position-holds';
import type { PositionHoldDoc } from './position-hold.model';
import { arrange, blockStartOf, secretDrawFor, seriesOf } from './arrangement';
import { toBoxSetDto, toBoxSetSummary } from './set-view';
import { InvalidSetPick, NotASetBox, PositionTaken, SetBusy, SetNotOnSale, SetSecretUnsold, SetsSoldOut } from './set-errors';

/**
 * How many set numbers "the set on sale now" reads at once, from the lowest one this process last saw on sale:
 * sets only ever leave the sale, so that number only grows, and the query reads a few sets instead of all of
 * them (the engine decodes every document a query returns).
 */
const CURRENT_WINDOW = 4;
const FOR_SALE: BoxSetDoc['state'][] = ['ON_SALE', 'RETIRING'];
/**
 * How many sets are open at once, like boxes opened side by side on a counter: a crowd spreads over them
 * instead of every shopper tapping the same few positions.
 */
const OPEN_SETS = 3;
/**
 * How long a position seen taken is refused from memory. A taken position comes back only when its order is
 * cancelled or its payment window ends, so remembering it for a moment delays a retry by at most that moment.
 */
const TAKEN_MEMORY_MS = 250;

export const isSetBox = (box: Pick<BoxDoc, 'saleMode'>) => box.saleMode === 'SETS';

const lineOf = (item: Pick<OrderItemDoc, 'boxId' | 'setPick'>): PositionLine | null =>
  item.setPick ? { setId: item.setPick.setId, boxId: item.boxId, positions: item.setPick.positions } : null;
const linesOf = (items: readonly OrderItemDoc[]) => items.map(lineOf).filter((line): line is PositionLine => line !== null);

/**
 * Whole-set boxes (端盒): sets with a committed arrangement, positions held and sold one document each
 * (position-holds.ts), the designs delivered at payment, the arrangement published once nothing of the set
 * can be sold any more. The orders and payments modules reach it only through these functions.
 */
export function setService(db: Connection) {
  const BoxSet = boxSetModel(db);
  const Box = boxModel(db);
  const holds = positionHolds(db);
  const lowestForSale = new Map<string, number>();
  // Built once per process (container.ts), so a position given back anywhere in it is forgotten at once.
  const takenSeen = new Map<string, number>();
  const keyOf = (setId: Types.ObjectId, position: number) => `${setId.toHexString()}:${position}`;
  const releaseLines = (orderId: Types.ObjectId, lines: readonly PositionLine[]) => {
    for (const line of lines) for (const position of line.positions) takenSeen.delete(keyOf(line.setId, position));
    return holds.release(orderId, lines);
  };

  async function setBox(boxId: Types.ObjectId): Promise<BoxDoc> {
    const box = await Box.findById(boxId).lean<BoxDoc>();
    if (!box) throw new NotFound('box');
    if (!isSetBox(box)) throw new NotASetBox(`box ${box.slug} is not sold as whole sets`);
    return box;
  }

  /** Sold out once every position is SOLD: the arrangement becomes public. Guarded, so any caller may ask again. */
  async function markSoldOutIfDone(set: BoxSetDoc, sold?: number): Promise<BoxSetDoc> {
    if (set.state !== 'ON_SALE' || (sold ?? (await holds.soldCount(set._id))) < set.positions) return set;
    const now = new Date();
    await BoxSet.updateOne({ _id: set._id, state: 'ON_SALE' }, { $set: { state: 'SOLD_OUT', revealedAt: now } });
    return (await BoxSet.findById(set._id).lean<BoxSetDoc>()) ?? set;
  }

  async function view(set: BoxSetDoc, box?: BoxDoc, known?: PositionHoldDoc[]): Promise<BoxSet> {
    const taken = known ?? (await holds.taken([set._id]));
    const current = await markSoldOutIfDone(set, taken.filter((hold) => hold.state === 'SOLD').length);
    return toBoxSetDto(current, taken, box ?? (await Box.findById(current.boxId).lean<BoxDoc>()) ?? { products: [] });
  }

  /** The box's sets still for sale from the lowest one known, a window at a time (the whole rest only past a gap). */
  async function setsForSale(boxId: Types.ObjectId): Promise<BoxSetDoc[]> {
    const floor = lowestForSale.get(boxId.toHexString()) ?? 1;
    let sets = await BoxSet.find({ boxId, number: { $gte: floor, $lt: floor + CURRENT_WINDOW }, state: { $in: FOR_SALE } }).lean<BoxSetDoc[]>();
    if (sets.length === 0) sets = await BoxSet.find({ boxId, number: { $gte: floor }, state: { $in: FOR_SALE } }).lean<BoxSetDoc[]>();
    sets.sort((a, b) => a.number - b.number);
    if (sets[0]) lowestForSale.set(boxId.toHexString(), sets[0].number);
    return sets;
  }

  return {
    /** Creates `count` sets of the box, each committed (its hash stored) before it is on sale. */
    async create(boxId: Types.ObjectId, count: number): Promise<BoxSetDoc[]> {
      const box = await setBox(boxId);
      const series = seriesOf(box);
      if (series.regular.length < 1 || series.regular.length > MAX_SET_POSITIONS) {
        throw new NotASetBox(`a set needs 1–${MAX_SET_POSITIONS} regular designs; box ${box.slug} has ${series.regular.length}`);
      }
      const secretEvery = box.setRules?.secretEvery ?? null;
      const created: BoxSetDoc[] = [];
      while (created.length < count) {
        const last = await BoxSet.findOne({ boxId }).sort({ number: -1 }).select({ number: 1 }).lean();
        const number = (last?.number ?? 0) + 1;
        const blockHasSecret = secretEvery ? (await BoxSet.exists({ boxId, number: { $gte: blockStartOf(number, secretEvery), $lt: number }, hasSecret: true })) !== null : false;
        const arrangement = arrange(series, secretDrawFor(number, secretEvery, blockHasSecret));
        try {
          const [set] = await BoxSet.create([{ boxId, number, positions: arrangement.arrangement.length, ...arrangement, state: 'ON_SALE', createdAt: new Date(), revealedAt: null }]);
          if (set) created.push(set.toObject<BoxSetDoc>());
        } catch (error) {
          // Another admin took this number at the same moment: take the next one.
          if (!isDuplicateKeyError(error)) throw error;
        }
      }
      return created;
    },

    /**
     * Takes the set off sale and publishes its arrangement at once (`get` shows it from then on). Returns the set
     * as it is after (an already retired or sold-out set as it was). Refused, changing nothing:
     * - SetBusy while a position is held for an unpaid order: its shopper would see their design before paying;
     * - SetSecretUnsold while the set holds its block's secret design unsold: the block promised one secret in
     *   `secretEvery` sets, and it cannot move to another set (every other set's arrangement is committed), so the
     *   set stays on sale until the secret is sold (docs/fairness.md "Whole sets", the retire rule).
     * RETIRING first, so no new pick can slip in between the checks and the retire (a pick re-reads the set
     * after taking its positions). The console's retire action calls this.
     */
    async retire(setId: Types.ObjectId): Promise<BoxSetDoc> {
      const set = await BoxSet.findOneAndUpdate({ _id: setId, state: { $in: ['ON_SALE', 'RETIRING'] } }, { $set: { state: 'RETIRING' } }, { returnDocument: 'after' }).lean<BoxSetDoc>();
      if (!set) {
        const existing = await BoxSet.findById(setId).lean<BoxSetDoc>();
        if (!existing) throw new NotFound('set');
        return existing;
      }
      const backOnSale = () => BoxSet.updateOne({ _id: setId, state: 'RETIRING' }, { $set: { state: 'ON_SALE' } });
      const taken = await holds.taken([setId]);
      const held = taken.filter((hold) => hold.state !== 'SOLD').length;
      if (held > 0) {
        await backOnSale();
        throw new SetBusy(`${held} position(s) of set ${set.number} are held for unpaid orders; retry once they are paid or released`);
      }
      if (set.hasSecret) {
        const { secret } = seriesOf(await setBox(set.boxId));
        const unsold = set.arrangement.findIndex((productId, position) => secret.includes(productId) && !taken.some((hold) => hold.position === position && hold.state === 'SOLD'));
        if (unsold !== -1) {
          await backOnSale();
          throw new SetSecretUnsold(`set ${set.number} holds its block's secret design, unsold: it stays on sale until the secret is sold`);
        }
      }
      await BoxSet.updateOne({ _id: setId, state: 'RETIRING' }, { $set: { state: 'RETIRED', revealedAt: new Date() } });
      return (await BoxSet.findById(setId).lean<BoxSetDoc>()) ?? set;
    },

    /** How many sets of the box are still for sale (what `admin box export` writes as its `firstSets`). */
    forSaleCount: (boxId: Types.ObjectId) => BoxSet.countDocuments({ boxId, state: { $in: FOR_SALE } }),

    /** Every set of the box in number order, with sold / held / free counts. */
    async list(boxId: Types.ObjectId): Promise<BoxSetList['items']> {
      const sets = await BoxSet.find({ boxId }).sort({ number: 1 }).lean<BoxSetDoc[]>();
      const taken = await holds.taken(sets.map((set) => set._id));
      return sets.map((set) => toBoxSetSummary(set, taken.filter((hold) => hold.setId.equals(set._id))));
    },

    /** The box's sets numbered after `afterNumber`, in order, each as `get` shows it (the public log's sets). */
    async page(boxId: Types.ObjectId, afterNumber: number, limit: number): Promise<BoxSet[]> {
      const sets = await BoxSet.find({ boxId, number: { $gt: afterNumber } }).sort({ number: 1 }).limit(limit).lean<BoxSetDoc[]>();
      if (sets.length === 0) return [];
      const box = (await Box.findById(boxId).lean<BoxDoc>()) ?? undefined;
      const taken = await holds.taken(sets.map((set) => set._id));
      return Promise.all(sets.map((set) => view(set, box, taken.filter((hold) => hold.setId.equals(set._id)))));
    },

    async get(setId: Types.ObjectId): Promise<BoxSet> {
      const set = await BoxSet.findById(setId).lean<BoxSetDoc>();
      if (!set) throw new NotFound('set');
      return view(set);
    },

    /**
     * The sets shoppers pick from now: the lowest-numbered ones on sale with a free position, up to OPEN_SETS
     * (else the lowest one, all held, whose holds may still come back).
     */
    async openNow(boxId: Types.ObjectId): Promise<BoxSet[]> {
      const box = await setBox(boxId);
      const sets = (await setsForSale(boxId)).filter((set) => set.state === 'ON_SALE');
      const open: BoxSet[] = [];
      for (const set of sets) {
        const taken = await holds.taken([set._id]);
        if (taken.length < set.positions) open.push(await view(set, box, taken));
        if (open.length === OPEN_SETS) break;
      }
      if (open.length > 0) return open;
      if (!sets[0]) throw new SetsSoldOut('every set of this box is sold out');
      return [await view(sets[0], box)];
    },

    /** Free positions per box across its sets on sale: a whole-set box's stock. */
    async freeByBox(boxIds: readonly Types.ObjectId[]): Promise<Map<string, number>> {
      const free = new Map(boxIds.map((id) => [id.toHexString(), 0]));
      if (boxIds.length === 0) return free;
      const sets = await BoxSet.find({ boxId: { $in: boxIds }, state: 'ON_SALE' }).select({ boxId: 1, positions: 1 }).lean();
      const taken = await holds.taken(sets.map((set) => set._id));
      for (const set of sets) {
        const key = set.boxId.toHexString();
        free.set(key, (free.get(key) ?? 0) + set.positions - taken.filter((hold) => hold.setId.equals(set._id)).length);
      }
      return free;
    },

    /**
     * Checks each line's pick against its box (a whole-set box needs one, a weighted box takes none) and its
     * set (on sale, positions inside it, the quantity the positions'), and returns the picks by box id.
     */
    async picksFor(items: CreateOrderRequest['items'], boxes: Map<string, BoxDoc>): Promise<Map<string, SetPickDoc>> {
      const picks = new Map<string, SetPickDoc>();
      for (const item of items) {
        const box = boxes.get(item.boxId) as BoxDoc;
        if (!isSetBox(box)) {
          if (item.setPick) throw new InvalidSetPick(`box ${item.boxId} is not sold as whole sets`);
          continue;
        }
        if (!item.setPick) throw new InvalidSetPick(`box ${item.boxId} is sold as whole sets: pick positions of a set`);
        if (picks.has(item.boxId)) throw new InvalidSetPick(`one pick per whole-set box and order`);
        const set = await BoxSet.findOne({ _id: new Types.ObjectId(item.setPick.setId), boxId: box._id }).lean<BoxSetDoc>();
        if (!set) throw new NotFound('set');
        if (set.state !== 'ON_SALE') throw new SetNotOnSale(`set ${set.number} is no longer on sale`);
        const positions = item.setPick.wholeSet ? Array.from({ length: set.positions }, (_, index) => index) : [...(item.setPick.positions ?? [])];
        if (positions.some((position) => position >= set.positions)) throw new InvalidSetPick(`set ${set.number} has positions 0–${set.positions - 1}`);
        if (positions.length !== item.quantity) throw new InvalidSetPick(`quantity ${item.quantity} but ${positions.length} position(s) picked`);
        picks.set(item.boxId, { setId: set._id, number: set.number, positions });
      }
      return picks;
    },

    /**
     * Refuses a pick whose positions are already taken, from memory or one read, before the order path spends
     * its writes (quota, limits) only to give them back: the late arrivals of a popular set cost almost nothing.
     * The hold below stays the real guard.
     */
    async refuseTaken(items: CreateOrderRequest['items']): Promise<void> {
      const now = Date.now();
      for (const item of items) {
        if (!item.setPick?.positions) continue;
        const setId = new Types.ObjectId(item.setPick.setId);
        const keys = item.setPick.positions.map((position) => keyOf(setId, position));
        const remembered = item.setPick.positions.find((_, index) => (takenSeen.get(keys[index] as string) ?? 0) > now);
        if (remembered !== undefined) throw new PositionTaken(`position ${remembered} of the set is already taken; pick again`, { position: remembered });
        const taken = await holds.takenAmong(setId, item.setPick.positions);
        for (const position of taken) takenSeen.set(keyOf(setId, position), now + TAKEN_MEMORY_MS);
        if (taken.length > 0) throw new PositionTaken(`position ${taken[0]} of the set is already taken; pick again`, { position: taken[0] as number });
      }
      if (takenSeen.size > 10_000) for (const [key, until] of takenSeen) if (until <= now) takenSeen.delete(key);
    },

    /**
     * Takes every picked position for the order, all or nothing (the lines already taken are given back if
     * one fails), then re-reads each set: a retire that began meanwhile wins, and the positions go back.
     */
    async hold(orderId: Types.ObjectId, items: readonly OrderItemDoc[], expiresAt: Date): Promise<void> {
      const taken: PositionLine[] = [];
      const giveBack = () => releaseLines(orderId, taken);
      for (const line of linesOf(items)) {
        const lost = await holds.take(orderId, line, expiresAt);
        if (lost !== null) {
          takenSeen.set(keyOf(line.setId, lost), Date.now() + TAKEN_MEMORY_MS);
          await giveBack();
          throw new PositionTaken(`position ${lost} of the set is already taken; pick again`, { position: lost });
        }
        taken.push(line);
        const set = await BoxSet.findById(line.setId).select({ state: 1, number: 1 }).lean();
        if (set?.state !== 'ON_SALE') {
          await giveBack();
          throw new SetNotOnSale(`set ${set?.number ?? ''} is no longer on sale`);
        }
      }
    },

    /** Gives back the positions an unpaid order holds; returns how many this call gave back (each goes back once). */
    release: (orderId: Types.ObjectId, items: readonly OrderItemDoc[]) => releaseLines(orderId, linesOf(items)),

    /** The designs at the order's picked positions, as draws (after the weighted ones' unit indexes). */
    async drawsFor(item: OrderItemDoc): Promise<DrawDoc[]> {
      const pick = item.setPick;
      if (!pick) return [];
      const set = await BoxSet.findById(pick.setId).lean<BoxSetDoc>();
      if (!set) throw new Error(`set ${pick.setId.toHexString()} of a paid order is missing`);
      return pick.positions.map((position) => {
        const product = item.products.find((candidate) => candidate.productId === set.arrangement[position]);
        if (!product) throw new Error(`set ${set.number} position ${position} holds an unknown design`);
        return {
          boxId: item.boxId,
          productId: product.productId,
          name: product.name,
          rarity: product.rarity,
          imageUrl: product.imageUrl,
          proof: null,
          set: { setId: set._id, number: set.number, position, commitment: set.commitment },
        };
      });
    },

    /** The order is paid: its positions are sold with the designs its draws delivered, and a set sold out is revealed. */
    async keep(order: Pick<OrderDoc, '_id' | 'items' | 'draws'>): Promise<void> {
      for (const line of linesOf(order.items)) {
        const designAt = (position: number) => order.draws.find((draw) => draw.set?.setId.equals(line.setId) && draw.set.position === position)?.productId ?? '';
        await holds.keep(order._id, line, designAt);
        const set = await BoxSet.findById(line.setId).lean<BoxSetDoc>();
        if (set) await markSoldOutIfDone(set);
      }
    },

    /** Positions held past their order's payment window, for the leftover sweep. */
    expiredHolds: (now: Date, limit: number) => holds.expired(now, limit),
    releaseHold: (orderId: Types.ObjectId, line: PositionLine) => releaseLines(orderId, [line]),
  };
}

export type SetService = ReturnType<typeof setService>;
