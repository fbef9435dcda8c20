import { useEffect, useRef, useState } from 'react';
import type { NotificationSettings } from '@blindbox/shared';
import { api } from '../api/session';
import { ASK_AT_ORDER, requestSubscribe } from '../platform/subscribe';

/**
 * Asks, in a tap, for the notices `pick` names (WeChat only). `ask()` must run first in the tap (WeChat's rule);
 * it opens WeChat's sheet and returns at once, so what the tap does never waits on the shopper's answer; only
 * a later sheet (the pay sheet) waits on `ask()`'s promise, since WeChat shows one sheet at a time. The answer is
 * recorded on the server; a failure there costs a notice, never the shopper's step.
 */
export function useNoticeAsk(pick: (templates: NotificationSettings['templates']) => Array<string | null>): () => Promise<void> {
  const [templateIds, setTemplateIds] = useState<string[]>([]);
  const pickRef = useRef(pick);
  useEffect(() => {
    if (!ASK_AT_ORDER) return;
    api.notificationSettings().then(
      ({ templates }) => setTemplateIds(pickRef.current(templates).filter((id): id is string => id !== null)),
      () => undefined,
    );
  }, []);

  return () => {
    if (templateIds.length === 0) return Promise.resolve();
    return requestSubscribe(templateIds).then(async (answers) => {
      if (answers) await api.recordSubscribeGrants({ answers }).catch(() => undefined);
    });
  };
}

/** The shipping and refund notices, asked for as the shopper taps 提交并支付 (placing the order never waits). */
export const useOrderNotices = () => useNoticeAsk((templates) => [templates.orderShipped, templates.refundSucceeded]);
