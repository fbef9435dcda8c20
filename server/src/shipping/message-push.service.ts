import type { Connection } from 'mongoose';
import { ORDER_HISTORY } from '@blindbox/shared';
import { z } from 'zod';
import type { Logger } from '../logger';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { orderTransitions } from '../orders/order-transitions';
import { platformReminderModel, type PlatformReminderDoc, type PlatformReminderEvent } from './platform-reminder.model';
import type { PushMessage } from './message-push';

const seconds = z.coerce.number().int().positive();
const toDate = (value: number | undefined): Date | null => (value ? new Date(value * 1000) : null);

/** trade_manage_order_settlement: pushed once shipping completes (estimated_settlement_time) and at settlement. */
const settlementSchema = z.object({
  transaction_id: z.string().min(1),
  merchant_trade_no: z.string().optional(),
  estimated_settlement_time: seconds.optional(),
  confirm_receive_method: z.coerce.number().int().optional(),
  confirm_receive_time: seconds.optional(),
  settlement_time: seconds.optional(),
});

const reminderSchema = z.object({
  CreateTime: seconds,
  transaction_id: z.string().optional(),
  merchant_trade_no: z.string().optional(),
  msg: z.string().optional(),
});

export type PushOutcome = 'applied' | 'already' | 'ignored';

/**
 * What the shop does with WeChat's trade-management pushes, each applied idempotently (WeChat retries a push it
 * got no answer to, and a forged one never gets this far): the settlement recorded on the orders the transaction
 * paid (and their receipt, when WeChat confirmed it), a reminder raised for staff.
 */
export function messagePushEvents({ db, logger }: { db: Connection; logger: Logger }) {
  const Order = orderModel(db);
  const Reminder = platformReminderModel(db);
  const transitions = orderTransitions(db);
  const log = logger.child({ component: 'message-push' });

  async function settlement(message: PushMessage): Promise<PushOutcome> {
    const event = settlementSchema.parse(message);
    // A combined payment's one transaction paid every order it shares.
    const orders = await Order.find({ 'payment.transactionId': event.transaction_id }, { _id: 1, status: 1, settledAt: 1 }).lean<Array<Pick<OrderDoc, '_id' | 'status' | 'settledAt'>>>();
    if (orders.length === 0) {
      log.warn({ transactionId: event.transaction_id, outTradeNo: event.merchant_trade_no }, 'settlement event for a transaction no order has');
      return 'ignored';
    }
    const ids = orders.map((order) => order._id);
    const at = { transactionId: event.transaction_id, outTradeNo: event.merchant_trade_no, orderIds: ids.map((id) => id.toHexString()) };
    if (event.settlement_time === undefined) {
      const estimated = toDate(event.estimated_settlement_time);
      if (!estimated) return 'ignored';
      const result = await Order.updateMany({ _id: { $in: ids } }, { $set: { settlementEstimatedAt: estimated } });
      log.info({ ...at, estimated }, 'settlement expected');
      return result.modifiedCount > 0 ? 'applied' : 'already';
    }
    const settledAt = toDate(event.settlement_time)!;
    const confirmedAt = toDate(event.confirm_receive_time);
    // Guarded on not settled yet: a repeat of the push finds nothing to change.
    const result = await Order.updateMany(
      { _id: { $in: ids }, settledAt: null },
      { $set: { settledAt, receiptConfirmedAt: confirmedAt, receiptConfirmMethod: event.confirm_receive_method ?? null } },
    );
    if (confirmedAt) {
      // WeChat confirmed the receipt (the shopper in WeChat, or its waiting period): the order is completed here too.
      for (const order of orders) {
        if (order.status !== 'DELIVERED') continue;
        const how = event.confirm_receive_method === 1 ? 'automatically' : 'by the shopper';
        await transitions.complete(order._id, { reason: ORDER_HISTORY.receiptConfirmedAtWechat.write(how), actor: 'wechat:trade-management' });
      }
    }
    log.info({ ...at, settledAt, confirmedAt, recorded: result.modifiedCount }, result.modifiedCount > 0 ? 'settlement recorded' : 'settlement already recorded');
    return result.modifiedCount > 0 ? 'applied' : 'already';
  }

  async function reminder(event: PlatformReminderEvent, message: PushMessage): Promise<PushOutcome> {
    const parsed = reminderSchema.parse(message);
    const transactionId = parsed.transaction_id ?? null;
    const order = transactionId ? await Order.findOne({ 'payment.transactionId': transactionId }, { _id: 1 }).lean<Pick<OrderDoc, '_id'>>() : null;
    const doc: Omit<PlatformReminderDoc, '_id'> = {
      event,
      transactionId,
      outTradeNo: parsed.merchant_trade_no ?? null,
      orderId: order?._id ?? null,
      message: parsed.msg ?? '',
      pushedAt: new Date(parsed.CreateTime * 1000),
      createdAt: new Date(),
      resolvedAt: null,
      resolvedBy: null,
    };
    const result = await Reminder.updateOne({ _id: `${event}:${transactionId ?? ''}:${parsed.CreateTime}` }, { $setOnInsert: doc }, { upsert: true });
    if (result.upsertedCount === 0) return 'already';
    log.warn({ event, transactionId, outTradeNo: doc.outTradeNo, orderId: order?._id.toHexString() ?? null, alert: true }, 'WeChat reminds the shop');
    return 'applied';
  }

  return {
    async apply(message: PushMessage): Promise<PushOutcome> {
      const event = typeof message.Event === 'string' ? message.Event : '';
      switch (event) {
        case 'trade_manage_order_settlement':
          return settlement(message);
        case 'trade_manage_remind_shipping':
        case 'trade_manage_remind_access_api':
          return reminder(event, message);
        default:
          // Other pushes (subscribe-message events, …) belong to other features; answered so WeChat stops retrying.
          log.debug({ event, msgType: message.MsgType }, 'push not handled here');
          return 'ignored';
      }
    },

    openReminders(limit: number): Promise<PlatformReminderDoc[]> {
      return Reminder.find({ resolvedAt: null }).sort({ createdAt: -1 }).limit(limit).lean<PlatformReminderDoc[]>().exec();
    },

    /** Marks a reminder handled; null when it does not exist. A second call changes nothing. */
    async resolveReminder(id: string, actor: string): Promise<PlatformReminderDoc | null> {
      await Reminder.updateOne({ _id: id, resolvedAt: null }, { $set: { resolvedAt: new Date(), resolvedBy: actor } });
      return Reminder.findById(id).lean<PlatformReminderDoc>();
    },
  };
}

export type MessagePushEvents = ReturnType<typeof messagePushEvents>;
