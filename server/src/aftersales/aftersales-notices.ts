import type { Logger } from '../logger';
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

/** Until the subscribe-message notifier is wired in: the notice is logged, so support can see it was due. */
export function loggedAftersalesNotices(logger: Logger): AftersalesNotices {
  const log = logger.child({ component: 'aftersales-notices' });
  return {
    async notify(request, event) {
      log.info({ aftersalesId: request._id.toHexString(), orderId: request.orderId.toHexString(), userId: request.userId.toHexString(), event }, 'after-sales notice due');
    },
  };
}
