import Taro from '@tarojs/taro';
import { useState } from 'react';
import { describeError } from '../api/api-error';
import { api } from '../api/session';
import { useResource } from '../lib/use-resource';
import { requestSubscribe } from '../platform/subscribe';
import { ActionButton } from './action-button';
import './drop-reminder.css';

/**
 * 开售提醒 on a scheduled drop: WeChat asks the shopper for one message of the shop's drop template, the server
 * records the answer and sends the reminder when the drop opens. Shown only when the shop sends drop reminders.
 */
export function DropReminderButton({ boxId }: { boxId: string }) {
  const settings = useResource(() => api.notificationSettings(boxId));
  const [subscribed, setSubscribed] = useState(false);
  const templateId = settings.data?.templates.dropOpening;
  if (!templateId) return null;
  const done = subscribed || settings.data?.dropReminder === true;

  async function remind(template: string) {
    // First thing in the tap: WeChat shows its sheet only from a tap's own handling.
    const answers = await requestSubscribe([template]);
    if (!answers) {
      await Taro.showModal({ title: '开售提醒', content: '开售提醒通过微信订阅消息发送。请在微信里打开「盲盒商店」小程序，在这一页点“开售提醒”。', showCancel: false, confirmText: '知道了' });
      return;
    }
    try {
      const recorded = await api.recordSubscribeGrants({ answers, boxId });
      if (recorded.dropReminder) {
        setSubscribed(true);
        await Taro.showToast({ title: '开售时会在微信里提醒你', icon: 'none' });
      } else if (answers[template] === 'ban') {
        await Taro.showModal({ title: '通知已关闭', content: '你关闭了这类通知。可在右上角「…」→ 设置 → 通知管理 中打开，再点“开售提醒”。', showCancel: false, confirmText: '知道了' });
      } else {
        await Taro.showToast({ title: '没有订阅，开售前可以再点一次', icon: 'none' });
      }
    } catch (failure) {
      await Taro.showToast({ title: describeError(failure), icon: 'none' });
    }
  }

  return (
    <ActionButton variant="ghost" small testId="drop-reminder" disabled={done} className={done ? 'drop-reminder--set' : ''} onTap={() => remind(templateId)}>
      {done ? '✓ 已设提醒' : '开售提醒'}
    </ActionButton>
  );
}
