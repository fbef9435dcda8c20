import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection, Types } from 'mongoose';
import { fairDraw, meetsRarity } from '@blindbox/shared';
import { orderModel, type DrawDoc, type OrderDoc, type OrderItemDoc } from '../orders/order.model';
import type { ItemCounts, ItemStock } from '../catalog/item-stock';
import type { TakenUnit } from '../catalog/stock.model';
import { guaranteeCounters, type CounterKey } from './guarantee-counters';
import type { DrawLog } from './draw-log';
import type { SeedSecret, ServerSeeds } from './server-seeds';
import { GuaranteeCounterBusy, GuaranteeUnavailable } from './fairness-errors';
import type { SetService } from '../sets/set.service';

export interface OrderDrawsDeps {
  db: Connection;
  seeds: ServerSeeds;
  items: ItemStock;
  sets: Pick<SetService, 'drawsFor'>;
  /** The public draw log a settled order's draws join. */
  log: Pick<DrawLog, 'append'>;
  /** How long a draw waits for another order of the same shopper and box to finish its draw. */
  waitForCounterMs: number;
}

const WAIT_STEP_MS = 10;
/** A claim held this long is presumed to belong to an applier that died between its steps: the waiter heals it. */
const STUCK_CLAIM_MS = 1_000;

/**
 * Draws an order's units (provably fair, with the guarantee) and keeps the guarantee counters in step with
 * what was stored. The apply-payment path calls `prepare` before its paid-and-drawn write, `release` after it
 * (before answering) and `publish` after the answer, or `settle` (both) for any other outcome; all are safe to
 * repeat (see guarantee-counters.ts for the protocol).
 *
 * Why claim the counter before drawing instead of snapshotting it on the order and advancing it after: the
 * draws depend on the counter (a forced unit), so two orders drawn against the same state would each
 * believe they are the 72nd draw. The claim serialises them; every unit's inputs, `missesBefore` included,
 * are then stored on the order, so the proof and the verifier need nothing but the order and the seed.
 */
export function orderDraws({ db, seeds, items, sets, log, waitForCounterMs }: OrderDrawsDeps) {
  const Order = orderModel(db);
  const counters = guaranteeCounters(db);

  const keyOf = (order: Pick<OrderDoc, 'userId'>, item: Pick<OrderItemDoc, 'boxId'>): CounterKey => ({ userId: order.userId, boxId: item.boxId });
  /**
   * The lines drawn with a server seed (not whole-set lines): each claims its shopper's counter for the box, for
   * the guarantee and for its sequence number. A fixed claiming order (by box id) so two orders sharing two boxes
   * can never each hold one and wait on the other.
   */
  const drawnLines = (order: OrderDoc) =>
    order.items.filter((item) => !item.setPick).sort((a, b) => a.boxId.toHexString().localeCompare(b.boxId.toHexString()));

  /**
   * Finishes or gives up the claims this order holds, from what the order itself says happened (both guarded on
   * the claim): they are what the shopper's count shows and what their next order waits on, so a payment does
   * this before it answers. Safe to repeat and to race.
   */
  async function release(order: OrderDoc): Promise<void> {
    for (const item of drawnLines(order)) {
      const key = keyOf(order, item);
      const draws = order.draws.filter((draw) => draw.boxId.equals(item.boxId));
      const last = draws.at(-1);
      if (last?.proof) {
        const hit = item.guarantee ? meetsRarity(last.rarity, item.guarantee.minRarity) : true;
        await counters.finish(key, order._id, draws.length, hit ? 0 : last.proof.missesBefore + 1);
      } else if (order.status !== 'TO_BE_PAID') {
        await counters.giveUp(key, order._id);
      }
    }
  }

  /** Logs a drawn order's draws publicly (idempotent: a repeat finds them logged). */
  async function publish(order: OrderDoc): Promise<void> {
    if (order.draws.length > 0) await log.append(order);
  }

  /**
   * All the fairness side of an order's outcome: its claims, then its public log entries. Every applier settles
   * again (a channel retries until answered, so a crash before the answer is followed by a repeat), and the
   * payment's settling sweep finishes what a crash after the answer cut short (payments/apply-payment.ts).
   * The units a line took out of its items are one of the order's holds: kept or given back with the others
   * (orders/order-holds.ts).
   */
  async function settle(order: OrderDoc): Promise<void> {
    await release(order);
    await publish(order);
  }

  /** Helps the order holding a counter finish (it may have crashed between its steps). */
  async function settleHolder(orderId: string): Promise<void> {
    const holder = await Order.findById(orderId).lean<OrderDoc>();
    if (holder) await settle(holder);
  }

  async function claimFor(order: OrderDoc, item: OrderItemDoc): Promise<{ missesBefore: number; nonce: number; tag: string } | null> {
    const deadline = Date.now() + waitForCounterMs;
    for (;;) {
      const claim = await counters.claim(keyOf(order, item), order._id);
      if (claim.kind === 'CLAIMED') return claim;
      if (claim.kind === 'COUNTED') return null;
      if (Date.now() - claim.at.getTime() > STUCK_CLAIM_MS) await settleHolder(claim.orderId);
      if (Date.now() > deadline) throw new GuaranteeCounterBusy(`box ${item.boxId.toHexString()} is being drawn for another order of this shopper`);
      await sleep(WAIT_STEP_MS);
    }
  }

  return {
    release,
    publish,
    settle,

    /**
     * The draws for an unpaid order, or null when the order turns out to be drawn already (the caller's
     * copy was stale: re-read it). Deterministic given the claims and the seeds the order took when it was
     * placed, so concurrent appliers compute the same draws and whichever write wins stores them.
     */
    async prepare(order: OrderDoc, now = new Date()): Promise<DrawDoc[] | null> {
      // Seeds first: the claims below make another order of this shopper and box wait, so hold them briefly.
      const seedOf = new Map<string, SeedSecret>();
      for (const item of order.items) {
        if (item.setPick) continue;
        // Orders placed before draws were provably fair took no seed: they draw with the box's current one.
        const seed = item.seedId ? await seeds.secretOf(item.seedId) : await seeds.current(item.boxId, now);
        if (!seed) throw new Error(`seed ${item.seedId} of order ${order._id.toHexString()} is missing`);
        seedOf.set(item.boxId.toHexString(), seed);
      }
      const claims = new Map<string, { missesBefore: number; nonce: number; tag: string }>();
      for (const item of drawnLines(order)) {
        const claim = await claimFor(order, item);
        if (claim === null) return null;
        claims.set(item.boxId.toHexString(), claim);
      }
      // When the draw happens, once it is this order's turn (the claims above may have waited for another order).
      const drawnAt = new Date();
      const draws: DrawDoc[] = [];
      for (const item of order.items) {
        if (item.setPick) {
          // A whole-set line delivers the designs at its positions, committed before the sale (sets/).
          draws.push(...(await sets.drawsFor(item)));
          continue;
        }
        const seed = seedOf.get(item.boxId.toHexString()) as SeedSecret;
        const claim = claims.get(item.boxId.toHexString()) as { missesBefore: number; nonce: number; tag: string };
        const firstUnit = draws.length;
        // Message version 2: the shopper's sequence number and the unit's place in the line, nothing the server chose.
        const inputsOf = (unit: number, misses: number, exhausted: readonly string[]) => ({
          serverSeed: seed.seed,
          clientSeed: order.clientSeed,
          key: { version: 2 as const, nonce: claim.nonce, unit },
          products: item.products,
          // Lean reads of lines stored before the guarantee existed have no field at all.
          guarantee: item.guarantee ?? null,
          missesBefore: misses,
          exhausted,
        });
        /**
         * The line's units drawn one after the other against the item counts (null: the box keeps none), each
         * unit seeing what the ones before it took: an item with nothing left takes no tickets.
         */
        const drawLine = (counts: Readonly<ItemCounts> | null): TakenUnit[] => {
          const left = new Map(Object.entries(counts ?? {}));
          let misses = claim.missesBefore;
          const units: TakenUnit[] = [];
          for (let unit = 0; unit < item.quantity; unit++) {
            const exhausted = counts ? item.products.filter((product) => (left.get(product.productId) ?? 0) <= 0).map((product) => product.productId) : [];
            const outcome = fairDraw(inputsOf(unit, misses, exhausted));
            left.set(outcome.productId, (left.get(outcome.productId) ?? 0) - 1);
            misses = outcome.missesAfter;
            units.push({ productId: outcome.productId, exhausted });
          }
          return units;
        };
        const units = (await items.take(order._id, item.boxId, drawLine)) ?? drawLine(null);
        let misses = claim.missesBefore;
        for (const [unit, taken] of units.entries()) {
          const outcome = fairDraw(inputsOf(unit, misses, taken.exhausted));
          const product = item.products.find((candidate) => candidate.productId === outcome.productId);
          if (!product || outcome.productId !== taken.productId) throw new Error(`draw of order ${order._id.toHexString()} unit ${firstUnit + unit} does not match the items taken`);
          draws.push({
            boxId: item.boxId,
            productId: product.productId,
            name: product.name,
            rarity: product.rarity,
            imageUrl: product.imageUrl,
            proof: {
              unitIndex: firstUnit + unit,
              seedId: seed._id,
              serverSeedHash: seed.hash,
              missesBefore: misses,
              exhausted: taken.exhausted,
              forced: outcome.forced,
              drawnAt,
              messageVersion: 2,
              nonce: claim.nonce,
              unit,
              shopperTag: claim.tag,
            },
          });
          misses = outcome.missesAfter;
        }
      }
      return draws;
    },

    /**
     * Refuses a line that could reach the shopper's due guarantee when no item of its rarity is left. The
     * misses this line may reach are at most the counter's plus its own units (other unpaid orders of the
     * shopper are not counted: one of those paid in the same moment is refunded instead of drawn, see
     * apply-payment.ts). Lines of boxes without item counts, or without a guarantee, are never refused.
     */
    async refuseUnkeptGuarantee(userId: Types.ObjectId, item: Pick<OrderItemDoc, 'boxId' | 'quantity' | 'products' | 'guarantee' | 'setPick'>): Promise<void> {
      const { guarantee } = item;
      if (!guarantee || item.setPick) return;
      const counts = await items.counts(item.boxId);
      if (!counts) return;
      const eligibleLeft = item.products.filter((product) => meetsRarity(product.rarity, guarantee.minRarity)).reduce((sum, product) => sum + (counts[product.productId] ?? 0), 0);
      if (eligibleLeft > 0) return;
      const misses = (await counters.state({ userId, boxId: item.boxId }))?.misses ?? 0;
      if (misses + item.quantity >= guarantee.within) {
        throw new GuaranteeUnavailable(`the guarantee of box ${item.boxId.toHexString()} falls due within ${guarantee.within - misses} draws and its items are sold out`, { drawsBeforeDue: guarantee.within - 1 - misses });
      }
    },

    /**
     * How many more draws of this box until the guarantee forces an eligible item (the shopper's own count). A
     * claim whose order is already drawn is settled first (its applier may still be on its way, or have died), so
     * the count shown right after a payment includes that payment's draws.
     */
    async drawsUntilGuarantee(userId: Types.ObjectId, boxId: Types.ObjectId, within: number): Promise<{ misses: number; remaining: number }> {
      let counter = await counters.state({ userId, boxId });
      if (counter?.pending) {
        const holder = await Order.findById(counter.pending.orderId).lean<OrderDoc>();
        if (holder && holder.draws.length > 0) {
          await settle(holder);
          counter = await counters.state({ userId, boxId });
        }
      }
      const misses = counter?.misses ?? 0;
      return { misses, remaining: Math.max(1, within - misses) };
    },
  };
}

export type OrderDraws = ReturnType<typeof orderDraws>;
