import type { Connection, Types } from 'mongoose';
import type { Logger } from '../logger';
import type { DeskCaller } from '../orders/order-desk';
import { orderModel, type OrderDoc } from '../orders/order.model';
import type { OrderService } from '../orders/order.service';
import { OrderStateConflict } from '../orders/order-errors';
import { NotFound, ruleError } from '../domain-error';
import type { MiniProgramPlatform } from './mini-program-platform';
import { shippingUploadModel, type ShippingUploadDoc } from './shipping-upload.model';
import type { ShippingUploadScheduler } from './shipping-upload.service';
import { isReceiptConfirmedAtWechat, receiptByWechat } from './receipt-state';

/** The shopper came back from WeChat's component, but WeChat does not report the receipt confirmed. */
export const ReceiptNotConfirmed = ruleError('CONFLICT', 'RECEIPT_NOT_CONFIRMED');
export const ReceivedTimeInvalid = ruleError('INVALID', 'RECEIVED_TIME_INVALID');
export const ParcelNotShipped = ruleError('CONFLICT', 'PARCEL_NOT_SHIPPED');

export interface ReceiptDeps {
  db: Connection;
  logger: Logger;
  platform: MiniProgramPlatform;
  orders: Pick<OrderService, 'get' | 'confirmReceipt'>;
  scheduler: ShippingUploadScheduler;
}

/** The end of a shipment: the parcel arrives (staff or a carrier says so), then the shopper confirms receipt. */
export function receiptService({ db, logger, platform, orders, scheduler }: ReceiptDeps) {
  const Order = orderModel(db);
  const Upload = shippingUploadModel(db);
  const log = logger.child({ component: 'receipt' });

  async function othersReceived(upload: ShippingUploadDoc): Promise<boolean> {
    const parcels = await Upload.find({ splitOf: upload.splitOf, _id: { $ne: upload._id } }, { receivedAt: 1 }).lean<Array<Pick<ShippingUploadDoc, 'receivedAt'>>>();
    return parcels.every((parcel) => parcel.receivedAt);
  }

  return {
    /**
     * 确认收货. For a mini-program payment WeChat's component is where the shopper confirms, and its return to the
     * mini-program proves nothing (anyone can call our API): get_order must report the receipt confirmed before the
     * order moves. Confirming an order already completed answers it unchanged.
     */
    async confirm(orderId: Types.ObjectId, userId: Types.ObjectId): Promise<OrderDoc> {
      const order = await orders.get(orderId, userId);
      if (!receiptByWechat(order)) return orders.confirmReceipt(orderId, userId);
      if (order.status === 'COMPLETED') return order;
      if (order.status !== 'DELIVERED') throw new OrderStateConflict('ORDER_NOT_DELIVERED', `order is ${order.status}; only delivered orders can be confirmed`);
      const atWechat = await platform.getOrder({ kind: 'transaction_id', transactionId: order.payment.transactionId! });
      if (!atWechat || !isReceiptConfirmedAtWechat(atWechat.orderState)) {
        log.info({ orderId: orderId.toHexString(), outTradeNo: order.payment.outTradeNo, orderState: atWechat?.orderState ?? null }, 'receipt not confirmed at WeChat');
        throw new ReceiptNotConfirmed(`WeChat reports order_state ${atWechat?.orderState ?? 'none'}: the receipt is not confirmed`);
      }
      const completed = await orders.confirmReceipt(orderId, userId).catch(async (error: unknown) => {
        // Completed meanwhile (the settlement event, a second tab): the same outcome.
        const current = await Order.findById(orderId).lean<OrderDoc>();
        if (current?.status === 'COMPLETED') return current;
        throw error;
      });
      log.info({ orderId: orderId.toHexString(), outTradeNo: order.payment.outTradeNo, orderState: atWechat.orderState }, 'receipt confirmed at WeChat');
      return completed;
    },

    /**
     * The carrier delivered the parcel (签收) at `receivedAt`. Recorded once (a repeat changes nothing and sends
     * nothing); for a mini-program payment still awaiting receipt, WeChat is asked to remind the shopper, by the
     * shipment's job (after its upload, which the reminder needs).
     */
    async markReceived(orderId: Types.ObjectId, receivedAt: Date, by: DeskCaller): Promise<ShippingUploadDoc | null> {
      const order = await Order.findById(orderId).lean<OrderDoc>();
      if (!order) throw new NotFound(`order ${orderId.toHexString()}`);
      const upload = await Upload.findById(orderId).lean<ShippingUploadDoc>();
      if (!upload || (order.status !== 'DELIVERED' && order.status !== 'COMPLETED')) throw new ParcelNotShipped(`order is ${order.status}; only a shipped parcel can be received`);
      if (upload.receivedAt) return upload;
      if (receivedAt.getTime() < upload.shippedAt.getTime() || receivedAt.getTime() > Date.now() + 60_000) {
        throw new ReceivedTimeInvalid('the parcel cannot have been received before it was shipped, nor in the future');
      }
      // WeChat takes one reminder per transaction: a transaction that paid several orders (split delivery) is
      // reminded when its last parcel arrives. Two last parcels marked in the same instant may both wait: a reminder
      // missed (WeChat confirms automatically in time), never one sent twice.
      const remind = order.status === 'DELIVERED' && receiptByWechat(order) && (!upload.splitOf || (await othersReceived(upload)));
      const done = await by.change(
        { command: 'received', target: `order:${orderId.toHexString()}`, before: { receivedAt: null }, after: { receivedAt: receivedAt.toISOString(), reminder: remind } },
        async () => {
          const won = await Upload.updateOne({ _id: orderId, receivedAt: null }, { $set: { receivedAt, reminderStatus: remind ? 'PENDING' : null } });
          if (won.modifiedCount === 1 && remind) await scheduler.scheduleShippingUpload(orderId);
          return true;
        },
      );
      if (done) log.info({ orderId: orderId.toHexString(), outTradeNo: upload.outTradeNo, actor: by.actor, remind }, 'parcel received');
      return Upload.findById(orderId).lean<ShippingUploadDoc>();
    },
  };
}

export type ReceiptService = ReturnType<typeof receiptService>;
