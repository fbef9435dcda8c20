import { randomBytes } from 'node:crypto';
import type { Connection, Types } from 'mongoose';
import { LRUCache } from 'lru-cache';
import { seedHash } from '@blindbox/shared';
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { serverSeedModel, type ServerSeedDoc } from './fairness.model';
import { SeedNotReady } from './fairness-errors';

export interface SeedSchedule {
  /** How long a seed is taken by new orders before the next one is committed and it is retired. */
  rotateEveryMs: number;
  /**
   * How far past an order's payment deadline taking a seed pushes its reveal (default 0): the orders of the
   * next moments, whose deadlines fall before that, take the seed this process remembers without a write.
   */
  revealStepMs?: number;
}

/** What this process last took of a box's current seed: the seed, the box version it was taken for, and its reveal floor. */
interface TakenSeed {
  seed: ServerSeedDoc;
  boxVersion: number;
  /** Stored as the seed's `lastOrderExpiresAt` or below it (`$max` only raises it): the seed is not revealed before. */
  revealNotBefore: Date;
}

/** What a draw needs of a seed: fixed from the moment it is committed, so it may be served from memory. */
export type SeedSecret = Pick<ServerSeedDoc, '_id' | 'boxId' | 'generation' | 'seed' | 'hash'>;

/** Seeds kept in memory for drawing: a few per box in use; each is a few hundred bytes. */
const SECRETS_KEPT = 4_096;

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
 * Commit–reveal seeds per box, committed a whole period ahead: a box always has its current seed and the
 * next one, whose hash is already public (a queue of one). Rotation promotes the queued seed and commits a
 * new one behind it, so the seed an order takes was published before the order's request began: a rotation
 * run inside a request (rotation is lazy: whoever next asks for the box's seed at or after its `rotateAt`, or
 * the admin CLI) only promotes a seed committed earlier. `takeForOrder` checks it, and refuses rather than use
 * a seed committed after the request started (two rotations inside one request; the client tries again).
 */
export function serverSeeds(db: Connection, schedule: SeedSchedule) {
  const Seed = serverSeedModel(db);
  const secrets = new LRUCache<string, SeedSecret>({ max: SECRETS_KEPT });
  const remember = (doc: ServerSeedDoc): SeedSecret => {
    const secret = { _id: doc._id, boxId: doc.boxId, generation: doc.generation, seed: doc.seed, hash: doc.hash };
    secrets.set(doc._id, secret);
    return secret;
  };
  const revealStepMs = schedule.revealStepMs ?? 0;
  const taken = new Map<string, TakenSeed>();

  /** The box's active seeds, newest first: [queued, current] once the queue is full. */
  const active = (boxId: Types.ObjectId) => Seed.find({ boxId, retiredAt: null }).sort({ generation: -1 }).limit(2).lean<ServerSeedDoc[]>();
  const newest = (boxId: Types.ObjectId) => Seed.findOne({ boxId }).sort({ generation: -1 }).lean<ServerSeedDoc>();

  /** Commits the generation after `after` unless a concurrent caller already did (same `_id`). */
  async function commitAfter(boxId: Types.ObjectId, after: ServerSeedDoc | null, now: Date): Promise<void> {
    const seed = randomBytes(32).toString('hex');
    const generation = (after?.generation ?? 0) + 1;
    // Used one period after the seed before it: it is first current when that one is retired.
    const from = after && after.rotateAt > now ? after.rotateAt : now;
    try {
      await Seed.create({
        _id: `${boxId.toHexString()}:${generation}`,
        boxId,
        generation,
        seed,
        hash: seedHash(seed),
        committedAt: now,
        rotateAt: new Date(from.getTime() + schedule.rotateEveryMs),
        retiredAt: null,
        lastOrderExpiresAt: null,
      });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  /** The current seed and the queued one behind it, committing what is missing (a new box commits both at once). */
  async function queue(boxId: Types.ObjectId, now: Date): Promise<{ current: ServerSeedDoc; queued: ServerSeedDoc }> {
    for (;;) {
      const [queued, current] = await active(boxId);
      if (queued && current) {
        // Read whole anyway: the orders placed now draw with these at payment, without reading them again.
        remember(current);
        remember(queued);
        return { current, queued };
      }
      await commitAfter(boxId, await newest(boxId), now);
    }
  }

  /**
   * Promotes the queued seed after `from` (the current seed found due): commits the one after the newest and
   * retires `from` and older. Every caller that saw the same seed due commits the same `_id` and retires the
   * same generations, so concurrent rotations collapse into one instead of cascading.
   */
  async function rotateFrom(boxId: Types.ObjectId, from: ServerSeedDoc, now: Date): Promise<ServerSeedDoc> {
    const last = await newest(boxId);
    if (last && last.generation === from.generation + 1) await commitAfter(boxId, last, now);
    await Seed.updateMany({ boxId, generation: { $lte: from.generation }, retiredAt: null }, { $set: { retiredAt: now } });
    // This process's orders read the new current seed at once; other processes' find it retired at their next write.
    taken.delete(boxId.toHexString());
    return (await queue(boxId, now)).current;
  }

  async function current(boxId: Types.ObjectId, now = new Date()): Promise<ServerSeedDoc> {
    const seeds = await queue(boxId, now);
    return seeds.current.rotateAt > now ? seeds.current : rotateFrom(boxId, seeds.current, now);
  }

  return {
    current,

    /** The seed committed to follow the current one: its hash is public a whole period before any order can take it. */
    queued: async (boxId: Types.ObjectId, now = new Date()) => (await queue(boxId, now)).queued,

    /**
     * The seed a new order of this box takes: committed before `requestedAt` (when the order's request began,
     * before the server read or made anything combined with it). Registering its payment deadline is guarded
     * on the seed not being retired, so once retired its reveal time is final.
     *
     * Taken for `boxVersion` (the box as the order read it): a new version rotates the seed before it is
     * written (catalog-import.ts), so a seed read after the box was seen at that version is the version's own.
     * The seed this process last took for the same version is taken again without a read while it is not due
     * to rotate, and without a write while the order's deadline is below the reveal floor already stored: the
     * seed is not revealed before that floor, retired meanwhile (by an operator, elsewhere) or not, so no order
     * that may still be paid ever sees it. Past the floor the guarded write raises it (by `revealStepMs` more),
     * or finds the seed retired and reads the current one.
     */
    async takeForOrder(boxId: Types.ObjectId, boxVersion: number, expiresAt: Date, requestedAt: Date, now = new Date()): Promise<ServerSeedDoc> {
      const key = boxId.toHexString();
      for (;;) {
        const known = taken.get(key);
        const usable = known && known.boxVersion === boxVersion && known.seed.rotateAt > now && known.seed.committedAt < requestedAt ? known : null;
        if (usable && expiresAt <= usable.revealNotBefore) return usable.seed;
        const seed = usable?.seed ?? (await current(boxId, now));
        if (seed.committedAt >= requestedAt) throw new SeedNotReady(`box ${key}: the seed in use was committed after this order's request began (${seed.committedAt.toISOString()} ≥ ${requestedAt.toISOString()}, generation ${seed.generation})`);
        const revealNotBefore = new Date(expiresAt.getTime() + revealStepMs);
        const registered = await Seed.updateOne({ _id: seed._id, retiredAt: null }, { $max: { lastOrderExpiresAt: revealNotBefore } });
        if (registered.matchedCount === 1) {
          taken.set(key, { seed, boxVersion, revealNotBefore });
          return seed;
        }
        taken.delete(key);
      }
    },

    /** On demand (admin CLI): the queued seed becomes current, the current one is retired, and a new one is queued. */
    async rotate(boxId: Types.ObjectId, now = new Date()): Promise<{ retired: ServerSeedDoc | null; current: ServerSeedDoc }> {
      const before = (await queue(boxId, now)).current;
      const next = await rotateFrom(boxId, before, now);
      const retired = await Seed.findById(before._id).lean<ServerSeedDoc>();
      return { retired, current: next };
    },

    byId: (seedId: string) => Seed.findById(seedId).lean<ServerSeedDoc>(),

    /**
     * The seed a draw uses, read at most once per process (seeds read to place orders are kept too): a seed's
     * secret and hash never change once committed (only its schedule, retirement and reveal do, and those are
     * never taken from here). Null for an unknown id.
     */
    async secretOf(seedId: string): Promise<SeedSecret | null> {
      const kept = secrets.get(seedId);
      if (kept) return kept;
      const doc = await Seed.findById(seedId).lean<ServerSeedDoc>();
      return doc && remember(doc);
    },

    byIds: (seedIds: readonly string[]) => Seed.find({ _id: { $in: [...new Set(seedIds)] } }).lean<ServerSeedDoc[]>(),

    /** Newest first: the queued seed, the seed in use, then the retired ones. */
    history: (boxId: Types.ObjectId, limit: number, beforeGeneration = Number.MAX_SAFE_INTEGER) =>
      Seed.find({ boxId, generation: { $lt: beforeGeneration } }).sort({ generation: -1 }).limit(limit).lean<ServerSeedDoc[]>(),
  };
}

export type ServerSeeds = ReturnType<typeof serverSeeds>;
