import { Types, type Connection } from 'mongoose';
import {
  AFTERSALES_KIND_LABELS,
  AFTERSALES_MESSAGES_MAX,
  OPEN_AFTERSALES_STATUSES,
  REFUND_REASON_MAX,
  SHIPPING_CARRIER_CODES,
  type AftersalesMessageRequest,
  type AftersalesResolveRequest,
  type AftersalesStatus,
  type CreateAftersalesRequest,
} from '@blindbox/shared';
import type { Logger } from '../logger';
import type { ChangeRecorder } from '../admin/admin-audit';
import { DomainError, NotFound } from '../domain-error';
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { orderModel, type OrderDoc } from '../orders/order.model';
import type { RefundService } from '../payments/refund.service';
import { UnknownCarrier } from '../orders/order-desk';
import { aftersalesModel, openLineKey, resolvedLineKey, type AftersalesDoc, type AftersalesEventDoc, type AftersalesMessageDoc, type AftersalesResolutionDoc } from './aftersales.model';
import { AftersalesAlreadyOpen, AftersalesAlreadyResolved, AftersalesClosed, AftersalesNotAllowed, AftersalesRefundOverCap, AftersalesThreadFull } from './aftersales-errors';
import type { AftersalesNoticeEvent, AftersalesNotices } from './aftersales-notices';
import type { AftersalesPhotos } from './aftersales-photos';
import { DECIDABLE, isOpen, refundCapFen, refundKey, refundOf, takesAftersales } from './aftersales-rules';

export interface AftersalesDeps {
  db: Connection;
  logger: Logger;
  refunds: Pick<RefundService, 'refund' | 'processRefunds'>;
  notices: AftersalesNotices;
  photos: Pick<AftersalesPhotos, 'assertOwned'>;
}

/** A staff member acting on a request: audited through `change`, refunds held to `refundLimitFen`. */
export interface AftersalesCaller {
  actor: string;
  change: ChangeRecorder;
  refundLimitFen: number | null;
}

/** A write lost to a concurrent one is tried again from a fresh read; this many times is plenty for a thread. */
const RETRIES = 5;

const event = (from: AftersalesStatus | null, to: AftersalesStatus, actor: string, reason: string): AftersalesEventDoc => ({ from, to, actor, reason, at: new Date() });

/**
 * After-sales requests: the shopper opens one per order line and writes in its thread; staff reply and resolve
 * it. Every change is one write guarded on the status (and thread length) read, so a double click, a colleague
 * at the same time or a retry changes it once; resolving by refund goes through the refund service under the
 * request's own key, so it gives money back once however often it is asked.
 */
export function aftersalesService({ db, logger, refunds, notices, photos }: AftersalesDeps) {
  const Request = aftersalesModel(db);
  const Order = orderModel(db);
  const log = logger.child({ component: 'aftersales' });

  async function loadOrder(orderId: Types.ObjectId): Promise<OrderDoc> {
    const order = await Order.findById(orderId).lean<OrderDoc>();
    if (!order) throw new NotFound('order');
    return order;
  }

  async function load(id: Types.ObjectId): Promise<AftersalesDoc> {
    const request = await Request.findById(id).lean<AftersalesDoc>();
    if (!request) throw new NotFound('after-sales request');
    return request;
  }

  async function own(userId: Types.ObjectId, id: Types.ObjectId): Promise<AftersalesDoc> {
    const request = await load(id);
    // Someone else's request is answered as missing: its existence is not the caller's business.
    if (!request.userId.equals(userId)) throw new NotFound('after-sales request');
    return request;
  }

  /** Never holds up the step that was done: a notice that fails is logged, the page shows the news anyway. */
  async function tell(request: AftersalesDoc, what: AftersalesNoticeEvent): Promise<void> {
    try {
      await notices.notify(request, what);
    } catch (error) {
      log.warn({ aftersalesId: request._id.toHexString(), orderId: request.orderId.toHexString(), event: what, err: error }, 'after-sales notice failed');
    }
  }

  /**
   * Adds a message, moving the status as `next` says; guarded on the status and thread length read, retried
   * from a fresh read when a concurrent write got there first.
   */
  async function addMessage(id: Types.ObjectId, message: AftersalesMessageDoc, next: (status: AftersalesStatus) => AftersalesStatus): Promise<AftersalesDoc> {
    for (let attempt = 0; attempt < RETRIES; attempt += 1) {
      const request = await load(id);
      if (!isOpen(request.status)) throw new AftersalesClosed(`request is ${request.status}`);
      if (request.messageCount >= AFTERSALES_MESSAGES_MAX) throw new AftersalesThreadFull(`at most ${AFTERSALES_MESSAGES_MAX} messages`);
      const to = next(request.status);
      const written = await Request.findOneAndUpdate(
        { _id: id, status: request.status, messageCount: request.messageCount },
        {
          $set: { status: to },
          $inc: { messageCount: 1 },
          $push: { messages: message, ...(to === request.status ? {} : { history: event(request.status, to, message.actor, 'message') }) },
        },
        { returnDocument: 'after' },
      ).lean<AftersalesDoc>();
      if (written) return written;
    }
    throw new AftersalesThreadFull('the thread is too busy; try again');
  }

  /** Moves RESOLVING → RESOLVED once the refund is on the order; answers the request as it is then. */
  async function finishRefund(request: AftersalesDoc, actor: string, refundLimitFen: number | null): Promise<AftersalesDoc> {
    const resolution = request.resolution!;
    const note = resolution.note ? `：${resolution.note}` : '';
    let order: OrderDoc;
    try {
      order = await refunds.refund(
        request.orderId,
        { mode: 'amount', amountFen: resolution.amountFen!, reason: `售后${AFTERSALES_KIND_LABELS[request.kind]}${note}`.slice(0, REFUND_REASON_MAX) },
        { actor, limitFen: refundLimitFen, key: refundKey(request) },
      );
    } catch (error) {
      // Refused (over the role's limit, nothing left to refund): the request goes back to staff, the refund
      // was never recorded. Any other failure leaves it RESOLVING, and the next resolve finishes it.
      if (error instanceof DomainError && !refundOf(await loadOrder(request.orderId), request)) {
        await Request.updateOne(
          { _id: request._id, status: 'RESOLVING' },
          { $set: { status: 'AWAITING_STAFF', resolution: null }, $push: { history: event('RESOLVING', 'AWAITING_STAFF', actor, `refund refused: ${error.code}`) } },
        );
      }
      throw error;
    }
    const record = refundOf(order, request)!;
    const resolved = await Request.findOneAndUpdate(
      { _id: request._id, status: 'RESOLVING' },
      {
        $set: { status: 'RESOLVED', lineKey: resolvedLineKey(request), 'resolution.outRefundNo': record.outRefundNo },
        $push: { history: event('RESOLVING', 'RESOLVED', actor, `refund ${record.outRefundNo} of ${record.amountFen} fen`) },
      },
      { returnDocument: 'after' },
    ).lean<AftersalesDoc>();
    if (!resolved) return load(request._id);
    log.info({ aftersalesId: request._id.toHexString(), orderId: request.orderId.toHexString(), outTradeNo: record.outTradeNo, outRefundNo: record.outRefundNo, amountFen: record.amountFen, actor }, 'after-sales refund recorded');
    // One pass now so staff see the channel's answer; the refund job goes on until the channel confirms.
    await refunds.processRefunds(request.orderId, actor);
    await tell(resolved, 'RESOLVED');
    return resolved;
  }

  /** The resolution as stored, from staff's request (amounts in fen, checked against the cap read from the database). */
  function resolutionOf(request: AftersalesDoc, order: OrderDoc, decision: AftersalesResolveRequest, actor: string): AftersalesResolutionDoc {
    const at = new Date();
    if (decision.kind === 'REFUND') {
      const cap = refundCapFen(order, request.itemIndex);
      if (decision.amountFen > cap) throw new AftersalesRefundOverCap(`${decision.amountFen} fen asked, at most ${cap} fen for this request`, { refundCapFen: cap });
      return { kind: 'REFUND', actor, at, amountFen: decision.amountFen, outRefundNo: null, note: decision.note };
    }
    if (decision.kind === 'RESHIP') {
      if (!SHIPPING_CARRIER_CODES.includes(decision.carrier)) throw new UnknownCarrier(`unknown carrier code ${decision.carrier}`);
      return { kind: 'RESHIP', actor, at, carrier: decision.carrier, trackingNo: decision.trackingNo, note: decision.note };
    }
    return { kind: 'REFUSE', actor, at, reason: decision.reason };
  }

  return {
    load,
    loadOrder,

    /** The orders of a page of the queue, by id (one read through _id). */
    async ordersOf(ids: Types.ObjectId[]): Promise<Map<string, OrderDoc>> {
      const orders = ids.length === 0 ? [] : await Order.find({ _id: { $in: ids } }, { items: 1 }).lean<OrderDoc[]>();
      return new Map(orders.map((order) => [order._id.toHexString(), order]));
    },

    /** The shopper opens a request on one line of their shipped order; a second one on the same line is refused. */
    async create(userId: Types.ObjectId, input: CreateAftersalesRequest): Promise<AftersalesDoc> {
      const orderId = new Types.ObjectId(input.orderId);
      const order = await Order.findOne({ _id: orderId, userId }).lean<OrderDoc>();
      if (!order) throw new NotFound('order');
      if (!takesAftersales(order)) throw new AftersalesNotAllowed(`order is ${order.status}; only a shipped order takes after-sales requests`);
      if (!order.items[input.itemIndex]) throw new NotFound('order line');
      await photos.assertOwned(userId, input.photos);
      const actor = `user:${userId.toHexString()}`;
      try {
        const created = await Request.create({
          orderId,
          userId,
          openid: order.openid,
          itemIndex: input.itemIndex,
          kind: input.kind,
          description: input.description,
          photos: input.photos,
          status: 'OPEN',
          lineKey: openLineKey(orderId, input.itemIndex),
          messages: [],
          messageCount: 0,
          resolution: null,
          history: [event(null, 'OPEN', actor, `opened: ${input.kind}`)],
        });
        log.info({ aftersalesId: created._id.toHexString(), orderId: input.orderId, itemIndex: input.itemIndex, kind: input.kind, actor }, 'after-sales request opened');
        return created.toObject<AftersalesDoc>();
      } catch (error) {
        if (isDuplicateKeyError(error)) throw new AftersalesAlreadyOpen(`line ${input.itemIndex} of order ${input.orderId} has a request in progress`);
        throw error;
      }
    },

    own,

    /** The shopper's requests on one order, newest first. */
    async listForOrder(userId: Types.ObjectId, orderId: Types.ObjectId): Promise<AftersalesDoc[]> {
      const found = await Request.find({ userId, orderId }).lean<AftersalesDoc[]>();
      return found.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    },

    /** The shopper writes in the thread: staff owe an answer again (a new request stays OPEN until they give one). */
    async shopperMessage(userId: Types.ObjectId, id: Types.ObjectId, input: AftersalesMessageRequest): Promise<AftersalesDoc> {
      await own(userId, id);
      await photos.assertOwned(userId, input.photos);
      const message: AftersalesMessageDoc = { from: 'SHOPPER', actor: `user:${userId.toHexString()}`, text: input.text, photos: input.photos, at: new Date() };
      return addMessage(id, message, (status) => (status === 'OPEN' || status === 'RESOLVING' ? status : 'AWAITING_STAFF'));
    },

    /** Staff answer in the thread: the shopper is asked to reply, and told. */
    async staffReply(id: Types.ObjectId, text: string, by: AftersalesCaller): Promise<AftersalesDoc> {
      const before = await load(id);
      const message: AftersalesMessageDoc = { from: 'STAFF', actor: by.actor, text, photos: [], at: new Date() };
      const written = await by.change(
        { command: 'aftersales reply', target: `aftersales:${id.toHexString()}`, before: { status: before.status }, after: (request: AftersalesDoc) => ({ status: request.status, text }) },
        () => addMessage(id, message, (status) => (status === 'RESOLVING' ? status : 'AWAITING_SHOPPER')),
      );
      await tell(written!, 'REPLIED');
      return written!;
    },

    /**
     * Resolves an open request: the decision is taken by one guarded write (of two clicks, one wins; the
     * other is told it was resolved). A refund is then carried out under the request's key; one that was
     * interrupted (RESOLVING) is finished by the next resolve, with the decision first taken.
     */
    async resolve(id: Types.ObjectId, decision: AftersalesResolveRequest, by: AftersalesCaller): Promise<AftersalesDoc> {
      const before = await load(id);
      if (before.status === 'RESOLVED') throw new AftersalesAlreadyResolved(`request was resolved by ${before.resolution?.actor ?? 'someone'}`);
      const target = `aftersales:${id.toHexString()}`;
      const written = await by.change(
        {
          command: 'aftersales resolve',
          target,
          before: { status: before.status, orderId: before.orderId.toHexString(), itemIndex: before.itemIndex },
          after: (request: AftersalesDoc) => ({ status: request.status, ...request.resolution, at: undefined }),
        },
        async () => {
          if (before.status === 'RESOLVING') return finishRefund(before, by.actor, by.refundLimitFen);
          const resolution = resolutionOf(before, await loadOrder(before.orderId), decision, by.actor);
          const to: AftersalesStatus = resolution.kind === 'REFUND' ? 'RESOLVING' : 'RESOLVED';
          const claimed = await Request.findOneAndUpdate(
            { _id: id, status: { $in: [...DECIDABLE] } },
            {
              $set: { status: to, resolution, ...(to === 'RESOLVED' ? { lineKey: resolvedLineKey(before) } : {}) },
              $push: { history: event(before.status, to, by.actor, resolution.kind) },
            },
            { returnDocument: 'after' },
          ).lean<AftersalesDoc>();
          if (!claimed) {
            // Someone else decided meanwhile: a refund they began is finished (under its key, once); else it is done.
            const now = await load(id);
            if (now.status === 'RESOLVING') return finishRefund(now, by.actor, by.refundLimitFen);
            throw new AftersalesAlreadyResolved(`request was resolved by ${now.resolution?.actor ?? 'someone'}`);
          }
          log.info({ aftersalesId: id.toHexString(), orderId: before.orderId.toHexString(), resolution: resolution.kind, actor: by.actor }, 'after-sales request decided');
          if (claimed.status === 'RESOLVING') return finishRefund(claimed, by.actor, by.refundLimitFen);
          await tell(claimed, 'RESOLVED');
          return claimed;
        },
      );
      return written!;
    },

    /** Open: the longest waiting first. Resolved: the latest first. Through the status index. */
    async queue(state: 'open' | 'resolved', page: number, pageSize: number): Promise<{ items: AftersalesDoc[]; total: number }> {
      const statuses: AftersalesStatus[] = state === 'open' ? [...OPEN_AFTERSALES_STATUSES] : ['RESOLVED'];
      const filter = { status: { $in: statuses } };
      const [items, total] = await Promise.all([
        Request.find(filter, { history: 0 })
          .sort({ updatedAt: state === 'open' ? 1 : -1 })
          .skip((page - 1) * pageSize)
          .limit(pageSize)
          .lean<AftersalesDoc[]>()
          .exec(),
        Request.countDocuments(filter).exec(),
      ]);
      return { items, total };
    },
  };
}

export type AftersalesService = ReturnType<typeof aftersalesService>;
