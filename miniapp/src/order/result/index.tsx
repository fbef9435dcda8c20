import { useRouter, useShareAppMessage } from '@tarojs/taro';
import { useState } from 'react';
import type { ShareContent } from '../../platform/share';
import { routes } from '../../lib/routes';
import { CombinedResult } from './combined-result';
import { OrderResult } from './order-result';

/** The result of one order's payment (`orderId`), or of one payment for several orders (`combinedId`). */
export default function ResultPage() {
  const { params } = useRouter();
  const [share, setShare] = useState<ShareContent | null>(null);
  // WeChat's share sheet (the ··· menu or the 分享给好友 button): the drawn item's picture, opening the box's page.
  useShareAppMessage(() => share ?? { title: '一起来拆盲盒', path: routes.boxes() });
  return params.combinedId ? <CombinedResult combinedId={params.combinedId} /> : <OrderResult orderId={params.orderId ?? ''} onShare={setShare} />;
}
