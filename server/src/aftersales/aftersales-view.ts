import { carrierNameOf, type AftersalesDetail, type AftersalesResolution, type AftersalesRow, type AftersalesView } from '@blindbox/shared';
import type { AdminAuditEntryDoc } from '../admin/admin-audit';
import type { OrderDoc } from '../orders/order.model';
import { auditEntryView } from '../orders/order-console-view';
import type { AftersalesDoc } from './aftersales.model';
import { isOpen, refundCapFen, refundOf } from './aftersales-rules';

const SUMMARY_LENGTH = 40;

function resolutionView(request: AftersalesDoc, order: OrderDoc): AftersalesResolution | null {
  const resolution = request.resolution;
  if (!resolution) return null;
  const at = resolution.at.toISOString();
  if (resolution.kind === 'REFUND') {
    return { kind: 'REFUND', amountFen: resolution.amountFen ?? 0, refundStatus: refundOf(order, request)?.status ?? null, note: resolution.note ?? '', at };
  }
  if (resolution.kind === 'RESHIP') {
    const carrier = resolution.carrier ?? '';
    return { kind: 'RESHIP', carrier, carrierName: carrierNameOf(carrier), trackingNo: resolution.trackingNo ?? '', note: resolution.note ?? '', at };
  }
  return { kind: 'REFUSE', reason: resolution.reason ?? '', at };
}

/** The request as its shopper sees it: the line as sold, the thread, and what was decided (with the refund's state). */
/** Photos are their detail-size URLs (a client asks pictureVariantUrl for a thumbnail's). */
export function aftersalesView(request: AftersalesDoc, order: OrderDoc): AftersalesView {
  const item = order.items[request.itemIndex];
  return {
    id: request._id.toHexString(),
    orderId: request.orderId.toHexString(),
    itemIndex: request.itemIndex,
    item: { name: item?.name ?? '', coverUrl: item?.coverUrl ?? '', quantity: item?.quantity ?? 0 },
    kind: request.kind,
    description: request.description,
    photos: [...request.photos],
    status: request.status,
    messages: request.messages.map((message) => ({ from: message.from, text: message.text, photos: [...message.photos], at: message.at.toISOString() })),
    resolution: resolutionView(request, order),
    createdAt: request.createdAt.toISOString(),
    updatedAt: request.updatedAt.toISOString(),
  };
}

/** A line of the console's queue (the order's item name read with it). */
export function aftersalesRow(request: AftersalesDoc, itemName: string): AftersalesRow {
  return {
    id: request._id.toHexString(),
    orderId: request.orderId.toHexString(),
    itemName,
    kind: request.kind,
    status: request.status,
    summary: request.description.length > SUMMARY_LENGTH ? `${request.description.slice(0, SUMMARY_LENGTH)}…` : request.description,
    messages: request.messageCount,
    createdAt: request.createdAt.toISOString(),
    updatedAt: request.updatedAt.toISOString(),
  };
}

/** The request for staff: the shopper's view plus the order around it, the refund cap and the staff audit. */
export function aftersalesDetail(request: AftersalesDoc, order: OrderDoc, audit: AdminAuditEntryDoc[], trackingNo: string | null): AftersalesDetail {
  const open = isOpen(request.status);
  return {
    ...aftersalesView(request, order),
    order: {
      status: order.status,
      totalFen: order.totalFen,
      receiverName: order.address.name,
      receiverPhone: order.address.phone,
      trackingNo,
      refundCapFen: refundCapFen(order, request.itemIndex),
    },
    messageActors: request.messages.map((message) => (message.from === 'STAFF' ? message.actor : null)),
    audit: audit.map(auditEntryView),
    allowed: { reply: open, resolve: open },
  };
}
