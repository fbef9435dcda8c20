import type { JsapiPayParams } from '@blindbox/shared';

export interface PaymentRequest {
  params: JsapiPayParams;
  /** Shown by the H5 pay sheet; WeChat shows its own amount. */
  amountLabel: string;
}

/** `requestPayment` rejects with `{errMsg: 'requestPayment:fail cancel'}` when the shopper backs out. */
export function isPaymentCancel(error: unknown): boolean {
  const errMsg = (error as { errMsg?: unknown } | null)?.errMsg;
  return typeof errMsg === 'string' && /cancel/i.test(errMsg);
}

export function paymentFailureMessage(error: unknown): string {
  const errMsg = (error as { errMsg?: unknown } | null)?.errMsg;
  return typeof errMsg === 'string' ? `支付失败：${errMsg}` : '支付失败，请重试';
}
