import { AFTERSALES_KIND_LABELS } from '@blindbox/shared';
import type { Notifier } from '../notifications/notifier';
import type { AftersalesDoc } from './aftersales.model';

/** What the shopper is told: staff answered in the thread, or decided the request. */
export type AftersalesNoticeEvent = 'REPLIED' | 'RESOLVED';

/**
 * The port through which an after-sales step reaches the shopper. A notice never holds up or undoes the step:
 * a failure is logged by the caller and the request page shows the same news the next time it is opened.
 */
export interface AftersalesNotices {
  notify(request: AftersalesDoc, event: AftersalesNoticeEvent): Promise<void>;
}

/** The template's status is a phrase of at most five characters (WeChat's 参数值内容限制). */
const RESOLVED_STATUS = { REFUND: '同意退款', RESHIP: '已补发', REFUSE: '不予处理' } as const;

/**
 * Through the subscribe-message notifier (售后服务进度通知, when the shopper granted one): each reply is its own
 * event (named by the thread's length), the decision one more; a repeated call sends nothing twice.
 */
export function aftersalesNotices(notifier: Notifier): AftersalesNotices {
  return {
    async notify(request, event) {
      const id = request._id.toHexString();
      const resolution = request.resolution;
      const decided = event === 'RESOLVED' && resolution;
      await notifier.notify(request.openid, 'service-update', {
        eventId: decided ? `aftersales:${id}:resolved` : `aftersales:${id}:reply:${request.messageCount}`,
        orderId: request.orderId.toHexString(),
        service: `售后：${AFTERSALES_KIND_LABELS[request.kind]}`,
        status: decided ? RESOLVED_STATUS[resolution.kind] : '客服已回复',
        note: decided && resolution.kind === 'REFUSE' ? (resolution.reason ?? '') : decided ? '点击查看处理详情' : '客服回复了你的售后申请，点击查看',
        at: decided ? resolution.at : new Date(),
      });
    },
  };
}
