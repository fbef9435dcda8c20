import { DetailHeader } from '../../components/DetailHeader';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Descriptions, Empty, Form, Image, Input, Row, Space, Tooltip, Typography } from 'antd';
import { AFTERSALES_RESOLUTION_LABELS, AFTERSALES_TEXT_MAX, aftersalesDetailSchema, aftersalesReplySchema, pictureVariantUrl, type AftersalesDetail } from '@blindbox/shared';
import { request } from '../../api/client';
import { useCan, useMe } from '../../api/session';
import { AuditTable } from '../../components/AuditTable';
import { OrderStatusTag, RefundStatusTag } from '../../components/labels';
import { PageLoading } from '../../components/PageLoading';
import { QueryError } from '../../components/QueryError';
import { zodRule } from '../../components/zod-rule';
import { yuan } from '../../money';
import { formatTime } from '../../time';
import { useAftersalesActions } from './aftersales-actions';
import { AftersalesKindTag, AftersalesStatusTag } from './labels';
import { ResolveDialog, type ResolveKind } from './ResolveDialog';

/** One after-sales request: what the shopper reported, the thread, the order around it, and the decision. */
export default function AftersalesDetailPage() {
  const { id = '' } = useParams();
  const query = useQuery({ queryKey: ['aftersales-request', id], queryFn: () => request('GET', `/aftersales/${id}`, aftersalesDetailSchema) });
  if (query.isPending) return <PageLoading />;
  if (query.isError) return <QueryError error={query.error} retry={() => query.refetch()} />;
  return <RequestView request={query.data} refreshing={query.isFetching} refresh={() => void query.refetch()} />;
}

function Photos({ urls }: { urls: string[] }) {
  if (urls.length === 0) return null;
  return (
    <Image.PreviewGroup>
      <Space style={{ marginTop: 8 }}>
        {urls.map((url) => (
          <Image key={url} src={pictureVariantUrl(url, 'list')} preview={{ src: url }} width={96} height={96} style={{ objectFit: 'cover', borderRadius: 6 }} alt="买家照片" data-testid="aftersales-photo" />
        ))}
      </Space>
    </Image.PreviewGroup>
  );
}

function Resolution({ request }: { request: AftersalesDetail }) {
  const resolution = request.resolution;
  if (!resolution) return null;
  const title = `处理结果：${AFTERSALES_RESOLUTION_LABELS[resolution.kind]}${request.status === 'RESOLVING' ? '（退款进行中）' : ''}`;
  return (
    <Card title={title} size="small" data-testid="aftersales-resolution">
      <Descriptions size="small" column={{ xs: 1, md: 3 }}>
        {resolution.kind === 'REFUND' && (
          <>
            <Descriptions.Item label="退款金额">{yuan(resolution.amountFen)}</Descriptions.Item>
            <Descriptions.Item label="渠道状态">{resolution.refundStatus ? <RefundStatusTag status={resolution.refundStatus} /> : '待提交'}</Descriptions.Item>
            <Descriptions.Item label="备注">{resolution.note || '—'}</Descriptions.Item>
          </>
        )}
        {resolution.kind === 'RESHIP' && (
          <>
            <Descriptions.Item label="快递">{resolution.carrierName}</Descriptions.Item>
            <Descriptions.Item label="运单号">
              <Typography.Text copyable>{resolution.trackingNo}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label="备注">{resolution.note || '—'}</Descriptions.Item>
          </>
        )}
        {resolution.kind === 'REFUSE' && <Descriptions.Item label="原因">{resolution.reason}</Descriptions.Item>}
        <Descriptions.Item label="处理时间">{formatTime(resolution.at)}</Descriptions.Item>
      </Descriptions>
    </Card>
  );
}

function RequestView({ request, refreshing, refresh }: { request: AftersalesDetail; refreshing: boolean; refresh: () => void }) {
  const can = useCan();
  const me = useMe();
  const actions = useAftersalesActions(request.id);
  const [dialog, setDialog] = useState<ResolveKind | null>(null);
  const [form] = Form.useForm<{ text: string }>();
  const handle = can('aftersales.handle');
  const denied = handle ? undefined : '当前角色无权执行此操作';

  const resolveButton = (kind: ResolveKind, label: string, danger = false) => (
    <Tooltip title={denied} key={kind}>
      <Button danger={danger} type={kind === 'REFUND' ? 'primary' : 'default'} disabled={!handle} onClick={() => setDialog(kind)} data-testid={`aftersales-${kind.toLowerCase()}`}>
        {label}
      </Button>
    </Tooltip>
  );

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="aftersales-detail">
      <Card>
        <DetailHeader
          back={{ to: '/aftersales', label: '售后队列' }}
          title={`售后申请 ${request.id.slice(-6)}`}
          status={
            <>
              <span data-testid="aftersales-status">
                <AftersalesStatusTag status={request.status} />
              </span>
              <AftersalesKindTag kind={request.kind} />
            </>
          }
          actions={
            <>
              {request.allowed.resolve && request.status !== 'RESOLVING' && [resolveButton('REFUND', '退款'), resolveButton('RESHIP', '补发'), resolveButton('REFUSE', '不予处理', true)]}
              {request.status === 'RESOLVING' && request.resolution?.kind === 'REFUND' && (
                <Tooltip title={denied ?? '上次退款没有完成，点此按原决定继续（不会重复退款）'}>
                  <Button type="primary" disabled={!handle} loading={actions.resolve.isPending} onClick={() => request.resolution?.kind === 'REFUND' && actions.resolve.mutate({ kind: 'REFUND', amountFen: request.resolution.amountFen, note: request.resolution.note })} data-testid="aftersales-resume">
                    继续完成退款
                  </Button>
                </Tooltip>
              )}
            </>
          }
          refresh={{ run: refresh, pending: refreshing }}
        />
        <Descriptions size="small" column={{ xs: 1, md: 2, xl: 4 }} style={{ marginTop: 16 }} bordered>
          <Descriptions.Item label="商品">{`${request.item.name} × ${request.item.quantity}`}</Descriptions.Item>
          <Descriptions.Item label="订单">
            <Link to={`/orders/${request.orderId}`}>{request.orderId}</Link> <OrderStatusTag status={request.order.status} />
          </Descriptions.Item>
          <Descriptions.Item label="订单实付">{yuan(request.order.totalFen)}</Descriptions.Item>
          <Descriptions.Item label="本次最多可退">
            <span data-testid="aftersales-cap">{yuan(request.order.refundCapFen)}</span>
          </Descriptions.Item>
          <Descriptions.Item label="收货人">{`${request.order.receiverName} ${request.order.receiverPhone}`}</Descriptions.Item>
          <Descriptions.Item label="原运单号">{request.order.trackingNo ?? '—'}</Descriptions.Item>
          <Descriptions.Item label="申请时间">{formatTime(request.createdAt)}</Descriptions.Item>
          <Descriptions.Item label="最近动态">{formatTime(request.updatedAt)}</Descriptions.Item>
        </Descriptions>
      </Card>

      <Resolution request={request} />

      <Row gutter={16}>
        <Col xs={24} xl={14}>
          <Card title="沟通记录" size="small" data-testid="aftersales-thread">
            <div className="aftersales-message aftersales-message--shopper">
              <Typography.Text type="secondary">买家 · 申请时描述 · {formatTime(request.createdAt)}</Typography.Text>
              <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: '4px 0 0' }}>{request.description}</Typography.Paragraph>
              <Photos urls={request.photos} />
            </div>
            {request.messages.map((message, index) => (
              <div key={`${message.at}-${index}`} className={`aftersales-message aftersales-message--${message.from === 'STAFF' ? 'staff' : 'shopper'}`} data-testid="aftersales-message">
                <Typography.Text type="secondary">
                  {message.from === 'STAFF' ? `客服 ${request.messageActors[index]?.replace(/^staff:/, '') ?? ''}` : '买家'} · {formatTime(message.at)}
                </Typography.Text>
                <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: '4px 0 0' }}>{message.text}</Typography.Paragraph>
                <Photos urls={message.photos} />
              </div>
            ))}
            {request.allowed.reply ? (
              <Form
                form={form}
                layout="vertical"
                style={{ marginTop: 16 }}
                onFinish={(values) => actions.reply.mutate(values.text.trim(), { onSuccess: () => form.resetFields() })}
              >
                <Form.Item name="text" label="回复买家" rules={[zodRule(aftersalesReplySchema.shape.text)]}>
                  <Input.TextArea rows={3} maxLength={AFTERSALES_TEXT_MAX} showCount placeholder="例如：请拍一张外包装和破损处的照片" disabled={!handle} data-testid="aftersales-reply-text" />
                </Form.Item>
                <Tooltip title={denied}>
                  <Button htmlType="submit" disabled={!handle} loading={actions.reply.isPending} data-testid="aftersales-reply-send">
                    发送回复
                  </Button>
                </Tooltip>
              </Form>
            ) : (
              <Alert type="info" showIcon message="申请已处理，沟通已结束" style={{ marginTop: 16 }} />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card title="操作记录" size="small">
            {request.audit.length > 0 ? <AuditTable entries={request.audit} showTarget={false} pagination={false} /> : <Empty description="暂无员工操作" />}
          </Card>
        </Col>
      </Row>

      <ResolveDialog
        kind={dialog}
        request={request}
        limitFen={me.refundLimitFen}
        pending={actions.resolve.isPending}
        onClose={() => setDialog(null)}
        onSubmit={(body) => actions.resolve.mutate(body, { onSuccess: () => setDialog(null) })}
      />
    </Space>
  );
}
