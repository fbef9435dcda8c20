import { NEGOTIATION_LABELS, type ComplaintDetail, type ComplaintRow } from '@blindbox/shared';
import type { ComplaintDoc } from './complaint.model';

const imageUrl = (complaintId: string, imageId: string) => `/api/console/complaints/${encodeURIComponent(complaintId)}/images/${imageId}`;

export function complaintRow(complaint: ComplaintDoc): ComplaintRow {
  return {
    id: complaint._id,
    complaintTime: complaint.complaintTime.toISOString(),
    state: complaint.state,
    detail: complaint.detail,
    problemDescription: complaint.problemDescription,
    orderId: complaint.orderId?.toHexString() ?? null,
    outTradeNo: complaint.outTradeNo,
    amountFen: complaint.amountFen,
    applyRefundFen: complaint.applyRefundFen,
    replyDueAt: complaint.replyDueAt?.toISOString() ?? null,
    incomingUserResponse: complaint.incomingUserResponse,
    refundedFen: complaint.refunds.reduce((sum, refund) => sum + refund.amountFen, 0),
  };
}

export function complaintDetail(complaint: ComplaintDoc): ComplaintDetail {
  const open = complaint.state !== 'PROCESSED';
  return {
    ...complaintRow(complaint),
    payerPhone: complaint.payerPhone,
    problemType: complaint.problemType,
    fullRefunded: complaint.fullRefunded,
    userComplaintTimes: complaint.userComplaintTimes,
    imageUrls: complaint.imageIds.map((id) => imageUrl(complaint._id, id)),
    history: complaint.history.map((entry) => ({
      logId: entry.logId,
      operator: entry.operator,
      operateTime: entry.operateTime.toISOString(),
      operateType: entry.operateType,
      label: NEGOTIATION_LABELS[entry.operateType] ?? entry.operateType,
      details: entry.details,
      imageUrls: entry.imageIds.map((id) => imageUrl(complaint._id, id)),
    })),
    refunds: complaint.refunds.map((refund) => ({ ...refund, at: refund.at.toISOString() })),
    syncedAt: complaint.syncedAt.toISOString(),
    allowed: { reply: open, refund: open && complaint.orderId !== null && !complaint.fullRefunded, complete: open },
  };
}
