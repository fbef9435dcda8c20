import type { NotificationHeaders } from '../payments/payment-channel';

/**
 * WeChat Pay's consumer complaints (消费者投诉 2.0) as the complaints domain sees them: typed, the wire format
 * and the signing left to the adapter (payments/wechatpay/wechatpay-complaints.ts). Amounts in fen.
 */
export interface ComplaintChannel {
  /** The URL WeChat posts complaint notifications to; null when none is registered. */
  notificationUrl(): Promise<string | null>;
  /** Registers `url` (creating or replacing the registration); says what it had to do. */
  registerNotificationUrl(url: string): Promise<'CREATED' | 'UPDATED' | 'UNCHANGED'>;
  /** One page of the complaints made between two Beijing dates (YYYY-MM-DD, at most 30 days apart). */
  list(query: { beginDate: string; endDate: string; offset: number; limit: number }): Promise<{ complaints: ChannelComplaint[]; totalCount: number | null }>;
  get(complaintId: string): Promise<ChannelComplaint>;
  /** The whole negotiation history, oldest first (paged through here). */
  history(complaintId: string): Promise<NegotiationEntry[]>;
  respond(complaintId: string, content: string): Promise<void>;
  complete(complaintId: string): Promise<void>;
  /** The answer to a shopper's refund request made in the complaint (APPROVE once the refund is on its way). */
  updateRefundProgress(complaintId: string, progress: { action: 'APPROVE'; launchRefundDay: number; remark: string } | { action: 'REJECT'; rejectReason: string; remark: string }): Promise<void>;
  /** A picture of the complaint through the signed media API (`media_url` as the complaint gives it). */
  downloadImage(mediaUrl: string): Promise<Buffer>;
  /** Verifies and decrypts a complaint notification exactly as payment callbacks are (NotificationRejectedError otherwise). */
  verifyNotification(headers: NotificationHeaders, rawBody: Buffer): Promise<ComplaintNotification>;
}

export type ComplaintState = 'PENDING' | 'PROCESSING' | 'PROCESSED';

export interface ChannelComplaint {
  complaintId: string;
  complaintTime: Date;
  detail: string;
  state: ComplaintState;
  /** Decrypted (WeChat encrypts it with the merchant's certificate); null when the shopper left none. */
  payerPhone: string | null;
  payerOpenid: string | null;
  orders: { transactionId: string; outTradeNo: string; amountFen: number }[];
  fullRefunded: boolean;
  incomingUserResponse: boolean;
  userComplaintTimes: number;
  /** The shopper's pictures (USER_COMPLAINT_IMAGE) as media URLs of the signed media API. */
  imageUrls: string[];
  problemDescription: string;
  problemType: string | null;
  applyRefundFen: number | null;
}

export interface NegotiationEntry {
  logId: string;
  operator: string;
  operateTime: Date;
  operateType: string;
  details: string;
  imageUrls: string[];
}

export interface ComplaintNotification {
  eventId: string;
  eventType: string;
  complaintId: string;
  actionType: string;
}
