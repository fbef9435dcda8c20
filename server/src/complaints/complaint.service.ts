import type { Connection } from 'mongoose';
import type { Clock } from '../clock';
import type { AdminAudit, ChangeRecorder } from '../admin/admin-audit';
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { NotFound } from '../domain-error';
import type { Logger } from '../logger';
import { orderModel } from '../orders/order.model';
import { parseOutTradeNo } from '../orders/out-trade-no';
import type { DeskCaller, OrderDesk } from '../orders/order-desk';
import type { NotificationHeaders } from '../payments/payment-channel';
import { WechatPayApiError } from '../payments/wechatpay/gateway';
import type { ChannelComplaint, ComplaintChannel, NegotiationEntry } from './complaint-channel';
import { replyDueAt } from './complaint-deadline';
import { ComplaintBusy, ComplaintChannelRefused, ComplaintChannelUnavailable, ComplaintClosed, ComplaintWithoutOrder } from './complaint-errors';
import { storeComplaintImage } from './complaint-image.model';
import { complaintModel, type ComplaintDoc } from './complaint.model';

export interface ComplaintServiceDeps {
  db: Connection;
  logger: Logger;
  channel: ComplaintChannel;
  desk: Pick<OrderDesk, 'refund'>;
  audit: AdminAudit;
  clock: Clock;
}

/** The actor notifications are audited under. */
const NOTIFY_ACTOR = 'wechatpay:complaint-notify';
/** WeChat's list allows at most 30 days per query and 50 a page. */
const LIST_DAYS = 30;
const LIST_PAGE = 50;
const DAY_MS = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3_600_000;
/** A refund lock older than this was left by a crash. */
const REFUND_LOCK_MS = 120_000;

export interface ComplaintListQuery {
  state?: ComplaintDoc['state'];
  /** Complaints made since then (always bounded: the engine pushes a range down, not a bare sort). */
  since: Date;
  page: number;
  pageSize: number;
}

/**
 * WeChat Pay complaints: taken in from notifications (verified like payment callbacks) or a sync, each read
 * whole from WeChat (detail, negotiation history, the shopper's pictures) and kept; answered, refunded and
 * completed through WeChat's API, every step audited. WeChat's copy is the truth; after each action the
 * complaint is read again, so a crash between the call and our write heals at the next read.
 */
export function complaintService({ db, logger, channel, desk, audit, clock }: ComplaintServiceDeps) {
  const Complaint = complaintModel(db);
  const Order = orderModel(db);
  const log = logger.child({ component: 'complaints' });

  /** WeChat's failures in staff terms: retry later, or WeChat's own reason. */
  async function atWechat<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof WechatPayApiError)) throw error;
      if (error.retryable) throw new ComplaintChannelUnavailable(`${what}: ${error.message}`);
      // WeChat's own words (Chinese, after the transport's "METHOD path: ") are what staff are shown.
      log.warn({ what, code: error.code, err: error }, 'WeChat Pay refused a complaint request');
      throw new ComplaintChannelRefused(error.message.slice(error.message.lastIndexOf(': ') + 2));
    }
  }

  async function orderIdOf(outTradeNo: string | null) {
    const attempt = outTradeNo ? parseOutTradeNo(outTradeNo) : null;
    if (!attempt) return null;
    return (await Order.exists({ _id: attempt.orderId })) ? attempt.orderId : null;
  }

  /** Pictures not stored yet are downloaded through the signed media API; one that fails is tried at the next read. */
  async function imagesOf(urls: readonly string[], known: Map<string, string>, complaintId: string): Promise<string[]> {
    const ids: string[] = [];
    for (const url of urls) {
      let id = known.get(url) ?? null;
      if (!id) {
        try {
          id = await storeComplaintImage(db, await channel.downloadImage(url), clock.now());
          if (id) known.set(url, id);
          else log.warn({ complaintId, url }, 'complaint media is not a JPEG/PNG/BMP picture; not stored');
        } catch (error) {
          log.warn({ complaintId, url, err: error }, 'complaint picture not downloaded; retried at the next read');
        }
      }
      if (id) ids.push(id);
    }
    return ids;
  }

  /** Reads the complaint whole from WeChat and stores it (WeChat's view replaced; our own fields kept). */
  async function sync(complaintId: string, fetched?: ChannelComplaint): Promise<ComplaintDoc> {
    // When this read began: a read that began earlier (a slow notification racing a staff action) must not
    // overwrite what a later one stored.
    const readAt = clock.now();
    const [complaint, history] = await atWechat('read complaint', async () => [fetched ?? (await channel.get(complaintId)), await channel.history(complaintId)] as const);
    const existing = await Complaint.findById(complaintId, { media: 1 }).lean<Pick<ComplaintDoc, 'media'>>();
    const known = new Map((existing?.media ?? []).map((media) => [media.url, media.imageId]));
    const imageIds = await imagesOf(complaint.imageUrls, known, complaintId);
    const entries = [];
    for (const entry of history) entries.push({ ...historyFields(entry), imageIds: await imagesOf(entry.imageUrls, known, complaintId) });
    const order = complaint.orders[0] ?? null;
    if (!existing) {
      // Created first, then updated like any other read: the engine's upsert drops empty arrays and nulls from
      // $setOnInsert. Two first reads at once: the second insert meets the first (duplicate key) and just updates.
      await Complaint.create({ _id: complaintId, complaintTime: complaint.complaintTime, state: complaint.state, syncedAt: readAt, createdAt: readAt }).catch((error: unknown) => {
        if (!isDuplicateKeyError(error)) throw error;
      });
    }
    const stored = await Complaint.findOneAndUpdate(
      { _id: complaintId, syncedAt: { $lte: readAt } },
      {
        $set: {
          complaintTime: complaint.complaintTime,
          state: complaint.state,
          detail: complaint.detail,
          problemDescription: complaint.problemDescription,
          problemType: complaint.problemType,
          applyRefundFen: complaint.applyRefundFen,
          payerPhone: complaint.payerPhone,
          payerOpenid: complaint.payerOpenid,
          outTradeNo: order?.outTradeNo ?? null,
          transactionId: order?.transactionId ?? null,
          amountFen: order?.amountFen ?? null,
          orderId: await orderIdOf(order?.outTradeNo ?? null),
          fullRefunded: complaint.fullRefunded,
          incomingUserResponse: complaint.incomingUserResponse,
          userComplaintTimes: complaint.userComplaintTimes,
          imageIds,
          history: entries,
          media: [...known].map(([url, imageId]) => ({ url, imageId })),
          replyDueAt: replyDueAt(complaint.state, complaint.complaintTime, history),
          syncedAt: readAt,
        },
      },
      { returnDocument: 'after' },
    ).lean<ComplaintDoc>();
    if (!stored) {
      log.info({ complaintId }, 'a later read of the complaint was stored meanwhile; this one is dropped');
      return load(complaintId);
    }
    log.info({ complaintId, state: complaint.state, outTradeNo: order?.outTradeNo, messages: history.length }, 'complaint read from WeChat Pay');
    return stored;
  }

  async function load(complaintId: string): Promise<ComplaintDoc> {
    const complaint = await Complaint.findById(complaintId).lean<ComplaintDoc>();
    if (!complaint) throw new NotFound(`complaint ${complaintId}`);
    return complaint;
  }

  /** A fresh read first: staff act on what WeChat has now, never on a stale copy. */
  async function openForAction(complaintId: string): Promise<ComplaintDoc> {
    await load(complaintId);
    const current = await sync(complaintId);
    if (current.state === 'PROCESSED') throw new ComplaintClosed(`complaint ${complaintId} is handled already`);
    return current;
  }

  const target = (complaintId: string) => `complaint:${complaintId}`;

  return {
    load,
    sync,

    /**
     * Registers where WeChat posts complaint notifications (admin `complaints register-url`); the change goes
     * through the caller's recorder (audited; null in a dry run). Already registered there: nothing done.
     */
    async registerNotificationUrl(url: string, change: ChangeRecorder): Promise<'CREATED' | 'UPDATED' | 'UNCHANGED' | null> {
      const before = await atWechat('read notification url', () => channel.notificationUrl());
      if (before === url) return 'UNCHANGED';
      return change({ command: 'complaints register-url', target: 'wechatpay:complaint-notifications', before: { url: before }, after: { url } }, () =>
        atWechat('register notification url', () => channel.registerNotificationUrl(url)),
      );
    },

    notificationUrl: () => atWechat('read notification url', () => channel.notificationUrl()),

    /**
     * A complaint notification: verified and decrypted (forged ones throw NotificationRejectedError before anything
     * is read), then the complaint read whole from WeChat. A resent notification reads it again and changes nothing
     * else; only its first delivery is audited.
     */
    async handleNotification(headers: NotificationHeaders, rawBody: Buffer): Promise<'TAKEN' | 'DUPLICATE'> {
      const notification = await channel.verifyNotification(headers, rawBody);
      const fields = { complaintId: notification.complaintId, eventId: notification.eventId, actionType: notification.actionType };
      const stored = await sync(notification.complaintId);
      const first = await Complaint.updateOne({ _id: notification.complaintId, eventIds: { $ne: notification.eventId } }, { $push: { eventIds: notification.eventId } });
      if (first.modifiedCount === 0) {
        log.info(fields, 'complaint notification already taken in');
        return 'DUPLICATE';
      }
      await audit.record(NOTIFY_ACTOR, { command: 'complaint notified', target: target(notification.complaintId), before: null, after: { ...fields, eventType: notification.eventType, state: stored.state } });
      log.info({ ...fields, state: stored.state }, 'complaint notification taken in');
      return 'TAKEN';
    },

    /** Reads every complaint of the last `days` (WeChat's list, 30 days per query) in case a notification was lost. */
    async syncRecent(days: number): Promise<{ complaints: number }> {
      const end = clock.now();
      let count = 0;
      for (let to = end.getTime(); to > end.getTime() - days * DAY_MS; to -= LIST_DAYS * DAY_MS) {
        const from = Math.max(to - (LIST_DAYS - 1) * DAY_MS, end.getTime() - (days - 1) * DAY_MS);
        for (let offset = 0; ; offset += LIST_PAGE) {
          const page = await atWechat('list complaints', () => channel.list({ beginDate: beijingDate(from), endDate: beijingDate(to), offset, limit: LIST_PAGE }));
          for (const complaint of page.complaints) await sync(complaint.complaintId, complaint);
          count += page.complaints.length;
          if (page.complaints.length < LIST_PAGE) break;
        }
      }
      return { complaints: count };
    },

    /** Newest first, optionally one state; the (state, complaintTime) and complaintTime indexes find them. */
    async list(query: ComplaintListQuery): Promise<{ items: ComplaintDoc[]; total: number }> {
      const filter = { ...(query.state ? { state: query.state } : {}), complaintTime: { $gte: query.since } };
      const [items, total] = await Promise.all([
        Complaint.find(filter, { history: 0, media: 0 })
          .sort({ complaintTime: -1 })
          .skip((query.page - 1) * query.pageSize)
          .limit(query.pageSize)
          .lean<ComplaintDoc[]>(),
        Complaint.countDocuments(filter),
      ]);
      return { items, total };
    },

    /** Complaints waiting on the shop whose answer is due before `until` (overdue ones included), soonest first. */
    dueBefore(until: Date, limit: number): Promise<ComplaintDoc[]> {
      return Complaint.find({ replyDueAt: { $lte: until } }, { history: 0, media: 0 }).sort({ replyDueAt: 1 }).limit(limit).lean<ComplaintDoc[]>();
    },

    /** The shop's answer to the shopper (回复用户), through WeChat. */
    async reply(complaintId: string, content: string, by: DeskCaller): Promise<ComplaintDoc> {
      const before = await openForAction(complaintId);
      await by.change({ command: 'complaint reply', target: target(complaintId), before: { state: before.state }, after: { content } }, async () => {
        await atWechat('reply', () => channel.respond(complaintId, content));
        return true;
      });
      return sync(complaintId);
    },

    /**
     * A refund of the complaint's order, through the order desk (the refund service's bounds: at most what is
     * still refundable, the caller's role limit), then WeChat told the refund the shopper asked for is approved.
     */
    async refund(complaintId: string, input: { amountFen: number; reason: string }, by: DeskCaller): Promise<ComplaintDoc> {
      const before = await openForAction(complaintId);
      if (!before.orderId) throw new ComplaintWithoutOrder(`complaint ${complaintId} names no order of this shop (${before.outTradeNo ?? 'no trade'})`);
      const orderId = before.orderId;
      // One refund from a complaint at a time: a second click while the first is on its way would refund twice.
      // A lock left by a crash expires.
      const lockedAt = clock.now();
      const locked = await Complaint.updateOne(
        { _id: complaintId, $or: [{ refundingSince: null }, { refundingSince: { $lt: new Date(lockedAt.getTime() - REFUND_LOCK_MS) } }] },
        { $set: { refundingSince: lockedAt } },
      );
      if (locked.modifiedCount === 0) throw new ComplaintBusy(`complaint ${complaintId}: a refund from it is already on its way`);
      try {
        await by.change(
          { command: 'complaint refund', target: target(complaintId), before: { state: before.state, refunds: before.refunds.length }, after: (record: { outRefundNo: string; amountFen: number }) => ({ orderId: orderId.toHexString(), ...record }) },
          async () => {
            const refunded = await desk.refund(orderId, { mode: 'amount', amountFen: input.amountFen, reason: input.reason }, by);
            const last = refunded?.order.refunds.at(-1);
            if (!last) throw new Error('the order desk started no refund');
            const record = { outRefundNo: last.outRefundNo, amountFen: last.amountFen };
            await Complaint.updateOne({ _id: complaintId, 'refunds.outRefundNo': { $ne: record.outRefundNo } }, { $push: { refunds: { ...record, at: clock.now(), by: by.actor } } });
            log.info({ complaintId, orderId: orderId.toHexString(), outTradeNo: before.outTradeNo, ...record }, 'refund given from a complaint');
            // Only a complaint that asks for money has a refund request to approve (申请退款).
            if (before.applyRefundFen !== null) {
              await atWechat('approve refund', () => channel.updateRefundProgress(complaintId, { action: 'APPROVE', launchRefundDay: 0, remark: input.reason }));
            }
            return record;
          },
        );
      } finally {
        await Complaint.updateOne({ _id: complaintId, refundingSince: lockedAt }, { $set: { refundingSince: null } });
      }
      return sync(complaintId);
    },

    /** Tells WeChat the shop has handled the complaint (反馈处理完成); already handled is left as it is. */
    async complete(complaintId: string, by: DeskCaller): Promise<ComplaintDoc> {
      const before = await openForAction(complaintId);
      await by.change({ command: 'complaint complete', target: target(complaintId), before: { state: before.state }, after: { state: 'PROCESSED' } }, async () => {
        await atWechat('complete', () => channel.complete(complaintId));
        return true;
      });
      return sync(complaintId);
    },
  };
}

export type ComplaintService = ReturnType<typeof complaintService>;

function historyFields(entry: NegotiationEntry) {
  return { logId: entry.logId, operator: entry.operator, operateTime: entry.operateTime, operateType: entry.operateType, details: entry.details };
}

function beijingDate(ms: number): string {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}
