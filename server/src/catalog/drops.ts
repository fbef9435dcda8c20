import type { Connection } from 'mongoose';
import { DROP_PAYMENT_WINDOW_MINUTES, DROP_PURCHASE_LIMIT } from '@blindbox/shared';
import type { ChangeRecorder } from '../admin/admin-audit';
import type { Clock } from '../clock';
import { NotFound, ruleError } from '../domain-error';
import type { NotificationService } from '../notifications/notification.service';
import { boxModel, type BoxDoc } from './box.model';
import { saleOpeningOf, type SaleOpening } from './sale-terms';

export const InvalidDrop = ruleError('INVALID', 'INVALID_DROP');
/** A drop opens later than the server's clock says it is now: an opening in the past would open at once, unannounced. */
export const DropInPast = ruleError('INVALID', 'DROP_IN_PAST');
export const NoDropScheduled = ruleError('CONFLICT', 'NO_DROP_SCHEDULED');
/** The drop was rescheduled between reading it and cancelling it: the staff member looks again. */
export const DropChanged = ruleError('CONFLICT', 'DROP_CHANGED');

type DropFields = Pick<BoxDoc, 'onSaleAt' | 'dropCancelledAt' | 'dropKey' | 'paymentWindowMinutes' | 'purchaseLimit'>;

/** What a drop changes on a box, as the audit records it. */
export const dropView = (box: DropFields) => ({
  onSaleAt: box.onSaleAt ? box.onSaleAt.toISOString() : null,
  dropCancelledAt: box.dropCancelledAt ? box.dropCancelledAt.toISOString() : null,
  dropKey: box.dropKey,
  paymentWindowMinutes: box.paymentWindowMinutes,
  purchaseLimit: box.purchaseLimit,
});

export interface DropTerms {
  onSaleAt: Date;
  /** Absent: the box keeps what it has (its own, or the shop's default). */
  paymentWindowMinutes?: number;
  purchaseLimit?: number;
}

const within = (value: number | undefined, range: { min: number; max: number }) => value === undefined || (Number.isInteger(value) && value >= range.min && value <= range.max);

/**
 * Scheduling and cancelling a box's drop: the one path of the CLI (`admin drop`) and the console, each change
 * recorded by the caller's recorder (a CLI dry run writes nothing and answers null).
 */
export function dropDesk({ db, clock, reminders }: { db: Connection; clock: Clock; reminders: Pick<NotificationService, 'redateDropReminders'> }) {
  const Box = boxModel(db);

  return {
    async schedule(box: BoxDoc, terms: DropTerms, change: ChangeRecorder): Promise<BoxDoc | null> {
      if (!within(terms.paymentWindowMinutes, DROP_PAYMENT_WINDOW_MINUTES)) {
        throw new InvalidDrop(`the payment window must be ${DROP_PAYMENT_WINDOW_MINUTES.min}–${DROP_PAYMENT_WINDOW_MINUTES.max} minutes`);
      }
      if (!within(terms.purchaseLimit, DROP_PURCHASE_LIMIT)) throw new InvalidDrop(`the limit per shopper must be ${DROP_PURCHASE_LIMIT.min}–${DROP_PURCHASE_LIMIT.max}`);
      const now = clock.now();
      if (terms.onSaleAt.getTime() <= now.getTime()) {
        throw new DropInPast(`a drop must open after the server's time now (${now.toISOString()}); ${terms.onSaleAt.toISOString()} has passed`);
      }
      // A new key per scheduled opening: quotas are kept per (box, drop, shopper), so this drop's limits start at zero.
      const set = {
        onSaleAt: terms.onSaleAt,
        dropCancelledAt: null,
        dropKey: `drop-${terms.onSaleAt.toISOString()}`,
        ...(terms.paymentWindowMinutes === undefined ? {} : { paymentWindowMinutes: terms.paymentWindowMinutes }),
        ...(terms.purchaseLimit === undefined ? {} : { purchaseLimit: terms.purchaseLimit }),
      };
      return change({ command: 'drop', target: `box:${box.slug}`, before: dropView(box), after: (written: BoxDoc) => dropView(written) }, async () => {
        const written = await Box.findOneAndUpdate({ _id: box._id }, { $set: set }, { returnDocument: 'after', runValidators: true }).lean<BoxDoc>();
        if (!written) throw new NotFound(`box ${box.slug}`);
        // Shoppers who asked for 开售提醒 hear of the new opening, earlier or later.
        await reminders.redateDropReminders(box._id, terms.onSaleAt);
        return written;
      });
    },

    /**
     * Calls the box's drop off: not on sale until a new drop (placed orders are served). Guarded on the drop read:
     * a drop rescheduled meanwhile is not the one the caller meant to cancel. Cancelling twice changes nothing.
     */
    async cancel(box: BoxDoc, change: ChangeRecorder): Promise<{ box: BoxDoc | null; was: SaleOpening }> {
      const was = saleOpeningOf(box, clock.now());
      if (was.state === 'CANCELLED') return { box, was };
      if (!box.onSaleAt) throw new NoDropScheduled(`box ${box.slug} has no scheduled drop to cancel`);
      const cancelledAt = clock.now();
      const written = await change({ command: 'drop cancel', target: `box:${box.slug}`, before: dropView(box), after: (done: BoxDoc) => dropView(done) }, async () => {
        const done = await Box.findOneAndUpdate({ _id: box._id, dropKey: box.dropKey, dropCancelledAt: null }, { $set: { dropCancelledAt: cancelledAt } }, { returnDocument: 'after' }).lean<BoxDoc>();
        if (done) {
          // Its reminders wait for whatever drop comes next.
          await reminders.redateDropReminders(box._id, null);
          return done;
        }
        const now = await Box.findById(box._id).lean<BoxDoc>();
        // Another cancel of the same drop won: the drop is off either way.
        if (now?.dropKey === box.dropKey && now.dropCancelledAt) return now;
        throw new DropChanged(`the drop of box ${box.slug} changed meanwhile; look at it again`);
      });
      return { box: written, was };
    },
  };
}

export type DropDesk = ReturnType<typeof dropDesk>;
