import type { JsapiPayParams } from '@blindbox/shared';
import type { ComplaintChannel } from '../../complaints/complaint-channel';
import type { ChannelRefund, ChannelTransaction, NotificationHeaders, PrepayRequest, RefundRequest, RefundStatus, TradeState } from '../payment-channel';

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
  /** Where the day's trade bill (bill_type ALL, gzip) is and its hash; null when WeChat has none (NO_STATEMENT_EXIST). */
  applyTradeBill(billDate: string): Promise<TradeBillLocation | null>;
  /** The bill file exactly as served: WeChat does not sign it, the hash from applyTradeBill vouches for it. */
  downloadBillFile(downloadUrl: string): Promise<Buffer>;
  /** Consumer complaints (消费者投诉 2.0), signed and verified the same way. */
  complaints: ComplaintChannel;
}

export interface TradeBillLocation {
  hashType: string;
  hashValue: string;
  downloadUrl: string;
}

/** WeChat's requests and answers are the port's (payments/payment-channel.ts); only the notification envelope adds to them. */
export type PrepayInput = Omit<PrepayRequest, 'kind' | 'payerOpenid' | 'attach'> & { attach?: string };

export interface JsapiPrepayInput extends PrepayInput {
  payerOpenid: string;
}

export type PaymentTransaction = ChannelTransaction;
export type RefundInput = RefundRequest;
export type RefundResult = ChannelRefund;
export type { NotificationHeaders, RefundStatus, TradeState };

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
