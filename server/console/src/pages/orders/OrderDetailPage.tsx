import { DetailHeader } from '../../components/DetailHeader';
import { useState } from 'react';
import { useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Space, Table, Tag, Timeline, Tooltip, Typography } from 'antd';
import { historyReasonText, MONEY_STATE_LABELS, orderChannelViewSchema, orderDetailSchema, carrierNameOf, type MoneyState, type OrderDetail } from '@blindbox/shared';
import { request } from '../../api/client';
import { useCan, useMe } from '../../api/session';
import { AuditTable } from '../../components/AuditTable';
import { ActorName, actorText, CHANNEL_LABELS, ORDER_STATUS_LABELS, OrderStatusTag, RarityTag, RefundStatusTag, refundUnitsText } from '../../components/labels';
import { PageLoading } from '../../components/PageLoading';
import { QueryError } from '../../components/QueryError';
import { yuan } from '../../money';
import { formatTime } from '../../time';
import { CancelDialog } from './CancelDialog';
import { useOrderActions } from './order-actions';
import { AddressDialog } from './AddressDialog';
import { OrderNoticesCard } from './OrderNoticesCard';
import { RefundDialog } from './RefundDialog';
import { ShipDialog } from './ShipDialog';


/** One order: what was bought and drawn, where it goes, every payment and refund, its history and actions. */
export default function OrderDetailPage() {
  const { id = '' } = useParams();
  const order = useQuery({ queryKey: ['order', id], queryFn: () => request('GET', `/orders/${id}`, orderDetailSchema) });
  if (order.isPending) return <PageLoading />;
  if (order.isError) return <QueryError error={order.error} retry={() => order.refetch()} />;
  return <OrderView order={order.data} refreshing={order.isFetching} refresh={() => void order.refetch()} />;
}

/** A history line's statuses: from → to, or the one status of a change within it (a partial refund, a new address). */
function statusChange({ from, to }: OrderDetail['history'][number]): string {
  if (from === to) return ORDER_STATUS_LABELS[to];
  return `${from ? ORDER_STATUS_LABELS[from] : '创建'} → ${ORDER_STATUS_LABELS[to]}`;
}

function OrderView({ order, refreshing, refresh }: { order: OrderDetail; refreshing: boolean; refresh: () => void }) {
  const can = useCan();
  const me = useMe();
  const actions = useOrderActions(order.id);
  const [dialog, setDialog] = useState<'refund' | 'ship' | 'cancel' | 'address' | null>(null);
  const close = () => setDialog(null);
  const denied = '当前角色无权执行此操作';
  const itemName = (index: number) => order.items.find((item) => item.index === index)?.name;

  const actionButton = (key: keyof OrderDetail['allowed'], label: string, permission: Parameters<typeof can>[0], onClick: () => void, { danger = false, small = false } = {}) => {
    if (!order.allowed[key]) return null;
    const allowed = can(permission);
    return (
      <Tooltip title={allowed ? undefined : denied} key={key}>
        <Button danger={danger} size={small ? 'small' : undefined} disabled={!allowed} onClick={onClick} loading={(key === 'reconcile' && actions.reconcile.isPending) || (key === 'markReceived' && actions.received.isPending)} data-testid={`order-${key}`}>
          {label}
        </Button>
      </Tooltip>
    );
  };

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="order-detail">
      <Card>
        <DetailHeader
          back={{ to: '/orders', label: '订单列表' }}
          title={`订单 ${order.id}`}
          copyText={order.id}
          status={
            <span data-testid="order-status">
              <OrderStatusTag status={order.status} />
            </span>
          }
          actions={
            <>
              {actionButton('reconcile', '与渠道核对', 'orders.reconcile', () => actions.reconcile.mutate())}
              {actionButton('ship', '发货', 'orders.ship', () => setDialog('ship'))}
              {actionButton('markReceived', '标记已签收', 'orders.ship', () => actions.received.mutate())}
              {actionButton('refund', '退款', 'orders.refund', () => setDialog('refund'), { danger: true })}
              {actionButton('cancel', '取消订单', 'orders.cancel', () => setDialog('cancel'), { danger: true })}
            </>
          }
          refresh={{ run: refresh, pending: refreshing }}
        />
        <Descriptions size="small" column={{ xs: 1, md: 2, xl: 4 }} style={{ marginTop: 16 }} bordered>
          <Descriptions.Item label="商品金额">{yuan(order.subtotalFen)}</Descriptions.Item>
          <Descriptions.Item label="优惠">{order.discountFen ? `−${yuan(order.discountFen)}` : '—'}</Descriptions.Item>
          <Descriptions.Item label="实付">
            <Typography.Text strong>{yuan(order.totalFen)}</Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label="已退 / 剩余可退">
            <span data-testid="order-refunded">
              {yuan(order.refundedFen)} / {yuan(order.refundable.amountFen)}
            </span>
          </Descriptions.Item>
          <Descriptions.Item label="下单时间">{formatTime(order.createdAt)}</Descriptions.Item>
          <Descriptions.Item label="付款时间">{formatTime(order.paidAt)}</Descriptions.Item>
          <Descriptions.Item label="支付截止">{order.status === 'TO_BE_PAID' ? formatTime(order.expiresAt) : '—'}</Descriptions.Item>
          <Descriptions.Item label="优惠券">{order.couponId ?? '未使用'}</Descriptions.Item>
          <Descriptions.Item label="买家 openid" span={2}>
            <Typography.Text copyable>{order.openid}</Typography.Text>
          </Descriptions.Item>
        </Descriptions>
      </Card>

      <Card title="收货信息" size="small" extra={actionButton('readdress', '修改地址', 'orders.ship', () => setDialog('address'), { small: true })}>
        <Descriptions size="small" column={{ xs: 1, md: 3 }}>
          <Descriptions.Item label="收货人">{order.address.name}</Descriptions.Item>
          <Descriptions.Item label="电话">{order.address.phone}</Descriptions.Item>
          <Descriptions.Item label="地址">
            <span data-testid="order-address">{`${order.address.region} ${order.address.detail}`}</span>
          </Descriptions.Item>
          {order.shipping && (
            <>
              <Descriptions.Item label="快递">
                <span data-testid="order-tracking">{`${carrierNameOf(order.shipping.expressCompany)} ${order.shipping.trackingNo}`}</span>
              </Descriptions.Item>
              <Descriptions.Item label="发货时间">{formatTime(order.shipping.shippedAt)}</Descriptions.Item>
              <Descriptions.Item label="微信发货信息">
                {order.shipping.uploadStatus === 'UPLOADED' ? <Tag color="green">已上传 {formatTime(order.shipping.uploadedAt)}</Tag> : <Tag color="orange">待上传（已尝试 {order.shipping.attempts} 次{order.shipping.lastError ? `：${order.shipping.lastError}` : ''}）</Tag>}
              </Descriptions.Item>
              <Descriptions.Item label="签收">{order.shipping.receivedAt ? formatTime(order.shipping.receivedAt) : '未签收'}</Descriptions.Item>
              {order.shipping.reminderStatus && (
                <Descriptions.Item label="确认收货提醒">
                  <Tooltip title={order.shipping.reminderError ?? undefined}>
                    <Tag color={REMINDER_COLORS[order.shipping.reminderStatus]} data-testid="order-reminder">
                      {REMINDER_LABELS[order.shipping.reminderStatus]}
                      {order.shipping.remindedAt ? ` ${formatTime(order.shipping.remindedAt)}` : ''}
                    </Tag>
                  </Tooltip>
                </Descriptions.Item>
              )}
            </>
          )}
        </Descriptions>
      </Card>

      <Card title="商品与抽取结果" size="small">
        <Table
          size="small"
          rowKey="index"
          pagination={false}
          dataSource={order.items}
          columns={[
            { title: '盲盒', dataIndex: 'name' },
            { title: '单价', dataIndex: 'priceFen', align: 'right', render: yuan },
            { title: '数量', dataIndex: 'quantity', align: 'right' },
            { title: '已按件退款', dataIndex: 'refundedUnits', align: 'right', render: (units: number) => (units ? <Tag color="red">{units} 件</Tag> : '—') },
          ]}
        />
        {order.draws.length > 0 && (
          <Table
            size="small"
            style={{ marginTop: 12 }}
            rowKey="unitIndex"
            pagination={false}
            dataSource={order.draws}
            columns={[
              { title: '第几件', dataIndex: 'unitIndex', width: 80, render: (index: number) => index + 1 },
              { title: '抽到', dataIndex: 'name', render: (name: string, draw) => (draw.imageUrl ? <Space><img src={draw.imageUrl} alt="" width={32} height={32} style={{ objectFit: 'cover', borderRadius: 4 }} />{name}</Space> : name) },
              { title: '稀有度', dataIndex: 'rarity', width: 100, render: (rarity: string) => <RarityTag rarity={rarity} /> },
              { title: '公平性证明', dataIndex: 'proofUrl', render: (url: string | null) => (url ? <a href={url} target="_blank" rel="noopener">查看证明</a> : '—') },
            ]}
          />
        )}
      </Card>

      <MoneyCard order={order} />

      <PaymentCard order={order} />

      <Card title="退款记录" size="small">
        <Table
          size="small"
          rowKey="outRefundNo"
          pagination={false}
          dataSource={order.refunds}
          locale={{ emptyText: '没有退款' }}
          data-testid="refund-table"
          columns={[
            { title: '退款单号', dataIndex: 'outRefundNo' },
            { title: '金额', dataIndex: 'amountFen', align: 'right', render: yuan },
            { title: '内容', dataIndex: 'units', render: (units: OrderDetail['refunds'][number]['units']) => (units ? refundUnitsText(units, itemName) : '按金额') },
            { title: '原因', dataIndex: 'reason' },
            { title: '状态', dataIndex: 'status', render: (status: string) => <RefundStatusTag status={status} /> },
            { title: '发起人', dataIndex: 'actor', render: (actor: string | null) => (actor ? <ActorName actor={actor} /> : '—') },
            { title: '申请时间', dataIndex: 'requestedAt', render: formatTime },
            { title: '完成时间', dataIndex: 'completedAt', render: formatTime },
          ]}
        />
      </Card>

      <OrderNoticesCard notices={order.notices} />

      <Card title="订单状态变化与操作记录" size="small">
        <Timeline
          style={{ marginTop: 8 }}
          data-testid="order-history"
          items={order.history.map((step) => ({
            children: (
              <span title={`${step.reason} · ${step.actor}`}>
                {`${formatTime(step.at)}  ${statusChange(step)}（${historyReasonText(step.reason)}，${actorText(step.actor)}）`}
              </span>
            ),
          }))}
        />
        <AuditTable entries={order.audit} showTarget={false} itemName={itemName} />
      </Card>

      <RefundDialog
        order={order}
        limitFen={me.refundLimitFen}
        open={dialog === 'refund'}
        pending={actions.refund.isPending}
        onClose={close}
        onSubmit={(body) => actions.refund.mutate(body, { onSuccess: close })}
      />
      <AddressDialog order={order} open={dialog === 'address'} pending={actions.readdress.isPending} onClose={close} onSubmit={(body) => actions.readdress.mutate(body, { onSuccess: close })} />
      <ShipDialog open={dialog === 'ship'} pending={actions.ship.isPending} onClose={close} onSubmit={(body) => actions.ship.mutate(body, { onSuccess: close })} />
      <CancelDialog open={dialog === 'cancel'} pending={actions.cancel.isPending} onClose={close} onSubmit={(reason) => actions.cancel.mutate(reason, { onSuccess: close })} />
    </Space>
  );
}

const REMINDER_LABELS = { PENDING: '待发送', SENT: '已提醒', FAILED: '微信拒绝' } as const;
const REMINDER_COLORS = { PENDING: 'orange', SENT: 'green', FAILED: 'red' } as const;
const MONEY_COLORS: Record<MoneyState, string> = { UNPAID: 'default', PAID: 'green', FROZEN: 'orange', SETTLED: 'blue', REFUNDED: 'red' };

/** Where the money stands: a mini-program payment stays frozen at WeChat until the receipt, then settles. */
function MoneyCard({ order }: { order: OrderDetail }) {
  const { money } = order;
  const how = money.receiptConfirmMethod === 1 ? '（自动确认）' : money.receiptConfirmMethod === 2 ? '（买家确认）' : '';
  return (
    <Card title="资金" size="small">
      <Descriptions size="small" column={{ xs: 1, md: 2, xl: 4 }}>
        <Descriptions.Item label="资金状态">
          <Tag color={MONEY_COLORS[money.state]} data-testid="order-money">
            {MONEY_STATE_LABELS[money.state]}
          </Tag>
        </Descriptions.Item>
        <Descriptions.Item label="结算方式">{money.heldByWechat ? '微信冻结，确认收货后结算' : '直接到账'}</Descriptions.Item>
        <Descriptions.Item label="预计结算">{formatTime(money.settlementEstimatedAt)}</Descriptions.Item>
        <Descriptions.Item label="确认收货">{money.receiptConfirmedAt ? `${formatTime(money.receiptConfirmedAt)}${how}` : '—'}</Descriptions.Item>
        <Descriptions.Item label="结算时间">{formatTime(money.settledAt)}</Descriptions.Item>
      </Descriptions>
    </Card>
  );
}

function PaymentCard({ order }: { order: OrderDetail }) {
  const { payment } = order;
  const [live, setLive] = useState(false);
  const channel = useQuery({ queryKey: ['order', order.id, 'channel'], queryFn: () => request('GET', `/orders/${order.id}/channel`, orderChannelViewSchema), enabled: live, staleTime: 0 });
  return (
    <Card
      title="支付"
      size="small"
      extra={
        <Button size="small" onClick={() => (live ? void channel.refetch() : setLive(true))} loading={channel.isFetching} data-testid="channel-view">
          查询渠道实时状态
        </Button>
      }
    >
      <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }}>
        <Descriptions.Item label="渠道">{payment.channel ? CHANNEL_LABELS[payment.channel] : '—'}</Descriptions.Item>
        <Descriptions.Item label="支付尝试次数">{payment.attemptCount}</Descriptions.Item>
        <Descriptions.Item label="商户订单号">{payment.outTradeNo ? <Typography.Text copyable>{payment.outTradeNo}</Typography.Text> : '—'}</Descriptions.Item>
        <Descriptions.Item label="交易单号">{payment.transactionId ? <Typography.Text copyable>{payment.transactionId}</Typography.Text> : '—'}</Descriptions.Item>
        <Descriptions.Item label="付款人">{payment.payerOpenid ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="支付成功时间">{formatTime(payment.successTime)}</Descriptions.Item>
        {payment.current && (
          <Descriptions.Item label="当前支付单" span={3}>
            {`${CHANNEL_LABELS[payment.current.channel] ?? payment.current.channel} ${payment.current.kind} ${payment.current.outTradeNo}，创建于 ${formatTime(payment.current.createdAt)}，${formatTime(payment.current.timeExpire)} 失效`}
          </Descriptions.Item>
        )}
        {payment.extraTransactionIds.length > 0 && (
          <Descriptions.Item label="重复支付的交易" span={3}>
            <Typography.Text type="danger">{payment.extraTransactionIds.join('，')}</Typography.Text>
          </Descriptions.Item>
        )}
        {payment.combinedId && <Descriptions.Item label="合并支付单">{payment.combinedId}</Descriptions.Item>}
      </Descriptions>
      {channel.isError && <QueryError error={channel.error} />}
      {channel.data && (
        <Card type="inner" size="small" title="渠道实时状态" style={{ marginTop: 8 }} data-testid="channel-live">
          {channel.data.error ? (
            <Alert type="warning" showIcon message={`渠道查询失败：${channel.data.error}`} />
          ) : (
            <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }}>
              <Descriptions.Item label="交易状态">{channel.data.tradeState ?? '—'}</Descriptions.Item>
              <Descriptions.Item label="金额">{yuan(channel.data.amountFen)}</Descriptions.Item>
              <Descriptions.Item label="成功时间">{formatTime(channel.data.successTime)}</Descriptions.Item>
              {channel.data.refunds.map((refund) => (
                <Descriptions.Item key={refund.outRefundNo} label={`退款 ${refund.outRefundNo}`}>
                  {refund.error ? `查询失败：${refund.error}` : (refund.status ?? '—')}
                </Descriptions.Item>
              ))}
            </Descriptions>
          )}
        </Card>
      )}
    </Card>
  );
}
