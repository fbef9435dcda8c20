import type { JsapiPayParams, NativePayResponse } from '@blindbox/shared';
import type { PaymentState } from '../lib/poll-payment';

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

/**
 * Why a pay sheet failed, in Chinese: `requestPayment:fail …` carries WeChat's (or the browser's) English reason,
 * which a shopper must not see. A lost connection is worth naming; anything else is one plain line.
 */
export function paymentFailureMessage(error: unknown): string {
  const errMsg = (error as { errMsg?: unknown } | null)?.errMsg;
  if (typeof errMsg === 'string' && /fetch|network|timeout|timed out|offline/i.test(errMsg)) return '支付没有完成：网络连接失败，请检查网络后重试';
  return '支付没有完成，请稍后重试，订单会为你保留';
}

/**
 * The desktop pay panel (platform/qr-pay*.tsx): shows a Native-pay QR code until the payment settles, for one
 * order or for several paid together.
 */
export interface QrPayProps {
  totalFen: number;
  /** Until when the code is worth scanning (the order's, or the earliest member's, expiry). */
  expiresAt: string;
  /** Asks the server for the code to show (again after a retry). */
  open: () => Promise<NativePayResponse>;
  /** The payment status of the order, or of the combined payment of several. */
  check: () => Promise<PaymentState>;
  onSettled: (status: 'PAID' | 'FAILED') => void;
}
