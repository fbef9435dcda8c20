import { Text } from '@tarojs/components';
import { describeError } from '../api/api-error';
import { isPaymentCancel, paymentFailureMessage } from '../platform/payment';

/** What the pay pages tell a shopper after a payment did not go through. */
export type PayNotice = { kind: 'cancelled' } | { kind: 'failed'; message: string };

/** A cancelled pay sheet is not an error: the order stays payable. */
export function payNoticeOf(failure: unknown): PayNotice {
  if (isPaymentCancel(failure)) return { kind: 'cancelled' };
  return { kind: 'failed', message: failure instanceof Error ? describeError(failure) : paymentFailureMessage(failure) };
}

export function PayNoticeText({ notice }: { notice: PayNotice | null }) {
  if (notice?.kind === 'cancelled') {
    return (
      <Text className="notice" data-testid="pay-cancelled">
        已取消支付，订单仍为你保留，可随时继续支付
      </Text>
    );
  }
  if (notice?.kind === 'failed') {
    return (
      <Text className="error-text" data-testid="pay-error">
        {notice.message}
      </Text>
    );
  }
  return null;
}
