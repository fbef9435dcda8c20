/** What the simulator remembers, and how it appears on WeChat Pay's wire. */
import { beijingTime } from './time';

export type TradeType = 'JSAPI' | 'NATIVE';
export type TradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';
export type RefundStatus = 'PROCESSING' | 'SUCCESS' | 'CLOSED' | 'ABNORMAL';
export type SigningMode = 'platform-certificate' | 'public-key';

export interface TransactionRecord {
  appid: string;
  mchid: string;
  outTradeNo: string;
  tradeType: TradeType;
  description: string;
  attach: string | null;
  notifyUrl: string;
  total: number;
  currency: string;
  payerOpenid: string | null;
  /** Canonical JSON of the business fields, to tell a retry of the same prepay from a reuse of the number. */
  fingerprint: string;
  createdAt: number;
  expiresAt: number;
  prepayId: string | null;
  prepayIssuedAt: number;
  codeUrl: string | null;
  tradeState: TradeState;
  transactionId: string | null;
  successTime: number | null;
  closedAt: number | null;
}

export interface RefundRecord {
  refundId: string;
  outRefundNo: string;
  outTradeNo: string;
  transactionId: string;
  reason: string | null;
  notifyUrl: string | null;
  refund: number;
  total: number;
  currency: string;
  status: RefundStatus;
  createdAt: number;
  /** When PROCESSING turns into SUCCESS. */
  completesAt: number;
  successTime: number | null;
}

export type DeliveryKind = 'transaction' | 'refund' | 'complaint';

export interface DeliveryRecord {
  id: string;
  eventId: string;
  eventType: string;
  kind: DeliveryKind;
  outTradeNo: string;
  outRefundNo: string | null;
  notifyUrl: string;
  /** The callback body, fixed at creation: every retry carries the same event. */
  body: string;
  createdAt: number;
  attempts: number;
  lastAttemptAt: number | null;
  nextAttemptAt: number | null;
  status: 'pending' | 'delivered' | 'failed';
}

export interface AttemptRecord {
  deliveryId: string | null;
  eventId: string;
  outTradeNo: string | null;
  kind: DeliveryKind | 'signtest';
  attempt: number;
  at: string;
  url: string;
  httpStatus: number | null;
  error: string | null;
  /** How long the merchant took to answer (or until WeChat gave up); absent in records from older stores. */
  ms?: number;
  /** 2 for the second copy of a duplicated send. */
  copy?: number;
}

export interface PlatformCertificateRecord {
  serialNo: string;
  certificatePem: string;
  privateKeyPem: string;
  effectiveTime: number;
  expireTime: number;
  /** Set when a newer certificate took over signing; listed until then. */
  listedUntil: number | null;
}

const TRADE_STATE_DESC: Record<TradeState, string> = {
  SUCCESS: '支付成功',
  REFUND: '转入退款',
  NOTPAY: '订单未支付',
  CLOSED: '订单已关闭',
  REVOKED: '已撤销（刷卡支付）',
  USERPAYING: '用户支付中（刷卡支付）',
  PAYERROR: '支付失败，其他原因',
};

export function transactionView(tx: TransactionRecord): Record<string, unknown> {
  const paid = tx.transactionId !== null;
  const view: Record<string, unknown> = {
    appid: tx.appid,
    mchid: tx.mchid,
    out_trade_no: tx.outTradeNo,
    trade_type: tx.tradeType,
    trade_state: tx.tradeState,
    trade_state_desc: TRADE_STATE_DESC[tx.tradeState],
  };
  if (paid) {
    view.transaction_id = tx.transactionId;
    view.bank_type = 'OTHERS';
    view.success_time = beijingTime(tx.successTime ?? tx.createdAt);
  }
  if (tx.attach !== null) view.attach = tx.attach;
  if (tx.payerOpenid !== null) view.payer = { openid: tx.payerOpenid };
  view.amount = paid
    ? { total: tx.total, payer_total: tx.total, currency: tx.currency, payer_currency: tx.currency }
    : { total: tx.total, currency: tx.currency, payer_currency: tx.currency };
  return view;
}

export function refundView(refund: RefundRecord): Record<string, unknown> {
  const view: Record<string, unknown> = {
    refund_id: refund.refundId,
    out_refund_no: refund.outRefundNo,
    transaction_id: refund.transactionId,
    out_trade_no: refund.outTradeNo,
    channel: 'ORIGINAL',
    user_received_account: '支付用户零钱',
    create_time: beijingTime(refund.createdAt),
    status: refund.status,
    funds_account: 'AVAILABLE',
    amount: {
      total: refund.total,
      refund: refund.refund,
      payer_total: refund.total,
      payer_refund: refund.refund,
      settlement_total: refund.total,
      settlement_refund: refund.refund,
      discount_refund: 0,
      currency: refund.currency,
    },
    promotion_detail: [],
  };
  if (refund.successTime !== null) view.success_time = beijingTime(refund.successTime);
  return view;
}

/** The decrypted resource of a REFUND.* callback. */
export function refundNotificationResource(refund: RefundRecord, mchid: string): Record<string, unknown> {
  return {
    mchid,
    out_trade_no: refund.outTradeNo,
    transaction_id: refund.transactionId,
    out_refund_no: refund.outRefundNo,
    refund_id: refund.refundId,
    refund_status: refund.status,
    success_time: beijingTime(refund.successTime ?? refund.createdAt),
    user_received_account: '支付用户零钱',
    amount: { total: refund.total, refund: refund.refund, payer_total: refund.total, payer_refund: refund.refund },
  };
}

export type ComplaintStateValue = 'PENDING' | 'PROCESSING' | 'PROCESSED';

export interface NegotiationRecord {
  logId: string;
  operator: string;
  operateTime: number;
  operateType: string;
  operateDetails: string;
  mediaIds: string[];
}

/** A consumer complaint (消费者投诉 2.0) against a paid transaction. */
export interface ComplaintRecord {
  complaintId: string;
  complaintTime: number;
  detail: string;
  state: ComplaintStateValue;
  payerPhone: string | null;
  payerOpenid: string | null;
  outTradeNo: string;
  transactionId: string;
  amount: number;
  problemDescription: string;
  problemType: 'REFUND' | 'SERVICE_NOT_WORK' | 'OTHERS';
  applyRefundAmount: number | null;
  mediaIds: string[];
  history: NegotiationRecord[];
  incomingUserResponse: boolean;
  userComplaintTimes: number;
}
