import { Tag } from 'antd';
import type { OrderStatus } from '@blindbox/shared';

export const ORDER_STATUS_LABELS: Record<OrderStatus, { text: string; color: string }> = {
  TO_BE_PAID: { text: '待付款', color: 'default' },
  TO_BE_DELIVERED: { text: '待发货', color: 'orange' },
  DELIVERED: { text: '已发货', color: 'blue' },
  COMPLETED: { text: '已完成', color: 'green' },
  CLOSED: { text: '已关闭', color: 'default' },
  REFUNDING: { text: '退款中', color: 'purple' },
  REFUNDED: { text: '已退款', color: 'red' },
};

export function OrderStatusTag({ status }: { status: OrderStatus }) {
  const label = ORDER_STATUS_LABELS[status];
  return <Tag color={label.color}>{label.text}</Tag>;
}

export const CHANNEL_LABELS: Record<string, string> = { wechatpay: '微信支付', alipay: '支付宝' };

export const REFUND_STATUS_LABELS: Record<string, { text: string; color: string }> = {
  PENDING: { text: '待提交', color: 'default' },
  PROCESSING: { text: '处理中', color: 'processing' },
  SUCCESS: { text: '已到账', color: 'success' },
  CLOSED: { text: '已关闭', color: 'error' },
  ABNORMAL: { text: '异常', color: 'error' },
};

export function RefundStatusTag({ status }: { status: string }) {
  const label = REFUND_STATUS_LABELS[status] ?? { text: status, color: 'default' };
  return <Tag color={label.color}>{label.text}</Tag>;
}
