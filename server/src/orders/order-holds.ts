import { Types, type Connection } from 'mongoose';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Clock } from '../clock';
import type { BoxDoc } from '../catalog/box.model';
import { STUCK_STEP_MS, type StockLedger } from '../catalog/stock';
import type { ItemStock } from '../catalog/item-stock';
import { refuseUnlessOpen, saleTermsOf } from '../catalog/sale-terms';
import { PurchaseLimitReached } from '../catalog/catalog-errors';
import type { CouponLocks } from '../coupons/coupon-locks';
import { CouponUnavailable } from '../coupons/coupon-errors';
import type { ServerSeeds } from '../fairness/server-seeds';
import type { SetService } from '../sets/set.service';
import type { PurchaseQuotas, QuotaKey } from '../limits/purchase-quota';
import type { DailyLimits } from '../limits/daily-limits';
import type { CountedUnits } from '../limits/counted-units';
import { DomainError } from '../domain-error';
import { orderModel, type OrderDoc, type OrderItemDoc } from './order.model';
import { holdFateOf, type HoldFate } from './order-state';
import { couponDiscountFen, priceOrder, type Price } from './pricing';

/** What the holds need of an order, stored or still being placed. */
export type HeldOrder = Pick<OrderDoc, '_id' | 'userId' | 'items' | 'couponId' | 'limitDay' | 'totalFen' | 'expiresAt'>;

/** An order being placed: the holds fill in its seeds and its price as they take their parts. */
export interface OrderDraft {
  order: HeldOrder;
  boxes: ReadonlyMap<string, BoxDoc>;
  placedAt: Date;
  /** When the order's request began: the seeds it takes were committed before (fairness/server-seeds.ts). */
  requestedAt: Date;
  /** Priced before any hold, with the coupon's discount as checked (its terms never change); the caps count the total. */
  price: Price;
  /** Told when a box is short: remembers a sold-out box and says how to refuse. */
  refuseShort(boxId: Types.ObjectId): Promise<Error>;
}

/** Asks the fate of the orders behind some leftovers, in one read. */
export type FatesOf = (orderIds: readonly Types.ObjectId[]) => Promise<Map<string, HoldFate>>;

/**
 * One thing an order holds. Placing takes them step by step (placingSteps); a refusal or failure gives back the
 * ones taken, in reverse; a close gives all back, a payment keeps all, and the leftover sweep asks each to find and
 * heal what a crash left of it. Every step is a guarded write, so each may run again, or race another.
 */
export interface OrderHold {
  readonly name: string;
  /** Takes this part for the order being placed, or throws the refusal having kept nothing. Absent: taken at payment. */
  take?(draft: OrderDraft): Promise<void>;
  giveBack(order: HeldOrder): Promise<void>;
  /** The order is fulfilled (order-state.ts isFulfilled): what it holds is its own for good. */
  keep(order: OrderDoc): Promise<void>;
  /** Finds leftovers of this hold that a crash cut off from their order's fate, settles them, says how many. */
  sweep(now: Date, fatesOf: FatesOf, limit: number): Promise<number>;
}

/** A hold placing takes (the item takes are taken at payment instead). */
export type PlacingHold = OrderHold & Required<Pick<OrderHold, 'take'>>;

export interface OrderHoldsDeps {
  db: Connection;
  config: Pick<Config, 'PURCHASE_LIMIT_PER_BOX' | 'ORDER_EXPIRY_MINUTES'>;
  logger: Logger;
  clock: Clock;
  stock: StockLedger;
  items: ItemStock;
  sets: SetService;
  seeds: ServerSeeds;
  quotas: PurchaseQuotas;
  limits: DailyLimits;
  coupons: CouponLocks;
}

const stockLines = (order: Pick<HeldOrder, 'items'>, only: (item: OrderItemDoc) => boolean = () => true) =>
  order.items.filter(only).map((item) => ({ boxId: item.boxId, quantity: item.quantity }));
const quotaKey = (order: Pick<HeldOrder, 'userId'>, item: Pick<OrderItemDoc, 'boxId' | 'dropKey'>): QuotaKey => ({ boxId: item.boxId, dropKey: item.dropKey, userId: order.userId });
const dailyTakeOf = (order: HeldOrder) => ({ userId: order.userId, orderId: order._id, day: order.limitDay, totalFen: order.totalFen, lines: stockLines(order) });

/**
 * Settles leftovers of a hold by their order's fate, read in one go: kept for a fulfilled order, given back for an
 * ended or never-stored one, left for an order still payable. Says how many were settled.
 */
async function settleByFate<T extends { orderId: Types.ObjectId }>(
  leftovers: readonly T[],
  fatesOf: FatesOf,
  settle: { keep(leftover: T): Promise<unknown>; giveBack(leftover: T): Promise<unknown> },
): Promise<number> {
  const fates = await fatesOf(leftovers.map((leftover) => leftover.orderId));
  let settled = 0;
  for (const leftover of leftovers) {
    const fate = fates.get(leftover.orderId.toHexString());
    if (fate !== 'KEEP' && fate !== 'RELEASE') continue;
    await (fate === 'KEEP' ? settle.keep(leftover) : settle.giveBack(leftover));
    settled += 1;
  }
  return settled;
}

/** Settles a counter's pending orders by their fate (the quota's and the caps' sweep: each its own kind). */
async function sweepCounted(counters: CountedUnits, now: Date, fatesOf: FatesOf, limit: number): Promise<number> {
  let settled = 0;
  for (const counter of await counters.due(now, limit)) {
    // A pending token starts with its order's id (`<orderId>:…`).
    const pending = counter.pending.map((token) => ({ token, orderId: new Types.ObjectId(token.split(':')[0]) }));
    settled += await settleByFate(pending, fatesOf, {
      keep: ({ token }) => counters.settlePending(counter._id, token, 'KEEP'),
      giveBack: ({ token }) => counters.settlePending(counter._id, token, 'RELEASE'),
    });
    await counters.doneChecking(counter._id, now);
  }
  return settled;
}

/**
 * The holds, in the order placing takes them (placingSteps below). Stock first, right after the cheap checks: in
 * a drop it is the one most likely to refuse, so a shopper who loses spends one guarded write and takes nothing else.
 */
export function orderHolds({ db, config, logger, clock, stock, items, sets, seeds, quotas, limits, coupons }: OrderHoldsDeps) {
  const Order = orderModel(db);
  const log = logger.child({ component: 'order-holds' });
  const isStocked = (item: OrderItemDoc) => !item.setPick;

  const stockHold: PlacingHold = {
    name: 'stock',
    /**
     * The drop's opening and cancellation are decided here, by the server's clock, against the boxes this
     * placing read, right before the units are taken: no route, cart or race reaches the stock without it.
     */
    async take({ order, boxes, refuseShort }) {
      const now = clock.now();
      for (const item of order.items) refuseUnlessOpen(item.boxId, boxes.get(item.boxId.toHexString()) as BoxDoc, now);
      const short = await stock.reserve(order._id, stockLines(order, isStocked), order.expiresAt);
      if (short) throw await refuseShort(short);
    },
    giveBack: (order) => stock.release(order._id, stockLines(order, isStocked)),
    keep: (order) => stock.keep(order._id, stockLines(order, isStocked)),
    /** Counter changes a crash cut short (stock.heal), then holds past their window, by their order's fate. */
    async sweep(now, fatesOf, limit) {
      const healed = await stock.heal(now);
      const lineOf = (hold: { boxId: Types.ObjectId; quantity: number }) => [{ boxId: hold.boxId, quantity: hold.quantity }];
      const settled = await settleByFate(await stock.expiredHolds(now, limit), fatesOf, {
        keep: (hold) => stock.keep(hold.orderId, lineOf(hold)),
        giveBack: (hold) => stock.release(hold.orderId, lineOf(hold)),
      });
      return healed.reclaimed + healed.releasesFinished + settled;
    },
  };
  const positionsHold: PlacingHold = {
    name: 'set positions',
    take: ({ order }) => sets.hold(order._id, order.items, order.expiresAt),
    giveBack: async (order) => void (await sets.release(order._id, order.items)),
    keep: (order) => sets.keep(order),
    /** Positions held past their order's window: a fulfilled order's are sold with its designs, any other's go back. */
    async sweep(now, fatesOf, limit) {
      return settleByFate(await sets.expiredHolds(now, limit), fatesOf, {
        async keep(hold) {
          const order = await Order.findById(hold.orderId).lean<OrderDoc>();
          if (order) await sets.keep(order);
        },
        giveBack: (hold) => sets.releaseHold(hold.orderId, { setId: hold.setId, boxId: hold.boxId, positions: [hold.position] }),
      });
    },
  };
  const seedHold: PlacingHold = {
    /**
     * The server seed each drawn line will use (commit–reveal: its hash was public before this order existed).
     * Taken once the order is sure of its units, so a loser takes none. Nothing to give back or sweep: a seed
     * taken for an order that never was only waits for that order's deadline before its reveal. Whole-set
     * lines take none (their designs were committed with their set). When the seed is taken is the fairness
     * rules' to decide; this is the one place it happens.
     */
    name: 'seed commitment',
    async take({ order, boxes, placedAt, requestedAt }) {
      for (const item of order.items) {
        if (!isStocked(item)) continue;
        const { version } = boxes.get(item.boxId.toHexString()) as BoxDoc;
        const seed = await seeds.takeForOrder(item.boxId, version, order.expiresAt, requestedAt, placedAt);
        item.seedId = seed._id;
        item.seedHash = seed.hash;
      }
    },
    giveBack: async () => undefined,
    keep: async () => undefined,
    sweep: async () => 0,
  };
  const quotaHold: PlacingHold = {
    name: 'purchase quota',
    async take({ order, boxes }) {
      const taken: OrderItemDoc[] = [];
      for (const item of order.items) {
        const { purchaseLimit } = saleTermsOf(boxes.get(item.boxId.toHexString()) as BoxDoc, config);
        if (!(await quotas.take(quotaKey(order, item), order._id, item.quantity, purchaseLimit, order.expiresAt))) {
          for (const done of taken) await quotas.giveBack(quotaKey(order, done), order._id, done.quantity);
          throw new PurchaseLimitReached(`at most ${purchaseLimit} of box ${item.boxId.toHexString()} per shopper in this drop`, { limit: purchaseLimit });
        }
        taken.push(item);
      }
    },
    async giveBack(order) {
      for (const item of order.items) await quotas.giveBack(quotaKey(order, item), order._id, item.quantity);
    },
    // Nothing on the payment's path: the units are counted already; the sweep drops the order's pending mark
    // once its window is over (one write in the background instead of one per line in the callback).
    keep: async () => undefined,
    sweep: (now, fatesOf, limit) => sweepCounted(quotas.counters, now, fatesOf, limit),
  };
  const couponHold: PlacingHold = {
    name: 'coupon',
    async take(draft) {
      const { order } = draft;
      if (!order.couponId) return;
      const locked = await coupons.lock(order.couponId, order.userId, order._id, draft.price.subtotalFen, new Date());
      if (!locked) throw new CouponUnavailable('coupon cannot be used for this order');
      // The order was priced with this coupon's terms as read before the holds; a coupon's terms never change
      // once issued, so a difference is a bug: failing here gives the lock back with everything else.
      const { discountFen } = priceOrder(order.items, couponDiscountFen(locked, draft.price.subtotalFen));
      if (discountFen !== draft.price.discountFen) throw new Error(`coupon ${order.couponId.toHexString()} takes ${discountFen} fen off, the order was priced with ${draft.price.discountFen}`);
    },
    giveBack: async (order) => void (order.couponId && (await coupons.release(order.couponId, order._id))),
    keep: async (order) => void (order.couponId && (await coupons.markUsed(order.couponId, order._id))),
    /** Coupons still LOCKED: a fulfilled order's are spent, an ended or never-stored one's come back. */
    async sweep(now, fatesOf, limit) {
      return settleByFate(await coupons.lockedWithOrder(limit), fatesOf, {
        keep: (coupon) => coupons.markUsed(coupon._id, coupon.orderId),
        giveBack: (coupon) => coupons.release(coupon._id, coupon.orderId),
      });
    },
  };
  const capsHold: PlacingHold = {
    name: 'daily caps',
    take: ({ order }) => limits.take(dailyTakeOf(order), order.expiresAt),
    giveBack: (order) => limits.giveBack(dailyTakeOf(order)),
    // As the quota: counted already; the sweep drops the pending mark in the background.
    keep: async () => undefined,
    sweep: (now, fatesOf, limit) => sweepCounted(limits.counters, now, fatesOf, limit),
  };
  const itemTakesHold: OrderHold = {
    /** The units taken out of a box's item counts when the order is drawn (at payment, fairness/order-draws.ts). */
    name: 'item takes',
    async giveBack(order) {
      for (const item of order.items) await items.giveBack(order._id, item.boxId);
    },
    async keep(order) {
      for (const item of order.items) if (order.draws.some((draw) => draw.boxId.equals(item.boxId))) await items.settleTaken(order._id, item.boxId);
    },
    /** Lines left on a counter past the stuck-step age: settled or given back by their order's fate. */
    async sweep(now, fatesOf, limit) {
      return settleByFate(await items.linesInFlight(new Date(now.getTime() - STUCK_STEP_MS), limit), fatesOf, {
        keep: (line) => items.settleTaken(line.orderId, line.boxId),
        giveBack: (line) => items.giveBack(line.orderId, line.boxId),
      });
    },
  };

  /**
   * Placing takes the holds step by step, each step once the one before is taken: the stock alone first (a drop's
   * loser spends that one write), the set positions next, then the rest at once. None of the last four waits
   * for another (the price, which the caps count, is set before any hold), so a winner waits for one round trip
   * there instead of four. A crash may therefore leave any of them: each has its own sweep.
   */
  const placingSteps: ReadonlyArray<readonly PlacingHold[]> = [[stockHold], [positionsHold], [seedHold, quotaHold, couponHold, capsHold]];
  const list: readonly OrderHold[] = [...placingSteps.flat(), itemTakesHold];

  /** Runs `step` on every hold, in `holds`' order, going on past a failure; throws the first failure at the end. */
  async function each(holds: readonly OrderHold[], orderId: Types.ObjectId, what: string, step: (hold: OrderHold) => Promise<unknown>): Promise<void> {
    let failure: unknown = null;
    for (const hold of holds) {
      try {
        await step(hold);
      } catch (error) {
        // The others still run: whatever this one left, the leftover sweep finishes.
        log.error({ orderId: orderId.toHexString(), hold: hold.name, err: error }, `${what} failed; the leftover sweep finishes it`);
        failure ??= error;
      }
    }
    if (failure) throw failure;
  }

  const fatesAt = (now: Date): FatesOf => async (orderIds) => {
    if (orderIds.length === 0) return new Map();
    const orders = await Order.find({ _id: { $in: orderIds } }).select({ status: 1, draws: 1 }).lean<Array<Pick<OrderDoc, '_id' | 'status' | 'draws'>>>();
    const byId = new Map(orders.map((order) => [order._id.toHexString(), order]));
    return new Map(orderIds.map((id) => [id.toHexString(), holdFateOf(id, byId.get(id.toHexString()), now)]));
  };

  return {
    /** The holds themselves, in placing order (close gives back in reverse, settling keeps in order). */
    list,
    /** The holds placing takes, step by step (the crash tests stop after any holds of a step). */
    placingSteps,
    /** The most holds placing takes at once (its widest step): as many database connections in use at once. */
    widestStep: Math.max(...placingSteps.map((step) => step.length)),

    /**
     * Takes every hold for the order being placed, in order; when one refuses or fails, gives back the ones
     * taken in reverse, every one of them even if one fails (the sweep finishes that one), and throws the refusal.
     */
    async take(draft: OrderDraft): Promise<void> {
      const taken: OrderHold[] = [];
      try {
        for (const step of placingSteps) {
          const outcomes = await Promise.allSettled(step.map((hold) => hold.take(draft)));
          let refusal: unknown = null;
          outcomes.forEach((outcome, index) => {
            const hold = step[index] as PlacingHold;
            // A refusal keeps nothing; a failure (the database went away) may have kept part: give that back too.
            if (outcome.status === 'fulfilled' || !(outcome.reason instanceof DomainError)) taken.push(hold);
            if (outcome.status === 'rejected') refusal ??= outcome.reason;
          });
          if (refusal) throw refusal;
        }
      } catch (error) {
        await each(taken.reverse(), draft.order._id, 'undo', (hold) => hold.giveBack(draft.order)).catch(() => undefined);
        throw error;
      }
    },

    /** An unpaid order ended: everything goes back, in reverse. */
    giveBack: (order: HeldOrder) => each([...list].reverse(), order._id, 'give-back', (hold) => hold.giveBack(order)),

    /** The order is fulfilled: everything it holds is its own. */
    keep: (order: OrderDoc) => each(list, order._id, 'keep', (hold) => hold.keep(order)),

    /**
     * Finds and heals what crashes left, hold by hold, in reverse (item takes before the stock counters whose
     * tokens carry them). Every query is index-backed and limited: the cost follows what is left over.
     */
    async sweep(now: Date, limit: number): Promise<Record<string, number>> {
      const settled: Record<string, number> = {};
      for (const hold of [...list].reverse()) settled[hold.name] = await hold.sweep(now, fatesAt(now), limit);
      return settled;
    },
  };
}

export type OrderHolds = ReturnType<typeof orderHolds>;
