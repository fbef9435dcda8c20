import type { Connection, Types } from 'mongoose';
import type { Logger } from '../logger';
import { PlatformError, type MiniProgramPlatform } from './mini-program-platform';
import { shippingUploadModel, type ShippingUploadDoc } from './shipping-upload.model';

/** An attempt still claimed after this long died with its process: the next one takes it over. */
export const REMINDER_CLAIM_LEASE_MS = 2 * 60_000;
/** -1 系统繁忙: WeChat did nothing, so asking again is safe. */
const BUSY_ERRCODE = -1;

/**
 * notify_confirm_receive, once per order: WeChat reminds the shopper to confirm receipt (and accepts one reminder
 * per transaction). The reminder is claimed before it is sent, so two workers never send it together; an attempt
 * that got no answer may have reached WeChat, so when the next one is refused it counts as sent. Any other
 * refusal is kept for staff (FAILED), not retried: it would be refused again.
 */
export function receiptReminders({ db, platform, mchid, logger }: { db: Connection; platform: MiniProgramPlatform; mchid: string; logger: Logger }) {
  const Upload = shippingUploadModel(db);
  const log = logger.child({ component: 'receipt-reminder' });

  async function finish(orderId: Types.ObjectId, set: Partial<ShippingUploadDoc>): Promise<void> {
    await Upload.updateOne({ _id: orderId, reminderStatus: 'PENDING' }, { $set: { ...set, reminderClaimedAt: null } });
  }

  return {
    /** Sends the reminder owed for this shipment, if any; throws (for the job's retry) while it may still be sent. */
    async remindIfDue(orderId: Types.ObjectId): Promise<void> {
      const now = new Date();
      const before = await Upload.findOneAndUpdate(
        {
          _id: orderId,
          status: 'UPLOADED',
          reminderStatus: 'PENDING',
          $or: [{ reminderClaimedAt: null }, { reminderClaimedAt: { $lt: new Date(now.getTime() - REMINDER_CLAIM_LEASE_MS) } }],
        },
        { $set: { reminderClaimedAt: now } },
        { returnDocument: 'before' },
      )
        .lean<ShippingUploadDoc>()
        .exec();
      if (!before) {
        const current = await Upload.findById(orderId).lean<ShippingUploadDoc>();
        // Claimed by an attempt under way (or not lapsed yet): this job comes back after it.
        if (current?.status === 'UPLOADED' && current.reminderStatus === 'PENDING') throw new Error('receipt reminder claimed by another attempt');
        return;
      }
      // A claim taken over from a crashed attempt is as unsure as one that got no answer.
      const unsure = before.reminderUnsure === true || before.reminderClaimedAt != null;
      const at = { orderId: orderId.toHexString(), outTradeNo: before.outTradeNo };
      try {
        await platform.notifyConfirmReceive({ kind: 'out_trade_no', mchid, outTradeNo: before.outTradeNo }, before.receivedAt ?? now);
      } catch (error) {
        const errcode = error instanceof PlatformError ? error.errcode : null;
        const message = error instanceof Error ? error.message : String(error);
        if (errcode === null) {
          await Upload.updateOne({ _id: orderId, reminderStatus: 'PENDING' }, { $set: { reminderUnsure: true, reminderClaimedAt: null, reminderError: message } });
          log.warn({ ...at, err: error }, 'receipt reminder got no answer; asking again');
          throw error;
        }
        if (errcode === BUSY_ERRCODE) {
          await finish(orderId, { reminderError: message });
          throw error;
        }
        if (unsure) {
          await finish(orderId, { reminderStatus: 'SENT', remindedAt: now, reminderError: `an earlier attempt reached WeChat (a repeat was refused: ${message})` });
          log.info({ ...at, errcode }, 'receipt reminder: a repeat was refused, so the unanswered attempt had reached WeChat');
          return;
        }
        await finish(orderId, { reminderStatus: 'FAILED', reminderError: message });
        log.warn({ ...at, errcode, alert: true }, 'WeChat refused the receipt reminder');
        return;
      }
      await finish(orderId, { reminderStatus: 'SENT', remindedAt: now, reminderError: null });
      log.info(at, 'receipt reminder sent');
    },
  };
}

export type ReceiptReminders = ReturnType<typeof receiptReminders>;
