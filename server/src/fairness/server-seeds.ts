import { randomBytes } from 'node:crypto';
import type { Connection, Types } from 'mongoose';
import { seedHash } from '@blindbox/shared';
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { serverSeedModel, type ServerSeedDoc } from './fairness.model';

export interface SeedSchedule {
  /** How long a seed is taken by new orders before the next one is committed and it is retired. */
  rotateEveryMs: number;
}

/** A seed as anyone may see it: the secret only once revealed. */
export interface PublicSeed {
  id: string;
  generation: number;
  hash: string;
  committedAt: Date;
  rotateAt: Date;
  retiredAt: Date | null;
  revealedAt: Date | null;
  seed: string | null;
}

/**
 * When the seed may be shown: after its retirement, and not before the last order that took it stopped
 * being payable. Revealing earlier would let a shopper with an unpaid order compute its draws and pay only
 * for the good ones; after that moment every draw with the seed was paid for (or will be refunded unpaid).
 */
export function revealTimeOf(doc: Pick<ServerSeedDoc, 'retiredAt' | 'lastOrderExpiresAt'>): Date | null {
  if (!doc.retiredAt) return null;
  return doc.lastOrderExpiresAt && doc.lastOrderExpiresAt > doc.retiredAt ? doc.lastOrderExpiresAt : doc.retiredAt;
}

/**
 * When the seed will be shown, as far as is known now: its reveal time once retired; before that, not before
 * its scheduled rotation nor the payment deadline of the last order that took it (a later order may push it on).
 */
export function expectedRevealOf(doc: Pick<ServerSeedDoc, 'retiredAt' | 'lastOrderExpiresAt' | 'rotateAt'>): Date {
  const revealAt = revealTimeOf(doc);
  if (revealAt) return revealAt;
  return doc.lastOrderExpiresAt && doc.lastOrderExpiresAt > doc.rotateAt ? doc.lastOrderExpiresAt : doc.rotateAt;
}

export function toPublicSeed(doc: ServerSeedDoc, now = new Date()): PublicSeed {
  const revealAt = revealTimeOf(doc);
  const revealed = revealAt !== null && revealAt <= now;
  return {
    id: doc._id,
    generation: doc.generation,
    hash: doc.hash,
    committedAt: doc.committedAt,
    rotateAt: doc.rotateAt,
    retiredAt: doc.retiredAt,
    revealedAt: revealed ? revealAt : null,
    seed: revealed ? doc.seed : null,
  };
}

/**
 * Commit–reveal seeds per box. Rotation is lazy: whoever next asks for a box's seed at or after its
 * `rotateAt` (an order, the fairness page, a proof) commits the next generation and then retires the older
 * ones, so the schedule holds without a job; the admin CLI rotates on demand the same way.
 */
export function serverSeeds(db: Connection, schedule: SeedSchedule) {
  const Seed = serverSeedModel(db);

  const newest = (boxId: Types.ObjectId) => Seed.findOne({ boxId }).sort({ generation: -1 }).lean<ServerSeedDoc>();
  const newestActive = (boxId: Types.ObjectId) => Seed.findOne({ boxId, retiredAt: null }).sort({ generation: -1 }).lean<ServerSeedDoc>();

  /** Commits generation `after + 1` unless a concurrent rotation already did (same `_id`). */
  async function commitAfter(boxId: Types.ObjectId, after: number, now: Date): Promise<void> {
    const seed = randomBytes(32).toString('hex');
    const generation = after + 1;
    try {
      await Seed.create({
        _id: `${boxId.toHexString()}:${generation}`,
        boxId,
        generation,
        seed,
        hash: seedHash(seed),
        committedAt: now,
        rotateAt: new Date(now.getTime() + schedule.rotateEveryMs),
        retiredAt: null,
        lastOrderExpiresAt: null,
      });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  /**
   * Commits the generation after `from` (the seed found due, or the newest there is): every caller that saw
   * the same seed due commits the same `_id`, so concurrent rotations collapse into one instead of cascading.
   */
  async function rotateFrom(boxId: Types.ObjectId, from: ServerSeedDoc | null, now: Date): Promise<ServerSeedDoc> {
    await commitAfter(boxId, (from ?? (await newest(boxId)))?.generation ?? 0, now);
    const next = await newestActive(boxId);
    if (!next) throw new Error(`no seed for box ${boxId.toHexString()} after committing one`);
    await Seed.updateMany({ boxId, generation: { $lt: next.generation }, retiredAt: null }, { $set: { retiredAt: now } });
    return next;
  }

  async function current(boxId: Types.ObjectId, now = new Date()): Promise<ServerSeedDoc> {
    const seed = await newestActive(boxId);
    if (seed && seed.rotateAt > now) return seed;
    return rotateFrom(boxId, seed, now);
  }

  return {
    current,

    /**
     * The seed a new order of this box takes. Registering its payment deadline is guarded on the seed not
     * being retired, so once retired no order can join it and its reveal time is final.
     */
    async takeForOrder(boxId: Types.ObjectId, expiresAt: Date, now = new Date()): Promise<ServerSeedDoc> {
      for (;;) {
        const seed = await current(boxId, now);
        const taken = await Seed.updateOne({ _id: seed._id, retiredAt: null }, { $max: { lastOrderExpiresAt: expiresAt } });
        if (taken.matchedCount === 1) return seed;
      }
    },

    /** On demand (admin CLI): the next seed is committed and the one in use retired. */
    async rotate(boxId: Types.ObjectId, now = new Date()): Promise<{ retired: ServerSeedDoc | null; current: ServerSeedDoc }> {
      const before = await newestActive(boxId);
      const next = await rotateFrom(boxId, before, now);
      const retired = before ? await Seed.findById(before._id).lean<ServerSeedDoc>() : null;
      return { retired, current: next };
    },

    byId: (seedId: string) => Seed.findById(seedId).lean<ServerSeedDoc>(),

    /** Newest first: the seed in use, then the retired ones. */
    history: (boxId: Types.ObjectId, limit: number) => Seed.find({ boxId }).sort({ generation: -1 }).limit(limit).lean<ServerSeedDoc[]>(),
  };
}

export type ServerSeeds = ReturnType<typeof serverSeeds>;
