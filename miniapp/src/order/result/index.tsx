import { useRouter } from '@tarojs/taro';
import { CombinedResult } from './combined-result';
import { OrderResult } from './order-result';

/** The result of one order's payment (`orderId`), or of one payment for several orders (`combinedId`). */
export default function ResultPage() {
  const { params } = useRouter();
  return params.combinedId ? <CombinedResult combinedId={params.combinedId} /> : <OrderResult orderId={params.orderId ?? ''} />;
}
