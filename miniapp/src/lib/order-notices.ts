import { useEffect, useState } from 'react';
import { api } from '../api/session';
import { ASK_AT_ORDER, requestSubscribe } from '../platform/subscribe';

/**
 * The shipping and refund notices, asked for as the shopper taps 提交并支付 (WeChat only). `ask()` must run first
 * in the tap (WeChat's rule); it opens WeChat's sheet and returns at once, so placing the order — what a drop races
 * for — never waits on the shopper's answer. Only the pay sheet waits (`ask()`'s promise), since WeChat shows one
 * sheet at a time. The answer is recorded on the server; a failure there costs a notice, never the order.
 */
export function useOrderNotices(): () => Promise<void> {
  const [templateIds, setTemplateIds] = useState<string[]>([]);
  useEffect(() => {
    if (!ASK_AT_ORDER) return;
    api.notificationSettings().then(
      ({ templates }) => setTemplateIds([templates.orderShipped, templates.refundSucceeded].filter((id): id is string => id !== null)),
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
