import type { ConsoleAuditEntry, OrderDetail, OrderNotices, OrderRow } from '@blindbox/shared';
import type { AdminAuditEntryDoc } from '../admin/admin-audit';
import { heldForRefundsFen, refundableOf, refundedUnitsByLine } from '../payments/refund-amounts';
import type { ShippingUploadDoc } from '../shipping/shipping-upload.model';
import { moneyStateOf, receiptByWechat } from '../shipping/receipt-state';
import type { OrderDoc } from './order.model';
import { addressChangeable, canBeClosed, canBeRefunded, canBeShipped } from './order-state';
import { outTradeNoOfOrder } from './out-trade-no';

const iso = (date: Date | null | undefined) => (date ? new Date(date).toISOString() : null);

/** One row of the console's order list; shopper-typed fields go out as the plain strings they are. */
export function orderRow(order: OrderDoc): OrderRow {
  return {
    id: order._id.toHexString(),
    status: order.status,
    totalFen: order.totalFen,
    refundedFen: heldForRefundsFen(order),
    units: order.items.reduce((sum, item) => sum + item.quantity, 0),
    title: order.items[0]?.name ?? '',
    openid: order.openid,
    receiverName: order.address?.name ?? '',
    receiverPhone: order.address?.phone ?? '',
    channel: order.payment.channel ?? order.payment.current?.channel ?? null,
    outTradeNo: outTradeNoOfOrder(order),
    transactionId: order.payment.transactionId,
    trackingNo: order.trackingNote,
    createdAt: order.createdAt.toISOString(),
    paidAt: iso(order.paidAt),
  };
}

export const auditEntryView = (entry: AdminAuditEntryDoc): ConsoleAuditEntry => ({
  actor: entry.actor,
  command: entry.command,
  target: entry.target,
  before: entry.before,
  after: entry.after,
  at: entry.at.toISOString(),
});

export function orderDetail(order: OrderDoc, audit: AdminAuditEntryDoc[], upload: ShippingUploadDoc | null, notices: OrderNotices): OrderDetail {
  const id = order._id.toHexString();
  const unitsBack = refundedUnitsByLine(order);
  let unit = 0;
  const lineOfUnit = order.items.flatMap((item, itemIndex) => Array.from({ length: item.quantity }, () => itemIndex));
  return {
    ...orderRow(order),
    subtotalFen: order.subtotalFen,
    discountFen: order.discountFen,
    couponId: order.couponId?.toHexString() ?? null,
    expiresAt: order.expiresAt.toISOString(),
    address: { name: order.address.name, phone: order.address.phone, region: order.address.region, detail: order.address.detail },
    items: order.items.map((item, index) => ({
      index,
      boxId: item.boxId.toHexString(),
      name: item.name,
      priceFen: item.priceFen,
      quantity: item.quantity,
      refundedUnits: unitsBack[index] ?? 0,
    })),
    draws: order.draws.map((draw) => {
      const unitIndex = unit++;
      return {
        unitIndex,
        itemIndex: lineOfUnit[unitIndex] ?? 0,
        name: draw.name,
        rarity: draw.rarity,
        imageUrl: draw.imageUrl,
        proofUrl: draw.proof ? `/api/console/orders/${id}/proofs/${unitIndex}` : null,
      };
    }),
    payment: {
      channel: order.payment.channel ?? null,
      attemptCount: order.payment.attemptCount,
      current: order.payment.current
        ? {
            outTradeNo: order.payment.current.outTradeNo,
            channel: order.payment.current.channel ?? 'wechatpay',
            kind: order.payment.current.kind,
            createdAt: new Date(order.payment.current.createdAt).toISOString(),
            timeExpire: new Date(order.payment.current.timeExpire).toISOString(),
          }
        : null,
      transactionId: order.payment.transactionId,
      outTradeNo: order.payment.outTradeNo,
      payerOpenid: order.payment.payerOpenid,
      successTime: iso(order.payment.successTime),
      extraTransactionIds: order.payment.extraTransactionIds ?? [],
      combinedId: order.payment.combinedId?.toHexString() ?? null,
    },
    refunds: order.refunds.map((refund) => ({
      outRefundNo: refund.outRefundNo,
      channel: refund.channel ?? 'wechatpay',
      transactionId: refund.transactionId,
      outTradeNo: refund.outTradeNo,
      amountFen: refund.amountFen,
      units: refund.units ?? null,
      reason: refund.reason,
      status: refund.status,
      requestedAt: new Date(refund.requestedAt).toISOString(),
      completedAt: iso(refund.completedAt),
      actor: refund.actor ?? null,
    })),
    refundable: canBeRefunded(order.status) ? refundableOf(order) : { amountFen: 0, units: order.items.map((_item, itemIndex) => ({ itemIndex, quantity: 0, unitFen: 0 })) },
    notices,
    history: order.audit.map((entry) => ({ from: entry.from, to: entry.to, reason: entry.reason, actor: entry.actor, at: new Date(entry.at).toISOString() })),
    audit: audit.map(auditEntryView),
    shipping: upload
      ? {
          trackingNo: upload.trackingNo,
          expressCompany: upload.expressCompany,
          shippedAt: upload.shippedAt.toISOString(),
          uploadStatus: upload.status,
          attempts: upload.attempts,
          lastError: upload.lastError?.message ?? null,
          uploadedAt: iso(upload.uploadedAt),
          receivedAt: iso(upload.receivedAt ?? null),
          reminderStatus: upload.reminderStatus ?? null,
          remindedAt: iso(upload.remindedAt ?? null),
          reminderError: upload.reminderError ?? null,
        }
      : null,
    money: {
      state: moneyStateOf(order),
      heldByWechat: receiptByWechat(order),
      settlementEstimatedAt: iso(order.settlementEstimatedAt ?? null),
      receiptConfirmedAt: iso(order.receiptConfirmedAt ?? null),
      receiptConfirmMethod: order.receiptConfirmMethod ?? null,
      settledAt: iso(order.settledAt ?? null),
    },
    allowed: {
      refund: canBeRefunded(order.status) && refundableOf(order).amountFen > 0,
      ship: canBeShipped(order.status),
      readdress: addressChangeable(order.status, 'staff'),
      cancel: canBeClosed(order.status),
      reconcile: true,
      markReceived: upload !== null && !upload.receivedAt && (order.status === 'DELIVERED' || order.status === 'COMPLETED'),
    },
  };
}
