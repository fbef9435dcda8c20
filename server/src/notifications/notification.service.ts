import { Types, type Connection } from 'mongoose';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { boxModel, type BoxDoc } from '../catalog/box.model';
import { BoxNotFound } from '../catalog/catalog-errors';
import { saleOpeningOf } from '../catalog/sale-terms';
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { notificationsDatabase } from '../db/databases';
import { EVENT_NOTIFICATION_KINDS, NOTIFICATION_KINDS, type EventNotificationKind, type NotificationKind, type OrderNotices } from '@blindbox/shared';
import type { NotificationData, Notifier, NotifyOutcome } from './notifier';
import type { NotificationTemplates } from './notification-templates';
import { NoDropToRemind, UnknownTemplate } from './notification-errors';
import { subscribeGrantModel, type SubscribeGrantDoc } from './subscribe-grant.model';
import type { SlotValue } from './template-fields';

/** requestSubscribeMessage's answer per template id: accept, or reject / ban (the shopper turned it off) / filter (WeChat hid it). */
export type SubscribeAnswer = 'accept' | 'reject' | 'ban' | 'filter';

export interface NotificationService extends Notifier {
  /** The template ids the mini-program asks for (null: that kind is off). */
  templateIds(): Record<NotificationKind, string | null>;
  /**
   * Records what the shopper answered to `requestSubscribeMessage`: each accepted template one grant. A drop
   * reminder (the box's 开售提醒) is one per shopper and drop however often they tap.
   */
  recordGrants(openid: string, answers: Record<string, SubscribeAnswer>, boxId: Types.ObjectId | null): Promise<{ granted: NotificationKind[] }>;
  /** Whether the shopper is waiting to hear of this box's coming drop. */
  hasDropReminder(openid: string, box: Pick<BoxDoc, '_id'>): Promise<boolean>;
  /** Queues the reminders of every drop that has opened by `now`; how many were queued. */
  queueOpenedDrops(now: Date, limit: number): Promise<number>;
  /** A drop scheduled again or called off: its waiting reminders follow it (null: none until one is scheduled). */
  redateDropReminders(boxId: Types.ObjectId, opensAt: Date | null): Promise<void>;
  /**
   * For the console's order page: each event of the order the shopper is told of (its shipment, each refund that
   * succeeded) with the message spent on it, none when no grant was open then (or that kind is off); and the grants
   * the shopper still has open, per kind.
   */
  orderNotices(openid: string, events: { orderId: string; shipped: boolean; refundsSucceeded: readonly string[] }): Promise<OrderNotices>;
}

/** What one grant is spent on, at most once: a shipment (its order), a refund (its out_refund_no), a service step (its id). */
const eventRef = (kind: EventNotificationKind, key: string) => `${kind}:${key}`;

const DROP_NOTE = '已开售，数量有限，先到先得';
/**
 * Grants kept per shopper, kind and state: WeChat lets a shopper bank many, but a client that reports 'accept' in
 * a loop (the answer cannot be verified) must not grow the collection without end. Beyond it, one more changes nothing.
 */
const MAX_GRANTS_KEPT = 20;

export function notificationService({ db, logger, clock, templates }: { db: Connection; logger: Logger; clock: Clock; templates: NotificationTemplates }): NotificationService {
  const Grant = subscribeGrantModel(notificationsDatabase(db));
  const Box = boxModel(db);
  const log = logger.child({ component: 'notifications' });

  const dropRef = (boxId: Types.ObjectId, dropKey: string, openid: string) => `drop-opening:${boxId.toHexString()}:${dropKey}:${openid}`;

  function eventKeyOf<K extends EventNotificationKind>(kind: K, data: NotificationData[K]): string {
    if (kind === 'order-shipped') return (data as NotificationData['order-shipped']).orderId;
    if (kind === 'refund-succeeded') return (data as NotificationData['refund-succeeded']).outRefundNo;
    return (data as NotificationData['service-update']).eventId;
  }

  function valuesOf<K extends EventNotificationKind>(kind: K, data: NotificationData[K]): { orderId: string | null; values: Record<string, SlotValue> } {
    if (kind === 'order-shipped') {
      const shipped = data as NotificationData['order-shipped'];
      return { orderId: shipped.orderId, values: { orderNo: shipped.orderId, itemName: shipped.itemName, carrier: shipped.carrier, trackingNo: shipped.trackingNo, shippedAt: shipped.shippedAt } };
    }
    if (kind === 'refund-succeeded') {
      const refund = data as NotificationData['refund-succeeded'];
      return { orderId: refund.orderId, values: { orderNo: refund.orderId, amount: { fen: refund.amountFen }, reason: refund.reason, refundedAt: refund.refundedAt } };
    }
    const update = data as NotificationData['service-update'];
    return { orderId: update.orderId, values: { service: update.service, status: update.status, note: update.note, at: update.at, ...(update.orderId ? { orderNo: update.orderId } : {}) } };
  }

  async function hasOpenReminder(openid: string, boxId: Types.ObjectId): Promise<boolean> {
    return (await Grant.exists({ boxId, state: 'open', openid })) !== null;
  }

  async function redateDropReminders(boxId: Types.ObjectId, opensAt: Date | null): Promise<void> {
    await Grant.updateMany({ boxId, state: 'open' }, { $set: { opensAt } });
  }

  return {
    templateIds: () => templates.ids(),

    async notify(openid, kind, data): Promise<NotifyOutcome> {
      const template = templates.of(kind);
      if (!template) return 'disabled';
      const ref = eventRef(kind, eventKeyOf(kind, data));
      const { orderId, values } = valuesOf(kind, data);
      const message = templates.orderMessage(kind, orderId, values);
      try {
        // The guarded claim: only an open grant of this template moves, and the unique ref refuses a second one per event.
        const spent = await Grant.findOneAndUpdate(
          { openid, kind, state: 'open', templateId: template.templateId },
          { $set: { state: 'queued', ref, message, dueAt: clock.now() } },
          { sort: { grantedAt: 1 }, returnDocument: 'after' },
        ).lean<SubscribeGrantDoc>();
        // Nothing open to spend: an event already told (its grant spent) is a duplicate, not a missing grant.
        const outcome = spent ? 'queued' : (await Grant.exists({ ref })) ? 'duplicate' : 'no-grant';
        log.info({ event: 'notification.notify', kind, ref, orderId, outcome, grantId: spent?._id.toHexString() }, 'shopper notification');
        return outcome;
      } catch (error) {
        if (isDuplicateKeyError(error)) return 'duplicate';
        throw error;
      }
    },

    async recordGrants(openid, answers, boxId) {
      const now = clock.now();
      const granted: NotificationKind[] = [];
      const entries = Object.entries(answers).map(([templateId, answer]) => {
        const kind = templates.kindOf(templateId);
        if (!kind) throw new UnknownTemplate(`template ${templateId} is not one the shop sends`);
        return { templateId, answer, kind };
      });
      let box: BoxDoc | null = null;
      if (entries.some((entry) => entry.kind === 'drop-opening')) {
        if (!boxId) throw new NoDropToRemind('a drop reminder names the box');
        box = await Box.findById(boxId).lean<BoxDoc>();
        if (!box) throw new BoxNotFound(boxId);
        if (saleOpeningOf(box, now).state !== 'SCHEDULED') throw new NoDropToRemind(`box ${boxId.toHexString()} has no drop to come`);
      }
      for (const { templateId, answer, kind } of entries) {
        const _id = new Types.ObjectId();
        const state = answer === 'accept' ? 'open' : 'declined';
        if (answer === 'accept') granted.push(kind);
        if (!(kind === 'drop-opening' && state === 'open') && (await Grant.countDocuments({ openid, kind, state }).limit(MAX_GRANTS_KEPT)) >= MAX_GRANTS_KEPT) continue;
        const base = { openid, kind, templateId, grantedAt: now, message: null, dueAt: null, sendingAt: null, attempts: 0, lastErrcode: null, lastError: null, sentAt: null };
        if (state === 'declined') {
          await Grant.create({ _id, ...base, boxId: box?._id ?? null, opensAt: null, state, ref: `grant:${_id.toHexString()}` });
          continue;
        }
        if (kind === 'drop-opening' && box) {
          // One reminder per shopper and drop: a second tap finds the first, also one given before the drop was
          // rescheduled (a new dropKey; its reminder moved with the drop).
          if (await hasOpenReminder(openid, box._id)) continue;
          await Grant.updateOne(
            { ref: dropRef(box._id, box.dropKey, openid) },
            { $setOnInsert: { _id, ...base, boxId: box._id, opensAt: box.onSaleAt, state: 'open' } },
            { upsert: true },
          );
        } else {
          await Grant.create({ _id, ...base, boxId: null, opensAt: null, state: 'open', ref: `grant:${_id.toHexString()}` });
        }
      }
      log.info({ event: 'notification.grants', openid, granted, declined: entries.length - granted.length, boxId: box?._id.toHexString() }, 'subscribe grants recorded');
      return { granted };
    },

    hasDropReminder: (openid, box) => hasOpenReminder(openid, box._id),

    async orderNotices(openid, { orderId, shipped, refundsSucceeded }) {
      const events = [...(shipped ? [{ kind: 'order-shipped' as const, key: orderId }] : []), ...refundsSucceeded.map((outRefundNo) => ({ kind: 'refund-succeeded' as const, key: outRefundNo }))];
      // One read per event and per kind, each through an index (the unique ref; openid, kind, state).
      const [spent, open] = await Promise.all([
        Promise.all(events.map(({ kind, key }) => Grant.findOne({ ref: eventRef(kind, key) }).lean<SubscribeGrantDoc>())),
        Promise.all(EVENT_NOTIFICATION_KINDS.map((kind) => Grant.countDocuments({ openid, kind, state: 'open' }))),
      ]);
      return {
        events: events.map(({ kind, key }, index) => {
          const grant = spent[index];
          return { kind, ref: eventRef(kind, key), state: grant?.state ?? null, sentAt: grant?.sentAt?.toISOString() ?? null, error: grant?.lastError ?? null };
        }),
        openGrants: Object.fromEntries(EVENT_NOTIFICATION_KINDS.map((kind, index) => [kind, open[index]!])) as OrderNotices['openGrants'],
        off: NOTIFICATION_KINDS.filter((kind) => !templates.of(kind)),
      };
    },

    async queueOpenedDrops(now, limit) {
      const due = await Grant.find({ state: 'open', kind: 'drop-opening', opensAt: { $lte: now } }, { boxId: 1 }).limit(limit).lean<Pick<SubscribeGrantDoc, '_id' | 'boxId'>[]>();
      const boxIds = [...new Map(due.flatMap((grant) => (grant.boxId ? [[grant.boxId.toHexString(), grant.boxId] as const] : []))).values()];
      let queued = 0;
      for (const boxId of boxIds) {
        const box = await Box.findById(boxId).lean<BoxDoc>();
        const opening = box ? saleOpeningOf(box, now) : ({ state: 'CANCELLED' } as const);
        if (!box || opening.state !== 'OPEN') {
          // Moved later: wait for the new opening. Called off (or the box is gone): wait for a new drop.
          await redateDropReminders(boxId, opening.state === 'SCHEDULED' ? opening.onSaleAt : null);
          continue;
        }
        const message = templates.boxMessage(boxId.toHexString(), { boxName: box.name, opensAt: box.onSaleAt ?? now, note: DROP_NOTE });
        const result = await Grant.updateMany(
          { boxId, state: 'open', kind: 'drop-opening', opensAt: { $lte: now } },
          { $set: { state: 'queued', message, dueAt: now } },
        );
        queued += result.modifiedCount;
        log.info({ event: 'notification.drop_opened', boxId: boxId.toHexString(), queued: result.modifiedCount }, 'drop reminders queued');
      }
      return queued;
    },

    redateDropReminders,
  };
}
