import type { Connection, Types } from 'mongoose';
import type { Logger } from '../logger';
import { orderModel, type OrderDoc } from '../orders/order.model';
import { combinedPaymentModel, type CombinedPaymentDoc } from '../payments/combined-payment.model';
import { ruleError } from '../domain-error';
import { shippingUploadModel, type ShippingUploadDoc } from './shipping-upload.model';
import { PlatformError, type MiniProgramPlatform } from './mini-program-platform';
import { receiptReminders } from './receipt-reminder';
import { carrierNameOf } from '@blindbox/shared';
import type { Notifier } from '../notifications/notifier';

/** What the shipping upload asks of the job system: one upload job per order, retried until the platform accepts. */
export interface ShippingUploadScheduler {
  scheduleShippingUpload(orderId: Types.ObjectId): Promise<void>;
}

export interface ShippingUploadDeps {
  db: Connection;
  logger: Logger;
  platform: MiniProgramPlatform;
  mchid: string;
  scheduler: ShippingUploadScheduler;
  /** The shop's carrier when the admin names none (SHIPPING_EXPRESS_COMPANY). */
  defaultExpressCompany: string;
  /** Tells the shopper their parcel left (a subscribe message, when they granted one). */
  notifier: Notifier;
}

const ITEM_DESC_MAX = 120;
const ALERT_AFTER_ATTEMPTS = 10;

export const OrderNotShipped = ruleError('CONFLICT', 'ORDER_NOT_SHIPPED');

/**
 * Since 2023 WeChat holds a mini-program's settlement until the shipping information of each paid
 * transaction is uploaded, so a shipment here is not finished until the platform has accepted it.
 */
export function shippingUploads({ db, logger, platform, mchid, scheduler, defaultExpressCompany, notifier }: ShippingUploadDeps) {
  const Upload = shippingUploadModel(db);
  const Order = orderModel(db);
  const Combined = combinedPaymentModel(db);
  const log = logger.child({ component: 'shipping-upload' });
  // The receipt reminder rides on the shipment's job: it needs the upload accepted first.
  const reminders = receiptReminders({ db, platform, mchid, logger });

  /**
   * Whether this parcel completes its transaction: every other order the combined payment paid has shipped or
   * will never ship (refunded). Asked at upload time, so the last parcel to go says so.
   */
  async function othersShipped(combinedId: Types.ObjectId, orderId: Types.ObjectId): Promise<boolean> {
    const combined = await Combined.findById(combinedId).lean<CombinedPaymentDoc>();
    const others = (combined?.shares ?? []).map((share) => share.orderId).filter((id) => !id.equals(orderId));
    const members = await Order.find({ _id: { $in: others } }).select({ status: 1 }).lean<Array<Pick<OrderDoc, 'status'>>>();
    return members.every((member) => member.status !== 'TO_BE_DELIVERED');
  }

  /** 发货通知, once per order (the notifier keys it by the order), whichever call of recordShipment gets there. */
  async function notifyShipped(order: OrderDoc, upload: ShippingUploadDoc): Promise<void> {
    const carrier = carrierNameOf(upload.expressCompany);
    try {
      await notifier.notify(order.openid, 'order-shipped', {
        orderId: order._id.toHexString(),
        itemName: order.items.map((item) => item.name).join('、'),
        carrier,
        trackingNo: upload.trackingNo,
        shippedAt: upload.shippedAt,
      });
    } catch (error) {
      // The shipment stands; only the message is lost (the shopper still sees it in the order).
      log.warn({ orderId: order._id.toHexString(), outTradeNo: upload.outTradeNo, err: error }, 'shipping notice not queued');
    }
  }

  return {
    /** The merchant the uploads name in their order keys. */
    mchid,

    /** Records what must be uploaded for a shipped order and queues the upload; a second call changes nothing. */
    async recordShipment(order: OrderDoc, expressCompany?: string): Promise<ShippingUploadDoc> {
      const outTradeNo = order.payment.outTradeNo;
      if (order.status !== 'DELIVERED' || !outTradeNo || !order.trackingNote) {
        throw new OrderNotShipped(`order is ${order.status}; only a shipped, paid order has shipping information`);
      }
      await Upload.updateOne(
        { _id: order._id },
        {
          $setOnInsert: {
            outTradeNo,
            payerOpenid: order.payment.payerOpenid ?? order.openid,
            trackingNo: order.trackingNote,
            expressCompany: expressCompany ?? defaultExpressCompany,
            itemDesc: itemDescription(order),
            receiverContact: maskPhone(order.address.phone),
            shippedAt: new Date(),
            status: 'PENDING',
            attempts: 0,
            lastError: null,
            uploadedAt: null,
            splitOf: order.payment.transactionTotalFen ? (order.payment.combinedId ?? null) : null,
          },
        },
        { upsert: true },
      );
      await scheduler.scheduleShippingUpload(order._id);
      const upload = (await Upload.findById(order._id).lean<ShippingUploadDoc>())!;
      await notifyShipped(order, upload);
      return upload;
    },

    /**
     * One upload attempt, then the receipt reminder if one is owed; throws (for the job's backoff) while the
     * platform has not accepted what it is owed.
     */
    async uploadShipping(orderId: Types.ObjectId, actor: string): Promise<ShippingUploadDoc | null> {
      const upload = await Upload.findById(orderId).lean<ShippingUploadDoc>();
      if (!upload) return upload;
      if (upload.status === 'UPLOADED') {
        await reminders.remindIfDue(orderId);
        return Upload.findById(orderId).lean<ShippingUploadDoc>();
      }
      try {
        await platform.uploadShippingInfo({
          orderKey: { kind: 'out_trade_no', mchid, outTradeNo: upload.outTradeNo },
          trackingNo: upload.trackingNo,
          expressCompany: upload.expressCompany,
          itemDesc: upload.itemDesc,
          receiverContact: upload.receiverContact,
          // upload_time orders the platform's requests and must grow with each ("上传时间必须比之前的请求更新"): a retry
          // after an answer that never came is a later request than the one that may have been recorded.
          uploadTime: new Date(),
          payerOpenid: upload.payerOpenid,
          ...(upload.splitOf ? { split: { allDelivered: await othersShipped(upload.splitOf, orderId) } } : {}),
        });
      } catch (error) {
        const errcode = error instanceof PlatformError ? error.errcode : null;
        const message = error instanceof Error ? error.message : String(error);
        await Upload.updateOne({ _id: orderId, status: 'PENDING' }, { $inc: { attempts: 1 }, $set: { lastError: { errcode, message, at: new Date() } } });
        const attempts = upload.attempts + 1;
        // Retries never stop (the settlement waits on them), so a person is told once they stop looking transient.
        log.warn({ orderId: orderId.toHexString(), errcode, attempts, actor, alert: attempts >= ALERT_AFTER_ATTEMPTS, err: error }, 'shipping information not accepted yet');
        throw error;
      }
      await Upload.updateOne({ _id: orderId, status: 'PENDING' }, { $inc: { attempts: 1 }, $set: { status: 'UPLOADED', uploadedAt: new Date() } });
      log.info({ orderId: orderId.toHexString(), outTradeNo: upload.outTradeNo, actor }, 'shipping information uploaded');
      await reminders.remindIfDue(orderId);
      return Upload.findById(orderId).lean<ShippingUploadDoc>();
    },

    status(orderId: Types.ObjectId): Promise<ShippingUploadDoc | null> {
      return Upload.findById(orderId).lean<ShippingUploadDoc>();
    },
  };
}

export type ShippingUploadService = ReturnType<typeof shippingUploads>;

function itemDescription(order: OrderDoc): string {
  const text = order.items.map((item) => `${item.name}*${item.quantity}`).join(';');
  return text.length <= ITEM_DESC_MAX ? text : `${text.slice(0, ITEM_DESC_MAX - 3)}...`;
}

/** The platform refuses a contact whose last four digits are masked, and must not get the whole number. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length <= 4) return digits;
  const head = digits.length >= 11 ? digits.slice(0, 3) : '';
  return `${head}${'*'.repeat(digits.length - head.length - 4)}${digits.slice(-4)}`;
}
