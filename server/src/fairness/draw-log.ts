import type { Connection, Types } from 'mongoose';
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { insertPlain } from '../db/plain-insert';
import type { DrawDoc, OrderDoc } from '../orders/order.model';
import { drawLogHeadModel, drawLogModel, type DrawLogDoc } from './draw-log.model';

/** A bulk insert refused only by unique indexes (every failed document was there already). */
function onlyDuplicates(error: unknown): boolean {
  const writeErrors = (error as { writeErrors?: unknown[] }).writeErrors;
  return Array.isArray(writeErrors) ? writeErrors.every(isDuplicateKeyError) : isDuplicateKeyError(error);
}

const isLogged = (draw: DrawDoc): draw is DrawDoc & { proof: NonNullable<DrawDoc['proof']> & { nonce: number; unit: number; shopperTag: string } } =>
  draw.proof?.messageVersion === 2;

/**
 * The public draw log (docs/fairness.md "The public draw log"): every unit drawn with message version 2, per box,
 * in the order logged, anonymised. Appended when an order's draws are settled, right after the payment's answer
 * (fairness/order-draws.ts publish; every later applier, the next claimer of a stuck counter, and the expiry
 * sweep of orders still marked `settleDueAt` run it again), so a crash between the paid-and-drawn write and the
 * log heals with the rest. A refunded order's draws stay (docs/fairness.md "Refunds").
 */
export function drawLog(db: Connection) {
  const Log = drawLogModel(db);
  const Head = drawLogHeadModel(db);

  /**
   * Takes `count` numbers from the box's head. Two first upserts of a box's head at the same moment (a callback
   * and its duplicate) can collide on its _id: the loser's write is then an ordinary $inc of the head just made.
   */
  async function takeNumbers(boxId: Types.ObjectId, count: number) {
    for (;;) {
      try {
        return await Head.findOneAndUpdate({ _id: boxId }, { $inc: { last: count } }, { upsert: true, returnDocument: 'after' }).lean();
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
  }

  /**
   * Logs one line's units, once: a line whose last unit is logged is done; otherwise numbers are taken for all
   * its units and the ones not yet there are inserted (a repeat after a crash mid-insert fills the rest). Two
   * appliers logging the same line at the same moment both take numbers; the loser's stay unused: `seq` is
   * unique and increasing, with gaps only there.
   */
  async function appendLine(order: OrderDoc, units: Array<DrawDoc & { proof: { nonce: number; unit: number; shopperTag: string } }>): Promise<void> {
    const [first] = units;
    const last = units.at(-1);
    if (!first || !last) return;
    const { boxId } = first;
    const item = order.items.find((candidate) => candidate.boxId.equals(boxId));
    if (!item) return;
    if (await Log.exists({ boxId, tag: last.proof.shopperTag, nonce: last.proof.nonce, unit: last.proof.unit })) return;
    const head = await takeNumbers(boxId, units.length);
    const start = (head?.last ?? units.length) - units.length + 1;
    const entries = units.map(
      (draw, i): Omit<DrawLogDoc, '_id'> => ({
        boxId,
        seq: start + i,
        tag: draw.proof.shopperTag,
        nonce: draw.proof.nonce,
        unit: draw.proof.unit,
        clientSeed: order.clientSeed,
        seedId: draw.proof.seedId,
        serverSeedHash: draw.proof.serverSeedHash,
        boxVersion: item.boxVersion ?? null,
        products: item.products.map(({ productId, rarity, weight }) => ({ productId, rarity, weight })),
        guarantee: item.guarantee ? { minRarity: item.guarantee.minRarity, within: item.guarantee.within } : null,
        missesBefore: draw.proof.missesBefore,
        exhausted: draw.proof.exhausted ?? [],
        forced: draw.proof.forced,
        productId: draw.productId,
        drawnAt: draw.proof.drawnAt,
      }),
    );
    try {
      await insertPlain(Log, entries, { ordered: false });
    } catch (error) {
      if (!onlyDuplicates(error)) throw error;
    }
  }

  return {
    /** Logs every line of a drawn order (safe to repeat and to race). */
    async append(order: OrderDoc): Promise<void> {
      for (const item of order.items) {
        const units = order.draws.filter((draw) => draw.boxId.equals(item.boxId)).filter(isLogged);
        await appendLine(order, units);
      }
    },

    /** The box's entries after `afterSeq`, in log order. */
    page: (boxId: Types.ObjectId, afterSeq: number, limit: number) => Log.find({ boxId, seq: { $gt: afterSeq } }).sort({ seq: 1 }).limit(limit).lean<DrawLogDoc[]>(),
  };
}

export type DrawLog = ReturnType<typeof drawLog>;
