import type { Fen, JsapiPayParams } from '@blindbox/shared';

/**
 * The port through which domain code talks to WeChat Pay v3. It is the only place that knows the wire
 * format; callers see typed results. One adapter (wechatpay-node-v3) implements it against a base URL
 * that points at api.mch.weixin.qq.com in production and at the simulator in development and tests.
 */
export interface WechatPayGateway {
  prepayJsapi(input: JsapiPrepayInput): Promise<{ prepayId: string }>;
  prepayNative(input: PrepayInput): Promise<{ codeUrl: string }>;
  /** Signs the parameters `requestPayment` takes for a prepay id (no network). */
  jsapiPayParams(prepayId: string): JsapiPayParams;
  /** null when WeChat has no such transaction (ORDER_NOT_EXIST). */
  queryTransaction(outTradeNo: string): Promise<PaymentTransaction | null>;
  /** Closing an already closed or unknown transaction counts as closed; a paid one reports ALREADY_PAID. */
  closeTransaction(outTradeNo: string): Promise<'CLOSED' | 'ALREADY_PAID'>;
  refund(input: RefundInput): Promise<RefundResult>;
  /** null when WeChat has no such refund. */
  queryRefund(outRefundNo: string): Promise<RefundResult | null>;
  /**
   * Verifies (signature over the raw body, timestamp window, serial) and decrypts a callback.
   * Throws NotificationRejectedError when it cannot be trusted, NotificationIgnoredError when it is genuine
   * but not an event the notify URL handles.
   */
  verifyNotification(headers: NotificationHeaders, rawBody: Buffer): Promise<VerifiedNotification>;
}

export interface PrepayInput {
  outTradeNo: string;
  description: string;
  amountFen: Fen;
  timeExpire: Date;
  /** Free text WeChat echoes back; we put the order id here. */
  attach?: string;
}

export interface JsapiPrepayInput extends PrepayInput {
  payerOpenid: string;
}

export type TradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';

export interface PaymentTransaction {
  appid: string;
  mchid: string;
  outTradeNo: string;
  transactionId: string | null;
  tradeType: string | null;
  tradeState: TradeState;
  amountFen: Fen;
  /** amount.currency; only CNY is ever charged. */
  currency: string | null;
  payerOpenid: string | null;
  successTime: Date | null;
  attach: string | null;
  /** The decrypted or received object as WeChat sent it, kept for audit. */
  raw: Record<string, unknown>;
}

export interface RefundInput {
  outTradeNo: string;
  outRefundNo: string;
  refundFen: Fen;
  totalFen: Fen;
  reason: string;
}

export type RefundStatus = 'PROCESSING' | 'SUCCESS' | 'CLOSED' | 'ABNORMAL';

export interface RefundResult {
  outRefundNo: string;
  outTradeNo: string;
  refundId: string;
  status: RefundStatus;
  refundFen: Fen;
  raw: Record<string, unknown>;
}

/** Header names lower-cased, as Koa and Node give them. */
export type NotificationHeaders = Record<string, string | string[] | undefined>;

export type VerifiedNotification =
  | { kind: 'transaction'; eventId: string; eventType: string; transaction: PaymentTransaction }
  | { kind: 'refund'; eventId: string; eventType: string; refund: RefundResult };

export type NotificationRejection =
  | 'MISSING_HEADERS'
  | 'SIGNTEST_PROBE'
  | 'STALE_TIMESTAMP'
  | 'UNKNOWN_SERIAL'
  | 'BAD_SIGNATURE'
  | 'DUPLICATE_HEADERS'
  | 'MALFORMED_BODY'
  | 'DECRYPTION_FAILED';

export class NotificationRejectedError extends Error {
  constructor(
    readonly reason: NotificationRejection,
    message: string,
  ) {
    super(message);
    this.name = 'NotificationRejectedError';
  }
}

/**
 * A genuine, signed notification this endpoint does not act on (an event type it does not handle, or one
 * whose resource is of another kind than its event says). WeChat is told it was handled, so it stops
 * resending; nothing changes.
 */
export class NotificationIgnoredError extends Error {
  constructor(
    readonly eventId: string,
    readonly eventType: string,
    message: string,
  ) {
    super(message);
    this.name = 'NotificationIgnoredError';
  }
}

/** An error answer from WeChat Pay (or no trustworthy answer at all). */
export class WechatPayApiError extends Error {
  constructor(
    /** WeChat's error code (SYSTEM_ERROR, ORDERPAID, ...), or NETWORK_ERROR / TIMEOUT / BAD_RESPONSE_SIGNATURE. */
    readonly code: string,
    readonly httpStatus: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'WechatPayApiError';
  }

  /** Worth retrying later with the same request (WeChat says so for SYSTEM_ERROR and friends). */
  get retryable(): boolean {
    return (
      this.httpStatus === null ||
      this.httpStatus >= 500 ||
      ['SYSTEM_ERROR', 'FREQUENCY_LIMITED', 'NETWORK_ERROR', 'TIMEOUT', 'BAD_RESPONSE_SIGNATURE'].includes(this.code)
    );
  }
}
