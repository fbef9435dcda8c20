/** A transaction report we refuse to act on (not ours, wrong amount, currency, trade type or payer, unknown order). Never fulfilled. */
export class PaymentRejectedError extends Error {
  constructor(
    readonly code: 'MERCHANT_MISMATCH' | 'UNKNOWN_OUT_TRADE_NO' | 'AMOUNT_MISMATCH' | 'TRANSACTION_MISMATCH' | 'MISSING_TRANSACTION_ID',
    message: string,
  ) {
    super(message);
    this.name = 'PaymentRejectedError';
  }
}
