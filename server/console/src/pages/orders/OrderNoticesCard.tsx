import { Card, Descriptions, Tag, Typography } from 'antd';
import { EVENT_NOTIFICATION_KINDS, type GrantState, type NotificationKind, type OrderNotices } from '@blindbox/shared';
import { formatTime } from '../../time';

const KIND_LABELS: Record<NotificationKind, string> = { 'drop-opening': '开售提醒', 'order-shipped': '发货通知', 'refund-succeeded': '退款成功通知', 'service-update': '售后进度通知' };

const STATE_TAGS: Record<GrantState, [color: string, text: string]> = {
  open: ['default', '未使用'],
  declined: ['default', '顾客未允许'],
  queued: ['processing', '排队发送中'],
  sending: ['processing', '发送中'],
  sent: ['success', '已送达'],
  refused: ['warning', '未送达：顾客已关闭此类通知'],
  failed: ['error', '发送失败'],
};

/**
 * What the shopper was told of this order by subscribe message: for "I never heard it shipped", the answer is
 * here — sent, still queued, refused by the shopper's settings, or never sent because no grant was left.
 */
export function OrderNoticesCard({ notices }: { notices: OrderNotices }) {
  const { events, openGrants, off } = notices;
  return (
    <Card title="订阅消息" size="small" data-testid="order-notices">
      {events.length === 0 ? (
        <Typography.Text type="secondary">发货、退款成功后会用订阅消息通知顾客，目前还没有。</Typography.Text>
      ) : (
        <Descriptions size="small" column={1}>
          {events.map((event) => {
            const refundNo = event.kind === 'refund-succeeded' ? `（${event.ref.slice(event.ref.indexOf(':') + 1)}）` : '';
            const [color, text] = event.state ? STATE_TAGS[event.state] : ['default', off.includes(event.kind) ? '未发送：本店未配置此类通知的模板' : '未发送：当时顾客没有可用的订阅授权'];
            return (
              <Descriptions.Item key={event.ref} label={`${KIND_LABELS[event.kind]}${refundNo}`}>
                <Tag color={color}>{text}</Tag>
                {event.sentAt && <Typography.Text type="secondary">{formatTime(event.sentAt)}</Typography.Text>}
                {event.error && event.state !== 'sent' && <Typography.Text type="danger">{event.error}</Typography.Text>}
              </Descriptions.Item>
            );
          })}
        </Descriptions>
      )}
      <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }} data-testid="order-open-grants">
        顾客还可接收：{EVENT_NOTIFICATION_KINDS.map((kind) => `${KIND_LABELS[kind]} ${openGrants[kind]} 条`).join(' · ')}
      </Typography.Paragraph>
    </Card>
  );
}
