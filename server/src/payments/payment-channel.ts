import type { Fen, JsapiPayParams } from '@blindbox/shared';
import type { ChannelName, PaymentKind } from '../orders/order.model';

export type { ChannelName } from '../orders/order.model';

/**
 * The payment-channel port: everything the payment domain asks of a way to take money. The domain decides
 * what happens to an order; an adapter (payments/wechatpay/, payments/alipay/) knows how its channel speaks.
 * Each payment attempt records the channel it was opened on (payment-channels.ts finds it again).
 */
export interface PaymentChannel {
  /** Names the channel in attempts, refunds, audit entries and logs (`wechatpay:notify`). */
  readonly name: ChannelName;
  /** The merchant this channel must report money for (WeChat appid/mchid; Alipay app_id/seller_id). */
  readonly merchant: { appid: string; mchid: string };
  /**
   * Opens the channel's transaction for an attempt; asking again with the same input gives the same answer.
   * Throws TradeNumberTaken when the channel already holds a transaction under that out_trade_no made with
   * other terms.
   */
  prepay(input: PrepayRequest): Promise<PrepayResult>;
  /** What the client needs to start paying a prepared transaction (no network). */
  clientPayParams(prepayId: string): JsapiPayParams;
  /** null when the channel has no such transaction. */
  query(outTradeNo: string): Promise<ChannelTransaction | null>;
  /** Closing an already closed or unknown transaction counts as closed; a paid one reports ALREADY_PAID. */
  close(outTradeNo: string): Promise<'CLOSED' | 'ALREADY_PAID'>;
  refund(input: RefundRequest): Promise<ChannelRefund>;
  /** null when the channel has no such refund (Alipay finds a refund by its trade, so both are given). */
  queryRefund(outRefundNo: string, outTradeNo: string): Promise<ChannelRefund | null>;
  /**
   * Verifies and decodes a notification the channel sent. Throws the adapter's own rejection error (the
   * notify route answers it as unauthenticated) when the request cannot be trusted.
   */
  verifyNotification(headers: NotificationHeaders, rawBody: Buffer): Promise<ChannelNotification>;
  /**
   * Redirect channels only (Alipay's return_url): verifies the parameters the cashier sends the shopper's
   * browser back with and names the trade. Proves nothing about payment: only for choosing where to send them.
   */
  verifyReturn?(params: Record<string, string>): { outTradeNo: string };
}

export interface PrepayRequest {
  kind: PaymentKind;
  outTradeNo: string;
  description: string;
  amountFen: Fen;
  timeExpire: Date;
  /** Free text the channel echoes back; the order id. */
  attach: string;
  /** The paying shopper, for in-app (JSAPI) payments. */
  payerOpenid: string;
}

/**
 * JSAPI gives a prepay id the client pays with; NATIVE gives a URL to show as a QR code; PAGE (Alipay page
 * pay) gives a signed, self-submitting form that takes the browser to the cashier (made locally, not stored).
 */
export type PrepayResult =
  | { prepayId: string; codeUrl: null; formHtml: null }
  | { prepayId: null; codeUrl: string; formHtml: null }
  | { prepayId: null; codeUrl: null; formHtml: string };

export type TradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';

export interface ChannelTransaction {
  appid: string;
  mchid: string;
  outTradeNo: string;
  transactionId: string | null;
  tradeType: string | null;
  tradeState: TradeState;
  amountFen: Fen;
  /** Only CNY is ever charged. */
  currency: string | null;
  payerOpenid: string | null;
  successTime: Date | null;
  attach: string | null;
  /** The object as the channel sent it, kept for audit. */
  raw: Record<string, unknown>;
}

export interface RefundRequest {
  outTradeNo: string;
  outRefundNo: string;
  refundFen: Fen;
  totalFen: Fen;
  reason: string;
}

export type RefundStatus = 'PROCESSING' | 'SUCCESS' | 'CLOSED' | 'ABNORMAL';

export interface ChannelRefund {
  outRefundNo: string;
  outTradeNo: string;
  refundId: string;
  status: RefundStatus;
  refundFen: Fen;
  raw: Record<string, unknown>;
}

/** Header names lower-cased, as Koa and Node give them. */
export type NotificationHeaders = Record<string, string | string[] | undefined>;

export type ChannelNotification = { kind: 'transaction'; transaction: ChannelTransaction } | { kind: 'refund'; refund: ChannelRefund };

/** The channel refused a request or gave no trustworthy answer. */
export class ChannelError extends Error {
  constructor(
    /** The channel's own error code (SYSTEM_ERROR, ORDERPAID, …), or NETWORK_ERROR / TIMEOUT. */
    readonly code: string,
    /** Worth asking again later with the same request. */
    readonly retryable: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ChannelError';
  }
}

/** The channel already holds a transaction under this out_trade_no, made with other terms (WeChat's OUT_TRADE_NO_USED). */
export class TradeNumberTaken extends ChannelError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TRADE_NUMBER_TAKEN', false, message, options);
    this.name = 'TradeNumberTaken';
  }
}
