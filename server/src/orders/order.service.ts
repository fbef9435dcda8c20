import { Types, type Connection } from 'mongoose';
import { MAX_QUANTITY_PER_ITEM, ORDER_HISTORY, type CreateOrderRequest, type OrderListQuery, type QuoteRequest, type QuoteResponse } from '@blindbox/shared';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { PaymentService } from '../payments/payment.service';
import { orderModel, type OrderDoc, type OrderItemDoc } from './order.model';
import { insertPlain } from '../db/plain-insert';
import { auditEntry, orderTransitions, type TransitionCause } from './order-transitions';
import { addressChangeable, canBeClosed } from './order-state';
import { couponDiscountFen, priceOrder, type Price } from './pricing';
import type { OrderHolds } from './order-holds';
import { stockGate, type Admission, type GateLine } from './stock-gate';
import type { BoxDoc } from '../catalog/box.model';
import type { BoxMemory } from '../catalog/box-memory';
import type { StockLedger } from '../catalog/stock';
import { refuseUnlessOpen, saleTermsOf } from '../catalog/sale-terms';
import { couponModel } from '../coupons/coupon.model';
import { findUserAddress, firstUserAddress } from '../users/address.service';
import { NotFound, type DomainError } from '../domain-error';
import { BoxNotFound, BoxRetired, QuantityTooLarge, shortOfUnits } from '../catalog/catalog-errors';
import { CouponExpired, CouponMinSpend, CouponUnavailable } from '../coupons/coupon-errors';
import { AddressRequired, OrderStateConflict, TrackingNoteRequired } from './order-errors';
import { shopperDayOf } from '../limits/daily-limits';
import { shopperProfiles } from '../users/shopper-profile';
import type { SetService } from '../sets/set.service';
import type { Clock } from '../clock';
import type { OrderDraws } from '../fairness/order-draws';

export interface OrderServiceDeps {
  db: Connection;
  config: Pick<Config, 'ORDER_EXPIRY_MINUTES' | 'PURCHASE_LIMIT_PER_BOX' | 'DAILY_SPEND_CAP_FEN' | 'DAILY_DRAW_CAP_PER_BOX' | 'ORDER_PLACING_CONCURRENCY' | 'MONGODB_POOL_SIZE'>;
  logger: Logger;
  payments: PaymentService;
  /** Everything an order holds, taken, given back and kept through one list. */
  holds: OrderHolds;
  stock: Pick<StockLedger, 'available' | 'nextReturnAt'>;
  /** The boxes orders are placed for, at most BOX_MEMORY_MS old plus one refreshing read (the box page shares them). */
  boxes: BoxMemory;
  sets: Pick<SetService, 'picksFor' | 'refuseTaken'>;
  /** A drop opens by this clock. */
  clock: Clock;
  /** The guarantee (保底) is kept or the order is not taken (fairness/order-draws.ts). */
  guarantees: Pick<OrderDraws, 'refuseUnkeptGuarantee'>;
}

/**
 * The longest a payment's start (a prepay) waits for the shoppers in line for a placing slot (placingsFirst).
 * In a drop they are still waiting to learn whether they got a unit, while a winner's unit is already held for
 * its whole payment window. On a busy machine both use the same CPU and database: a prepay is two database
 * operations, two RSA signatures and WeChat's round trip, and its payment's callback and settling follow right
 * behind it. So a prepay lets the line go first, at most this long (a shopper notices a wait past a second or
 * two). Outside a drop nobody is in line and no prepay waits. Nine paired drop runs (docs/capacity.md): the last
 * winner answered in 1.48–2.25 s with it, 2.29–3.29 s without.
 */
const PREPAY_WAITS_AT_MOST_MS = 1500;

/** The reads a placing makes at once before its holds: the boxes, the shopper's profile, the address. */
const PLACING_READS_AT_ONCE = 3;
/** Connections the process keeps for everything but placing (payment callbacks, prepays, pages), however busy ordering is. */
const CONNECTIONS_KEPT_FREE = 4;

/**
 * How many orders a process places at once: as configured, but never so many that placing could hold every
 * pooled connection (each placing uses up to its reads or its widest step of holds at once), so a payment
 * callback in the same process always finds a connection.
 */
export function placingSlots(config: Pick<Config, 'ORDER_PLACING_CONCURRENCY' | 'MONGODB_POOL_SIZE'>, widestStep: number): number {
  const perPlacing = Math.max(PLACING_READS_AT_ONCE, widestStep);
  return Math.max(1, Math.min(config.ORDER_PLACING_CONCURRENCY, Math.floor((config.MONGODB_POOL_SIZE - CONNECTIONS_KEPT_FREE) / perPlacing)));
}

/** Same box twice in a cart is one line (stock holds are per order and box), under the same per-box cap. */
function mergeLines(items: CreateOrderRequest['items']): Array<{ boxId: Types.ObjectId; quantity: number }> {
  const quantities = new Map<string, number>();
  for (const item of items) quantities.set(item.boxId, (quantities.get(item.boxId) ?? 0) + item.quantity);
  const tooMany = [...quantities].find(([, quantity]) => quantity > MAX_QUANTITY_PER_ITEM);
  if (tooMany) throw new QuantityTooLarge(`at most ${MAX_QUANTITY_PER_ITEM} of box ${tooMany[0]} per order`);
  return [...quantities].map(([boxId, quantity]) => ({ boxId: new Types.ObjectId(boxId), quantity }));
}

/** The lines the stock gate and the box counters see: whole-set picks are held by position instead. */
const stockedLines = (items: CreateOrderRequest['items']): GateLine[] => mergeLines(items.filter((item) => !item.setPick));

const sameLines = (a: readonly GateLine[], b: readonly GateLine[]) =>
  a.length === b.length && a.every((line) => b.some((other) => other.boxId.equals(line.boxId) && other.quantity === line.quantity));

export function orderService({ db, config, logger, payments, holds, stock, boxes: boxMemory, sets, clock, guarantees }: OrderServiceDeps) {
  const Order = orderModel(db);
  const Coupon = couponModel(db);
  const transitions = orderTransitions(db);
  const profiles = shopperProfiles(db, config);
  const log = logger.child({ component: 'orders' });
  const slots = placingSlots(config, holds.widestStep);
  if (slots < config.ORDER_PLACING_CONCURRENCY) {
    log.warn({ slots, ORDER_PLACING_CONCURRENCY: config.ORDER_PLACING_CONCURRENCY, MONGODB_POOL_SIZE: config.MONGODB_POOL_SIZE }, 'fewer orders placed at once than configured: the connection pool is too small for more');
  }
  const gate = stockGate(stock, slots);

  /**
   * Before a drop opens, its early shoppers are refused from the remembered box (box-memory.ts: read at most
   * once per moment per box): the thousands refreshing in the last seconds cost the database almost nothing.
   * Open or not is decided by the server's clock at every order, so a drop opens at its exact time.
   */
  async function refuseIfNotOnSale(lines: readonly GateLine[]): Promise<void> {
    const boxes = await boxMemory.boxes(lines.map((line) => line.boxId));
    const now = clock.now();
    for (const line of lines) {
      // An unknown box is answered BOX_NOT_FOUND by the order itself.
      const box = boxes.get(line.boxId.toHexString());
      if (box) refuseUnlessOpen(line.boxId, box, now);
    }
  }

  /** Why a reservation was refused: short or sold out, as the database says now; the gate learns it too. */
  async function refuseShort(boxId: Types.ObjectId): Promise<DomainError> {
    const left = (await stock.available([boxId])).get(boxId.toHexString()) ?? 0;
    const availableAgainAt = left > 0 ? null : await stock.nextReturnAt(boxId);
    gate.learnShort(boxId, left, availableAgainAt);
    return shortOfUnits(boxId, left, availableAgainAt);
  }

  /** An order is payable for the shortest payment window among its boxes. */
  function expiryFor(lines: ReturnType<typeof mergeLines>, boxes: Map<string, BoxDoc>, now: number): Date {
    const minutes = Math.min(...lines.map((line) => saleTermsOf(boxes.get(line.boxId.toHexString()) as BoxDoc, config).paymentWindowMinutes));
    return new Date(now + minutes * 60_000);
  }

  async function loadBoxes(lines: ReturnType<typeof mergeLines>): Promise<Map<string, BoxDoc>> {
    // The same box the order was admitted with, at most BOX_MEMORY_MS old plus one refreshing read (its price too: docs/capacity.md).
    const boxes = [...(await boxMemory.boxes(lines.map((line) => line.boxId))).values()];
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
        products: box.products.map(({ productId, name, rarity, imageUrl, weight, valueFen }) => ({ productId, name, rarity, imageUrl, weight, valueFen: valueFen ?? null })),
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

  /** What the lines cost with the shopper's coupon, checked usable: the quote's price and the order's. */
  async function priceWithCoupon(items: readonly OrderItemDoc[], couponId: string | undefined, userId: Types.ObjectId): Promise<Price> {
    return priceOrder(items, await usableCouponDiscount(couponId, userId, priceOrder(items, null).subtotalFen));
  }

  async function ownOrder(orderId: Types.ObjectId, userId: Types.ObjectId): Promise<OrderDoc> {
    const order = await Order.findOne({ _id: orderId, userId }).lean<OrderDoc>();
    if (!order) throw new NotFound('order');
    return order;
  }

  /** Gives back everything a closed order held (order-holds.ts); every step is guarded, so re-running it is harmless. */
  async function releaseResources(order: OrderDoc): Promise<void> {
    if (order.status !== 'CLOSED' || order.releasedAt) return;
    // A hold that fails leaves releaseDueAt set: the expiry sweep runs this again, the leftover sweep heals too.
    await holds.giveBack(order);
    // Known here first: the units are for sale again in this process at once (other processes read them back).
    gate.returned(order.items.filter((item) => !item.setPick).map(({ boxId, quantity }) => ({ boxId, quantity })));
    await Order.updateOne({ _id: order._id, status: 'CLOSED', releasedAt: null }, { $set: { releasedAt: new Date(), releaseDueAt: null } });
    log.info({ orderId: order._id.toHexString() }, 'holds given back');
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

  /**
   * Prices from the database, checks what costs no write (box, profile, address, set pick, coupon), then
   * takes the order's holds (order-holds.ts: stock first, where a drop's losers stop) and stores the order
   * last. A refusal or failure gives back what was taken, in reverse.
   */
  async function place(userId: Types.ObjectId, openid: string, request: CreateOrderRequest): Promise<OrderDoc> {
    // Before anything is read or made for this order: the seeds it takes must have been public by then.
    const requestedAt = new Date();
    const lines = mergeLines(request.items);
    const [boxes, { clientSeed }, address] = await Promise.all([
      loadBoxes(lines),
      profiles.mayOrder(userId),
      request.addressId ? findUserAddress(db, userId, new Types.ObjectId(request.addressId)) : firstUserAddress(db, userId),
    ]);
    if (!address) throw request.addressId ? new NotFound('address') : new AddressRequired('choose or add a delivery address first');
    const picks = await sets.picksFor(request.items, boxes);
    const items = snapshot(lines, boxes).map((item) => ({ ...item, setPick: picks.get(item.boxId.toHexString()) ?? null }));
    for (const item of items) await guarantees.refuseUnkeptGuarantee(userId, item);
    const orderId = new Types.ObjectId();
    // Priced once, here, with the coupon as checked: the holds take the price as it is (the coupon hold locks
    // that coupon, the caps count the total), so none of them waits for another.
    const price = await priceWithCoupon(items, request.couponId, userId);
    const couponId = request.couponId ? new Types.ObjectId(request.couponId) : null;
    const placedAt = new Date();
    const expiresAt = expiryFor(lines, boxes, placedAt.getTime());
    const actor = `user:${userId.toHexString()}`;

    const draft = {
      order: { _id: orderId, userId, items, couponId, limitDay: shopperDayOf(placedAt), totalFen: price.totalFen, expiresAt },
      boxes,
      placedAt,
      requestedAt,
      price,
      refuseShort,
    };
    await holds.take(draft);
    try {
      const [created] = await insertPlain(Order, [
        { ...draft.order, openid, status: 'TO_BE_PAID', ...draft.price, address, clientSeed, audit: [auditEntry(null, 'TO_BE_PAID', { reason: ORDER_HISTORY.placed.write(), actor })] },
      ]);
      if (!created) throw new Error('order not created');
      log.info({ orderId: orderId.toHexString(), totalFen: draft.price.totalFen, actor }, 'order placed');
      return created;
    } catch (error) {
      await holds.giveBack(draft.order).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Where the order goes, changed while `by` may still change it (order-state.ts addressChangeable): one write
   * guarded on the status read, the change in the order's history. Not a state change, so not a transition.
   */
  async function readdress(filter: { _id: Types.ObjectId; userId?: Types.ObjectId }, by: 'shopper' | 'staff', address: OrderDoc['address'], cause: TransitionCause): Promise<OrderDoc> {
    for (;;) {
      const order = await Order.findOne(filter).lean<OrderDoc>();
      if (!order) throw new NotFound('order');
      if (!addressChangeable(order.status, by)) throw new OrderStateConflict('ADDRESS_NOT_CHANGEABLE', `order is ${order.status}; ${by === 'shopper' ? "only an unpaid order's address can be changed" : 'a shipped or closed order keeps its address'}`);
      const changed = await Order.findOneAndUpdate(
        { ...filter, status: order.status },
        { $set: { address }, $push: { audit: auditEntry(order.status, order.status, cause) } },
        { returnDocument: 'after' },
      ).lean<OrderDoc>();
      if (changed) return changed;
    }
  }

  /**
   * The sold-out (or short) refusal memory already holds for these items, without a read, a wait or a place in
   * line; null when memory cannot refuse them (admit() decides).
   */
  const refusalFromMemory = (items: CreateOrderRequest['items']): Error | null => gate.refusalFromMemory(stockedLines(items));

  return {
    closeUnpaid,

    /**
     * Resolves once this process has no shopper waiting in line to place an order, or after
     * PREPAY_WAITS_AT_MOST_MS: what a payment's start waits for (placings-first.ts).
     */
    placingsFirst: () => gate.untilLineEmpty(PREPAY_WAITS_AT_MOST_MS),

    /**
     * An order's place in line (stock-gate.ts), or its refusal: sold out or short (from memory, or after waiting
     * for the orders in flight), a drop not open (or cancelled), a set position already taken; from memory or one
     * shared read each. The order routes ask it before the rate limit spends its write; create() settles it.
     */
    async admit(items: CreateOrderRequest['items']): Promise<Admission> {
      const lines = mergeLines(items);
      const stocked = stockedLines(items);
      // Sold out first: a drop's late arrivals are answered from memory before anything else is looked at.
      const soldOut = gate.refusalFromMemory(stocked);
      if (soldOut) throw soldOut;
      // Then what memory mostly answers (a drop not open, a position taken), before waiting in line for a place.
      await refuseIfNotOnSale(lines);
      await sets.refuseTaken(items);
      return gate.admit(stocked);
    },

    releaseResources,

    /** For the door (sold-out-door.ts). */
    refusalFromMemory,

    /**
     * Whether an order of one unit of the box would be refused sold out from memory right now: the moment the last
     * unit is claimed, not up to BOX_MEMORY_MS later. For the box page (catalog.routes.ts).
     */
    remembersSoldOut: (boxId: Types.ObjectId): boolean => gate.refusalFromMemory([{ boxId, quantity: 1 }]) !== null,

    async quote(userId: Types.ObjectId, request: QuoteRequest): Promise<QuoteResponse> {
      // Sold out is told from memory as the order would be: a box that cannot be bought is not priced.
      const soldOut = refusalFromMemory(request.items);
      if (soldOut) throw soldOut;
      const lines = mergeLines(request.items);
      const boxes = await loadBoxes(lines);
      const items = snapshot(lines, boxes);
      return priceWithCoupon(items, request.couponId, userId);
    },

    /** Places the order (place()) for the place in line the routes were given (admit()), and settles that place. */
    async create(userId: Types.ObjectId, openid: string, request: CreateOrderRequest, admission: Admission): Promise<OrderDoc> {
      if (!sameLines(admission.lines, stockedLines(request.items))) throw new Error('the admission was given for other lines than this order');
      try {
        const order = await place(userId, openid, request);
        admission.settle(true);
        return order;
      } catch (error) {
        admission.settle(false);
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
      const result = await closeUnpaid(orderId, { reason: ORDER_HISTORY.cancelledByShopper.write(), actor: `user:${userId.toHexString()}` });
      if (result.status !== 'CLOSED') throw new OrderStateConflict('ORDER_ALREADY_PAID', 'order was paid before it could be cancelled');
      return result;
    },

    /**
     * Delivers an unpaid order to another of the shopper's saved addresses (a drop's one-tap claim took the first).
     * Once paid, the shop is packing it: the shopper asks customer service, who change it in the console.
     */
    async changeAddress(orderId: Types.ObjectId, userId: Types.ObjectId, addressId: Types.ObjectId): Promise<OrderDoc> {
      const address = await findUserAddress(db, userId, addressId);
      if (!address) throw new NotFound('address');
      return readdress({ _id: orderId, userId }, 'shopper', address, { reason: ORDER_HISTORY.addressChanged.write(), actor: `user:${userId.toHexString()}` });
    },

    /** Sends an order not shipped yet to another address, typed by staff (the console, order-desk.ts). */
    readdressByStaff: (orderId: Types.ObjectId, address: OrderDoc['address'], cause: TransitionCause): Promise<OrderDoc> => readdress({ _id: orderId }, 'staff', address, cause),

    async confirmReceipt(orderId: Types.ObjectId, userId: Types.ObjectId): Promise<OrderDoc> {
      const order = await ownOrder(orderId, userId);
      const completed = await transitions.complete(order._id, { reason: ORDER_HISTORY.receiptConfirmed.write(), actor: `user:${userId.toHexString()}` });
      if (!completed) throw new OrderStateConflict('ORDER_NOT_DELIVERED', `order is ${order.status}; only delivered orders can be confirmed`);
      return completed;
    },

    async ship(orderId: Types.ObjectId, trackingNote: string, actor: string): Promise<OrderDoc> {
      if (!trackingNote.trim()) throw new TrackingNoteRequired('a tracking note is required');
      const shipped = await transitions.ship(orderId, trackingNote.trim(), { reason: ORDER_HISTORY.shipped.write(), actor });
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
