import type { Fen } from '@blindbox/shared';

/**
 * The trade-bill port: a channel's daily statement of every payment and refund it recorded for the shop,
 * already checked for integrity (hash, summary) by the adapter that fetched it. bill-reconciliation.ts
 * compares it with the orders; the WeChat Pay adapter (payments/wechatpay/trade-bill-download.ts) fetches it.
 */
export interface TradeBillSource {
  /** billDate: the Beijing calendar day, YYYY-MM-DD. A day without any transaction gives a bill without rows. */
  downloadTradeBill(billDate: string): Promise<TradeBill>;
}

export interface TradeBill {
  billDate: string;
  rows: TradeBillRow[];
}

/** One line of the bill: a payment (trade state SUCCESS) or a refund (REFUND), as the channel saw it that day. */
export interface TradeBillRow {
  kind: 'PAYMENT' | 'REFUND';
  tradeTime: Date;
  appid: string;
  mchid: string;
  transactionId: string;
  outTradeNo: string;
  payerOpenid: string;
  tradeType: string;
  /** 订单金额: the order total; 0 on refund rows. */
  totalFen: Fen;
  attach: string | null;
  /** Refund rows only. */
  refund: { outRefundNo: string; refundId: string; refundFen: Fen; status: string } | null;
}

/** The bill cannot be trusted as a whole (hash, structure or summary wrong): not one of its rows may be acted on. */
export class TradeBillIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TradeBillIntegrityError';
  }
}
