import { Types, type Connection } from 'mongoose';
import { MAX_QUANTITY_PER_ITEM, type CreateOrderRequest, type OrderListQuery, type QuoteRequest, type QuoteResponse } from '@blindbox/shared';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { JobScheduler } from '../jobs/job-scheduler';
import type { PaymentService } from '../payments/payment.service';
import { orderModel, type OrderDoc, type OrderItemDoc } from './order.model';
import { orderTransitions } from './order-transitions';
import { priceOrder } from './pricing';
import { boxModel, type BoxDoc } from '../catalog/box.model';
import { stockLedger } from '../catalog/stock';
import { couponModel } from '../coupons/coupon.model';
import { couponLocks } from '../coupons/coupon-locks';
import { findUserAddress } from '../users/address.routes';
import { AppError, badRequest, conflict, notFound } from '../http/app-error';

export interface OrderServiceDeps {
  db: Connection;
  config: Pick<Config, 'ORDER_EXPIRY_MINUTES'>;
  logger: Logger;
  payments: PaymentService;
  scheduler: JobScheduler;
}

/** Same box twice in a cart is one line (stock holds are per order and box), under the same per-box cap. */
function mergeLines(items: CreateOrderRequest['items']): Array<{ boxId: Types.ObjectId; quantity: number }> {
  const quantities = new Map<string, number>();
  for (const item of items) quantities.set(item.boxId, (quantities.get(item.boxId) ?? 0) + item.quantity);
  const tooMany = [...quantities].find(([, quantity]) => quantity > MAX_QUANTITY_PER_ITEM);
  if (tooMany) throw badRequest('QUANTITY_TOO_LARGE', `at most ${MAX_QUANTITY_PER_ITEM} of box ${tooMany[0]} per order`);
  return [...quantities].map(([boxId, quantity]) => ({ boxId: new Types.ObjectId(boxId), quantity }));
}

export function orderService({ db, config, logger, payments, scheduler }: OrderServiceDeps) {
  const Order = orderModel(db);
  const Box = boxModel(db);
  const Coupon = couponModel(db);
  const transitions = orderTransitions(db);
  const stock = stockLedger(db);
  const coupons = couponLocks(db);
  const log = logger.child({ component: 'orders' });

  const stockLines = (order: OrderDoc) => order.items.map((item) => ({ boxId: item.boxId, quantity: item.quantity }));

  async function loadBoxes(lines: ReturnType<typeof mergeLines>): Promise<Map<string, BoxDoc>> {
    const boxes = await Box.find({ _id: { $in: lines.map((line) => line.boxId) }, active: true }).lean<BoxDoc[]>();
    const byId = new Map(boxes.map((box) => [box._id.toHexString(), box]));
    const missing = lines.find((line) => !byId.has(line.boxId.toHexString()));
    if (missing) throw new AppError(404, 'BOX_NOT_FOUND', `box ${missing.boxId.toHexString()} not found`);
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
        products: box.products.map(({ productId, name, rarity, imageUrl, weight }) => ({ productId, name, rarity, imageUrl, weight })),
      };
    });
  }

  async function usableCouponAmount(couponId: string | undefined, userId: Types.ObjectId, subtotalFen: number): Promise<number | null> {
    if (!couponId) return null;
    const coupon = await Coupon.findOne({ _id: couponId, userId }).lean();
    if (!coupon) throw notFound('coupon');
    if (coupon.state !== 'AVAILABLE') throw conflict('COUPON_UNAVAILABLE', 'coupon is already in use');
    if (coupon.expiresAt <= new Date()) throw conflict('COUPON_EXPIRED', 'coupon has expired');
    if (subtotalFen < coupon.minSpendFen) throw conflict('COUPON_MIN_SPEND', `coupon needs a subtotal of at least ${coupon.minSpendFen} fen`);
    return coupon.amountOffFen;
  }

  async function ownOrder(orderId: Types.ObjectId, userId: Types.ObjectId): Promise<OrderDoc> {
    const order = await Order.findOne({ _id: orderId, userId }).lean<OrderDoc>();
    if (!order) throw notFound('order');
    return order;
  }

  /** Gives stock and coupon back after a close; every step is guarded, so re-running it is harmless. */
  async function releaseResources(order: OrderDoc): Promise<void> {
    if (order.status !== 'CLOSED' || order.releasedAt) return;
    await stock.release(order._id, stockLines(order));
    if (order.couponId) await coupons.release(order.couponId, order._id);
    await Order.updateOne({ _id: order._id, status: 'CLOSED', releasedAt: null }, { $set: { releasedAt: new Date() } });
    log.info({ orderId: order._id.toHexString() }, 'stock and coupon released');
  }

  /**
   * Closes an unpaid order at both ends: WeChat first (a payment found there is applied instead), then our
   * side, then its stock and coupon. Resumable at any step after a crash.
   */
  async function closeUnpaid(orderId: Types.ObjectId, cause: { reason: string; actor: string }): Promise<OrderDoc> {
    for (;;) {
      const order = await Order.findById(orderId).lean<OrderDoc>();
      if (!order) throw notFound('order');
      if (order.status === 'CLOSED') {
        await releaseResources(order);
        return order;
      }
      if (order.status !== 'TO_BE_PAID') return order;
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
    releaseResources,

    async quote(userId: Types.ObjectId, request: QuoteRequest): Promise<QuoteResponse> {
      const lines = mergeLines(request.items);
      const boxes = await loadBoxes(lines);
      const items = snapshot(lines, boxes);
      const { subtotalFen } = priceOrder(items, null);
      return priceOrder(items, await usableCouponAmount(request.couponId, userId, subtotalFen));
    },

    /**
     * Prices from the database, reserves stock atomically, locks the coupon, then stores the order.
     * Each earlier step is compensated if a later one fails.
     */
    async create(userId: Types.ObjectId, openid: string, request: CreateOrderRequest): Promise<OrderDoc> {
      const lines = mergeLines(request.items);
      const boxes = await loadBoxes(lines);
      const address = await findUserAddress(db, userId, new Types.ObjectId(request.addressId));
      if (!address) throw notFound('address');
      const items = snapshot(lines, boxes);
      const orderId = new Types.ObjectId();
      const { subtotalFen } = priceOrder(items, null);

      let couponAmount: number | null = null;
      const couponId = request.couponId ? new Types.ObjectId(request.couponId) : null;
      if (couponId) {
        await usableCouponAmount(request.couponId, userId, subtotalFen);
        const locked = await coupons.lock(couponId, userId, orderId, subtotalFen, new Date());
        if (!locked) throw conflict('COUPON_UNAVAILABLE', 'coupon cannot be used for this order');
        couponAmount = locked.amountOffFen;
      }
      const price = priceOrder(items, couponAmount);

      const short = await stock.reserve(orderId, lines);
      if (short) {
        if (couponId) await coupons.release(couponId, orderId);
        throw conflict('OUT_OF_STOCK', `not enough stock for box ${short.toHexString()}`);
      }
      const expiresAt = new Date(Date.now() + config.ORDER_EXPIRY_MINUTES * 60_000);
      const actor = `user:${userId.toHexString()}`;
      try {
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
            audit: [{ from: null, to: 'TO_BE_PAID', reason: 'order placed', actor, at: new Date() }],
          },
        ]);
        if (!created) throw new Error('order not created');
      } catch (error) {
        await stock.release(orderId, lines);
        if (couponId) await coupons.release(couponId, orderId);
        throw error;
      }
      try {
        await scheduler.scheduleExpiry(orderId, expiresAt);
      } catch (error) {
        log.warn({ orderId: orderId.toHexString(), err: error }, 'expiry job not scheduled; the expiry sweep will close the order');
      }
      log.info({ orderId: orderId.toHexString(), totalFen: price.totalFen, actor }, 'order placed');
      return (await Order.findById(orderId).lean<OrderDoc>()) as OrderDoc;
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
      if (order.status !== 'TO_BE_PAID') throw conflict('ORDER_NOT_CANCELLABLE', `order is ${order.status}; only unpaid orders can be cancelled`);
      const result = await closeUnpaid(orderId, { reason: 'cancelled by the user', actor: `user:${userId.toHexString()}` });
      if (result.status !== 'CLOSED') throw conflict('ORDER_ALREADY_PAID', 'order was paid before it could be cancelled');
      return result;
    },

    async confirmReceipt(orderId: Types.ObjectId, userId: Types.ObjectId): Promise<OrderDoc> {
      const order = await ownOrder(orderId, userId);
      const completed = await transitions.complete(order._id, { reason: 'receipt confirmed', actor: `user:${userId.toHexString()}` });
      if (!completed) throw conflict('ORDER_NOT_DELIVERED', `order is ${order.status}; only delivered orders can be confirmed`);
      return completed;
    },

    async ship(orderId: Types.ObjectId, trackingNote: string, actor: string): Promise<OrderDoc> {
      if (!trackingNote.trim()) throw badRequest('TRACKING_NOTE_REQUIRED', 'a tracking note is required');
      const shipped = await transitions.ship(orderId, trackingNote.trim(), { reason: 'shipped', actor });
      if (!shipped) {
        const order = await Order.findById(orderId).lean<OrderDoc>();
        if (!order) throw notFound('order');
        throw conflict('ORDER_NOT_SHIPPABLE', `order is ${order.status}; only paid orders can be shipped`);
      }
      return shipped;
    },
  };
}

export type OrderService = ReturnType<typeof orderService>;
