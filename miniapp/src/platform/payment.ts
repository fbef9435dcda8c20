import type { JsapiPayParams, Order } from '@blindbox/shared';

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

/** The desktop pay panel (platform/qr-pay*.tsx): shows the order's Native-pay QR code until it settles. */
export interface QrPayProps {
  order: Order;
  onSettled: (status: 'PAID' | 'CLOSED') => void;
}
