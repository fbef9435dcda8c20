import { Types, type Connection } from 'mongoose';
import { MAX_QUANTITY_PER_ITEM, type CreateOrderRequest, type OrderListQuery, type QuoteRequest, type QuoteResponse } from '@blindbox/shared';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { PaymentService } from '../payments/payment.service';
import { orderModel, type OrderDoc, type OrderItemDoc } from './order.model';
import { orderTransitions } from './order-transitions';
import { canBeClosed } from './order-state';
import { couponDiscountFen, priceOrder } from './pricing';
import { boxModel, type BoxDoc } from '../catalog/box.model';
import { stockLedger } from '../catalog/stock';
import { purchaseQuotas, type QuotaKey } from '../catalog/purchase-quota';
import { saleOpeningOf, saleTermsOf } from '../catalog/sale-terms';
import { couponModel } from '../coupons/coupon.model';
import { couponLocks } from '../coupons/coupon-locks';
import { findUserAddress } from '../users/address.service';
import { NotFound, type DomainError } from '../domain-error';
import { BoxNotFound, BoxRetired, NotOnSale, NotOnSaleYet, OutOfStock, PurchaseLimitReached, QuantityTooLarge, SoldOut } from '../catalog/catalog-errors';
import { CouponExpired, CouponMinSpend, CouponUnavailable } from '../coupons/coupon-errors';
import { OrderStateConflict, TrackingNoteRequired } from './order-errors';
import type { ServerSeeds } from '../fairness/server-seeds';
import { dailyLimits, shopperDayOf } from '../limits/daily-limits';
import { shopperProfiles } from '../users/shopper-profile';
import { setService } from '../sets/set.service';
import type { Clock } from '../clock';

export interface OrderServiceDeps {
  db: Connection;
  config: Pick<Config, 'ORDER_EXPIRY_MINUTES' | 'PURCHASE_LIMIT_PER_BOX' | 'DAILY_SPEND_CAP_FEN' | 'DAILY_DRAW_CAP_PER_BOX'>;
  logger: Logger;
  payments: PaymentService;
  seeds: ServerSeeds;
  /** A drop opens by this clock. */
  clock: Clock;
}

/** How long a box seen sold out is answered so without asking the database again. */
const SOLD_OUT_MEMORY_MS = 250;
/** How long a box's drop schedule is used without reading it again (the decision itself is made at every order). */
const SCHEDULE_MEMORY_MS = 250;

/** Same box twice in a cart is one line (stock holds are per order and box), under the same per-box cap. */
function mergeLines(items: CreateOrderRequest['items']): Array<{ boxId: Types.ObjectId; quantity: number }> {
  const quantities = new Map<string, number>();
  for (const item of items) quantities.set(item.boxId, (quantities.get(item.boxId) ?? 0) + item.quantity);
  const tooMany = [...quantities].find(([, quantity]) => quantity > MAX_QUANTITY_PER_ITEM);
  if (tooMany) throw new QuantityTooLarge(`at most ${MAX_QUANTITY_PER_ITEM} of box ${tooMany[0]} per order`);
  return [...quantities].map(([boxId, quantity]) => ({ boxId: new Types.ObjectId(boxId), quantity }));
}

export function orderService({ db, config, logger, payments, seeds, clock }: OrderServiceDeps) {
  const Order = orderModel(db);
  const Box = boxModel(db);
  const Coupon = couponModel(db);
  const transitions = orderTransitions(db);
  const stock = stockLedger(db);
  const coupons = couponLocks(db);
  const quotas = purchaseQuotas(db);
  const limits = dailyLimits(db, config);
  const profiles = shopperProfiles(db, config);
  const sets = setService(db);
  const log = logger.child({ component: 'orders' });

  const stockLines = (order: OrderDoc) => order.items.map((item) => ({ boxId: item.boxId, quantity: item.quantity }));
  const quotaKey = (userId: Types.ObjectId, item: Pick<OrderItemDoc, 'boxId' | 'dropKey'>): QuotaKey => ({ boxId: item.boxId, dropKey: item.dropKey, userId });

  /**
   * A sold-out box answers from one read of its counter, so the shoppers who arrive after the last unit
   * never queue behind the writes of those still buying; and for a moment after that read from none at all,
   * so a drop's thousands of late arrivals cost the database nothing. The reservation below stays the real
   * guard: a box remembered as sold out a fraction of a second too long only delays a shopper's retry.
   */
  const soldOutSeen = new Map<string, { until: number; availableAgainAt: Date | null }>();
  async function refuseIfSoldOut(lines: ReturnType<typeof mergeLines>): Promise<void> {
    const now = Date.now();
    for (const line of lines) {
      const seen = soldOutSeen.get(line.boxId.toHexString());
      if (seen && seen.until > now) throw new SoldOut(line.boxId, seen.availableAgainAt);
    }
    const available = await stock.available(lines.map((line) => line.boxId));
    for (const line of lines) {
      // A box without a counter is not for sale at all: loading it answers BOX_NOT_FOUND.
      const left = available.get(line.boxId.toHexString());
      if (left !== undefined && left < line.quantity) throw await outOfStock(line.boxId, left);
    }
  }

  /**
   * Before a drop opens, its early shoppers are refused from the box's schedule, read at most once per moment
   * per box: the thousands refreshing in the last seconds cost the database almost nothing. Only the schedule is
   * remembered; open or not is decided by the server's clock at every order, so a drop opens at its exact time.
   */
  const scheduleSeen = new Map<string, { until: number; schedule: Pick<BoxDoc, 'onSaleAt' | 'dropCancelledAt'> }>();
  async function refuseIfNotOnSale(lines: ReturnType<typeof mergeLines>): Promise<void> {
    const unknown = lines.filter((line) => (scheduleSeen.get(line.boxId.toHexString())?.until ?? 0) <= Date.now());
    if (unknown.length > 0) {
      const docs = await Box.find({ _id: { $in: unknown.map((line) => line.boxId) } }).select({ onSaleAt: 1, dropCancelledAt: 1 }).lean<BoxDoc[]>();
      for (const doc of docs) scheduleSeen.set(doc._id.toHexString(), { until: Date.now() + SCHEDULE_MEMORY_MS, schedule: doc });
    }
    const now = clock.now();
    for (const line of lines) {
      // An unknown box is answered BOX_NOT_FOUND by the order itself.
      const schedule = scheduleSeen.get(line.boxId.toHexString())?.schedule;
      const opening = schedule && saleOpeningOf(schedule, now);
      if (opening?.state === 'SCHEDULED') throw new NotOnSaleYet(line.boxId, opening.onSaleAt);
      if (opening?.state === 'CANCELLED') throw new NotOnSale(`the drop of box ${line.boxId.toHexString()} was cancelled`);
    }
  }

  async function outOfStock(boxId: Types.ObjectId, left: number): Promise<DomainError> {
    if (left > 0) return new OutOfStock(`only ${left} left of box ${boxId.toHexString()}`);
    const availableAgainAt = await stock.nextReturnAt(boxId);
    soldOutSeen.set(boxId.toHexString(), { until: Date.now() + SOLD_OUT_MEMORY_MS, availableAgainAt });
    return new SoldOut(boxId, availableAgainAt);
  }

  /** An order is payable for the shortest payment window among its boxes. */
  function expiryFor(lines: ReturnType<typeof mergeLines>, boxes: Map<string, BoxDoc>, now: number): Date {
    const minutes = Math.min(...lines.map((line) => saleTermsOf(boxes.get(line.boxId.toHexString()) as BoxDoc, config).paymentWindowMinutes));
    return new Date(now + minutes * 60_000);
  }

  async function loadBoxes(lines: ReturnType<typeof mergeLines>): Promise<Map<string, BoxDoc>> {
    const boxes = await Box.find({ _id: { $in: lines.map((line) => line.boxId) } }).lean<BoxDoc[]>();
    const retired = boxes.find((box) => box.retiredAt);
    if (retired) throw new BoxRetired(`box ${retired.slug} is retired: it takes no new orders`);
    const byId = new Map(boxes.filter((box) => box.active).map((box) => [box._id.toHexString(), box]));
    const missing = lines.find((line) => !byId.has(line.boxId.toHexString()));
    if (missing) throw new BoxNotFound(missing.boxId);
    return byId;
  }

  function snapshot(lines: ReturnType<typeof mergeLines>, boxes: Map<string, BoxDoc>): OrderItemDoc[] {
    return lines.map((line) => {
      const box = boxes.get(line.boxId.toHexString()) as BoxDoc;
      return {
        boxId: box._id,
        name: box.name,
        coverUrl: box.coverUrl,
        priceFen: box.priceFen,
        quantity: line.quantity,
        dropKey: box.dropKey,
        products: box.products.map(({ productId, name, rarity, imageUrl, weight }) => ({ productId, name, rarity, imageUrl, weight })),
        guarantee: box.guarantee ? { minRarity: box.guarantee.minRarity, within: box.guarantee.within } : null,
        seedId: '',
        boxVersion: box.version,
      };
    });
  }

  async function usableCouponDiscount(couponId: string | undefined, userId: Types.ObjectId, subtotalFen: number): Promise<number | null> {
    if (!couponId) return null;
    const coupon = await Coupon.findOne({ _id: couponId, userId }).lean();
    if (!coupon) throw new NotFound('coupon');
    if (coupon.state !== 'AVAILABLE') throw new CouponUnavailable('coupon is already in use');
    if (coupon.expiresAt <= new Date()) throw new CouponExpired('coupon has expired');
    if (subtotalFen < coupon.minSpendFen) throw new CouponMinSpend(`coupon needs a subtotal of at least ${coupon.minSpendFen} fen`);
    return couponDiscountFen(coupon, subtotalFen);
  }

  async function ownOrder(orderId: Types.ObjectId, userId: Types.ObjectId): Promise<OrderDoc> {
    const order = await Order.findOne({ _id: orderId, userId }).lean<OrderDoc>();
    if (!order) throw new NotFound('order');
    return order;
  }

  /** Gives stock and coupon back after a close; every step is guarded, so re-running it is harmless. */
  async function releaseResources(order: OrderDoc): Promise<void> {
    if (order.status !== 'CLOSED' || order.releasedAt) return;
    await stock.release(order._id, stockLines(order));
    await sets.release(order._id, order.items);
    for (const item of order.items) await quotas.giveBack(quotaKey(order.userId, item), order._id, item.quantity);
    await limits.giveBack(order.userId, order._id, order.limitDay, order.totalFen, stockLines(order));
    if (order.couponId) await coupons.release(order.couponId, order._id);
    await Order.updateOne({ _id: order._id, status: 'CLOSED', releasedAt: null }, { $set: { releasedAt: new Date(), releaseDueAt: null } });
    log.info({ orderId: order._id.toHexString() }, 'stock and coupon released');
  }

  /**
   * Closes an unpaid order at both ends: WeChat first (a payment found there is applied instead), then our
   * side, then its stock and coupon. Resumable at any step after a crash.
   */
  async function closeUnpaid(orderId: Types.ObjectId, cause: { reason: string; actor: string }): Promise<OrderDoc> {
    for (;;) {
      const order = await Order.findById(orderId).lean<OrderDoc>();
      if (!order) throw new NotFound('order');
      if (order.status === 'CLOSED') {
        await releaseResources(order);
        return order;
      }
      if (!canBeClosed(order.status)) return order;
      if ((await payments.closeOpenAttempt(order, cause.actor)) === 'PAID') continue;
      const closed = await transitions.close(orderId, order.payment.attemptCount, cause);
      if (closed) {
        log.info({ orderId: orderId.toHexString(), actor: cause.actor, reason: cause.reason }, 'order closed');
        await releaseResources(closed);
        return closed;
      }
    }
  }

  return {
    closeUnpaid,

    /**
     * Refuses an order for a box whose drop has not opened (or was cancelled), for a set position already taken,
     * or for a box that is sold out (or short), from memory or one read each. The order route asks it before the
     * rate limit and create(); create() itself relies on the reservation and the position holds, the real guards.
     */
    async assertAvailable(items: CreateOrderRequest['items']): Promise<void> {
      const lines = mergeLines(items);
      await refuseIfNotOnSale(lines);
      // Positions before stock: a set's late arrivals are then mostly answered from memory.
      await sets.refuseTaken(items);
      await refuseIfSoldOut(lines);
    },

    releaseResources,

    async quote(userId: Types.ObjectId, request: QuoteRequest): Promise<QuoteResponse> {
      const lines = mergeLines(request.items);
      const boxes = await loadBoxes(lines);
      const items = snapshot(lines, boxes);
      const { subtotalFen } = priceOrder(items, null);
      return priceOrder(items, await usableCouponDiscount(request.couponId, userId, subtotalFen));
    },

    /**
     * Prices from the database, then takes the shopper's purchase quota, locks the coupon and reserves stock,
     * each step undone (in reverse) if a later one fails, and stores the order last.
     */
    async create(userId: Types.ObjectId, openid: string, request: CreateOrderRequest): Promise<OrderDoc> {
      const lines = mergeLines(request.items);
      const boxes = await loadBoxes(lines);
      const { clientSeed } = await profiles.mayOrder(userId);
      const address = await findUserAddress(db, userId, new Types.ObjectId(request.addressId));
      if (!address) throw new NotFound('address');
      const picks = await sets.picksFor(request.items, boxes);
      const items = snapshot(lines, boxes).map((item) => ({ ...item, setPick: picks.get(item.boxId.toHexString()) ?? null }));
      const orderId = new Types.ObjectId();
      const { subtotalFen } = priceOrder(items, null);
      const couponId = request.couponId ? new Types.ObjectId(request.couponId) : null;
      if (couponId) await usableCouponDiscount(request.couponId, userId, subtotalFen);
      const placedAt = new Date();
      const expiresAt = expiryFor(lines, boxes, placedAt.getTime());
      const limitDay = shopperDayOf(placedAt);
      // The seed is taken now, before the order id and client seed it will be combined with are stored:
      // its hash was public before this order existed, so the server cannot choose a seed to suit them.
      // Nothing to undo if a later step fails: the seed's reveal merely waits for this order's deadline too.
      // A whole-set line takes no seed: its designs were fixed (and committed) when its set was made.
      for (const item of items) if (!item.setPick) item.seedId = (await seeds.takeForOrder(item.boxId, expiresAt, placedAt))._id;
      const actor = `user:${userId.toHexString()}`;

      const undo: Array<() => Promise<void>> = [];
      try {
        // Positions first: most shoppers racing for a set lose here, and then they have taken nothing else.
        await sets.hold(orderId, items, expiresAt);
        undo.push(async () => void (await sets.release(orderId, items)));
        for (const item of items) {
          const { purchaseLimit } = saleTermsOf(boxes.get(item.boxId.toHexString()) as BoxDoc, config);
          if (!(await quotas.take(quotaKey(userId, item), orderId, item.quantity, purchaseLimit))) {
            throw new PurchaseLimitReached(`at most ${purchaseLimit} of box ${item.boxId.toHexString()} per shopper in this drop`, { limit: purchaseLimit });
          }
          undo.push(() => quotas.giveBack(quotaKey(userId, item), orderId, item.quantity));
        }

        let couponAmount: number | null = null;
        if (couponId) {
          const locked = await coupons.lock(couponId, userId, orderId, subtotalFen, new Date());
          if (!locked) throw new CouponUnavailable('coupon cannot be used for this order');
          undo.push(() => coupons.release(couponId, orderId));
          couponAmount = couponDiscountFen(locked, subtotalFen);
        }
        const price = priceOrder(items, couponAmount);
        await limits.take(userId, orderId, limitDay, price.totalFen, lines);
        undo.push(() => limits.giveBack(userId, orderId, limitDay, price.totalFen, lines));

        const stocked = lines.filter((line) => !picks.has(line.boxId.toHexString()));
        const short = await stock.reserve(orderId, stocked, expiresAt);
        if (short) {
          const left = (await stock.available([short])).get(short.toHexString()) ?? 0;
          throw await outOfStock(short, left);
        }
        undo.push(() => stock.release(orderId, stocked));

        const [created] = await Order.create([
          {
            _id: orderId,
            userId,
            openid,
            status: 'TO_BE_PAID',
            items,
            ...price,
            address,
            couponId,
            expiresAt,
            clientSeed,
            limitDay,
            audit: [{ from: null, to: 'TO_BE_PAID', reason: 'order placed', actor, at: new Date() }],
          },
        ]);
        if (!created) throw new Error('order not created');
        log.info({ orderId: orderId.toHexString(), totalFen: price.totalFen, actor }, 'order placed');
        return created.toObject<OrderDoc>();
      } catch (error) {
        for (const step of undo.reverse()) await step();
        throw error;
      }
    },

    async list(userId: Types.ObjectId, query: OrderListQuery): Promise<{ items: OrderDoc[]; total: number }> {
      const filter = query.status ? { userId, status: query.status } : { userId };
      const [items, total] = await Promise.all([
        Order.find(filter)
          .sort({ createdAt: -1, _id: -1 })
          .skip((query.page - 1) * query.pageSize)
          .limit(query.pageSize)
          .lean<OrderDoc[]>(),
        Order.countDocuments(filter),
      ]);
      return { items, total };
    },

    get: ownOrder,

    async cancel(orderId: Types.ObjectId, userId: Types.ObjectId): Promise<OrderDoc> {
      const order = await ownOrder(orderId, userId);
      if (!canBeClosed(order.status)) throw new OrderStateConflict('ORDER_NOT_CANCELLABLE', `order is ${order.status}; only unpaid orders can be cancelled`);
      const result = await closeUnpaid(orderId, { reason: 'cancelled by the user', actor: `user:${userId.toHexString()}` });
      if (result.status !== 'CLOSED') throw new OrderStateConflict('ORDER_ALREADY_PAID', 'order was paid before it could be cancelled');
      return result;
    },

    async confirmReceipt(orderId: Types.ObjectId, userId: Types.ObjectId): Promise<OrderDoc> {
      const order = await ownOrder(orderId, userId);
      const completed = await transitions.complete(order._id, { reason: 'receipt confirmed', actor: `user:${userId.toHexString()}` });
      if (!completed) throw new OrderStateConflict('ORDER_NOT_DELIVERED', `order is ${order.status}; only delivered orders can be confirmed`);
      return completed;
    },

    async ship(orderId: Types.ObjectId, trackingNote: string, actor: string): Promise<OrderDoc> {
      if (!trackingNote.trim()) throw new TrackingNoteRequired('a tracking note is required');
      const shipped = await transitions.ship(orderId, trackingNote.trim(), { reason: 'shipped', actor });
      if (!shipped) {
        const order = await Order.findById(orderId).lean<OrderDoc>();
        if (!order) throw new NotFound('order');
        throw new OrderStateConflict('ORDER_NOT_SHIPPABLE', `order is ${order.status}; only paid orders can be shipped`);
      }
      return shipped;
    },
  };
}

export type OrderService = ReturnType<typeof orderService>;
