import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Space } from 'antd';
import { platformRemindersResponseSchema, type PlatformReminderRow } from '@blindbox/shared';
import { z } from 'zod';
import { errorMessage, request } from '../../api/client';
import { useCan } from '../../api/session';
import { formatTime } from '../../time';

const TITLES: Record<PlatformReminderRow['event'], string> = {
  trade_manage_remind_shipping: '微信提醒：请尽快录入发货信息',
  trade_manage_remind_access_api: '微信提醒：请接入发货信息管理 API',
};

/** WeChat's reminders (message push), open until staff mark them handled: money waits on what they ask for. */
export function PlatformReminders() {
  const can = useCan();
  const client = useQueryClient();
  const { message } = App.useApp();
  const reminders = useQuery({ queryKey: ['shipping', 'reminders'], queryFn: () => request('GET', '/shipping/reminders', platformRemindersResponseSchema) });
  const resolve = useMutation({
    mutationFn: (id: string) => request('POST', `/shipping/reminders/${encodeURIComponent(id)}/resolve`, z.object({ ok: z.boolean() })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['shipping', 'reminders'] }),
    onError: (error) => message.error(errorMessage(error)),
  });
  const items = reminders.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <Space direction="vertical" style={{ width: '100%', marginBottom: 16 }} data-testid="platform-reminders">
      {items.map((reminder) => (
        <Alert
          key={reminder.id}
          type="warning"
          showIcon
          message={TITLES[reminder.event]}
          description={
            <span>
              {reminder.orderId && (
                <>
                  订单 <Link to={`/orders/${reminder.orderId}`}>{reminder.orderId}</Link>（{reminder.outTradeNo}）·{' '}
                </>
              )}
              {formatTime(reminder.pushedAt)} · {reminder.message}
            </span>
          }
          action={
            can('shipping.retry') ? (
              <Button size="small" onClick={() => resolve.mutate(reminder.id)} loading={resolve.isPending && resolve.variables === reminder.id}>
                已处理
              </Button>
            ) : undefined
          }
        />
      ))}
    </Space>
  );
}
