import { Button } from '@tarojs/components';
import type { ShareProps } from './share';

/**
 * In WeChat the share sheet is WeChat's own: this button opens it, and the result page's onShareAppMessage
 * (useShareAppMessage) gives it the drawn item's picture and the box's page. A poster is for H5 (share-button.h5.tsx).
 */
export function ShareButton(_props: ShareProps) {
  return (
    <Button className="btn btn--ghost" openType="share" data-testid="share-button">
      分享给好友
    </Button>
  );
}
