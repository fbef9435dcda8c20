import { DetailHeader } from '../../components/DetailHeader';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Descriptions, Form, Image, Input, Modal, Popconfirm, Row, Space, Timeline, Tooltip, Typography } from 'antd';
import { COMPLAINT_REPLY_MAX, complaintDetailSchema, complaintRefundSchema, type ComplaintDetail } from '@blindbox/shared';
import { request } from '../../api/client';
import { useCan, useMe } from '../../api/session';
import { PageLoading } from '../../components/PageLoading';
import { QueryError } from '../../components/QueryError';
import { typedYuanToFen, yuan } from '../../money';
import { formatTime } from '../../time';
import { useComplaintActions } from './complaint-actions';
import { ComplaintDue, ComplaintStateTag } from './ComplaintDue';

/** One WeChat Pay complaint: what the shopper says and shows, the whole conversation, and the answer. */
export default function ComplaintDetailPage() {
  const { id = '' } = useParams();
  const complaint = useQuery({ queryKey: ['complaint', id], queryFn: () => request('GET', `/complaints/${encodeURIComponent(id)}`, complaintDetailSchema) });
  if (complaint.isPending) return <PageLoading />;
  if (complaint.isError) return <QueryError error={complaint.error} retry={() => complaint.refetch()} />;
  return <ComplaintView complaint={complaint.data} refreshing={complaint.isFetching} refresh={() => void complaint.refetch()} />;
}

const SHOPPER = new Set(['USER_CREATE_COMPLAINT', 'USER_CONTINUE_COMPLAINT', 'USER_RESPONSE']);

function ComplaintView({ complaint, refreshing, refresh }: { complaint: ComplaintDetail; refreshing: boolean; refresh: () => void }) {
  const can = useCan();
  const me = useMe();
  const actions = useComplaintActions(complaint.id);
  const [refunding, setRefunding] = useState(false);
  const [replyForm] = Form.useForm<{ content: string }>();
  const handle = can('complaints.handle');
  const refundable = complaint.amountFen === null ? 0 : complaint.amountFen - complaint.refundedFen;

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="complaint-detail">
      <Card>
        <DetailHeader
          back={{ to: '/complaints', label: '投诉列表' }}
          title={`投诉 ${complaint.id}`}
          copyText={complaint.id}
          status={
            <>
              <span data-testid="complaint-state">
                <ComplaintStateTag state={complaint.state} />
              </span>
              {complaint.state !== 'PROCESSED' && <ComplaintDue dueAt={complaint.replyDueAt} />}
            </>
          }
          actions={
            <>
              {complaint.allowed.refund && (
                <Tooltip title={handle ? undefined : '当前角色无权执行此操作'}>
                  <Button danger disabled={!handle} onClick={() => setRefunding(true)} data-testid="complaint-refund">
                    退款
                  </Button>
                </Tooltip>
              )}
              {complaint.allowed.complete && (
                <Popconfirm title="确认已与用户沟通解决，反馈处理完成？" description="处理完成后不能再回复或退款。" okText="确认" cancelText="取消" onConfirm={() => actions.complete.mutate()} disabled={!handle}>
                  <Button disabled={!handle} loading={actions.complete.isPending} data-testid="complaint-complete">
                    处理完成
                  </Button>
                </Popconfirm>
              )}
            </>
          }
          refresh={{ run: refresh, pending: refreshing }}
        />
        <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }} style={{ marginTop: 16 }} bordered>
          <Descriptions.Item label="投诉时间">{formatTime(complaint.complaintTime)}</Descriptions.Item>
          <Descriptions.Item label="问题类型">{complaint.problemDescription || '—'}</Descriptions.Item>
          <Descriptions.Item label="联系电话">{complaint.payerPhone ?? '—'}</Descriptions.Item>
          <Descriptions.Item label="订单">
            {complaint.orderId ? <Link to={`/orders/${complaint.orderId}`}>{complaint.orderId}</Link> : <Typography.Text type="warning">未找到本店订单（{complaint.outTradeNo ?? '无'}）</Typography.Text>}
          </Descriptions.Item>
          <Descriptions.Item label="订单金额">{yuan(complaint.amountFen)}</Descriptions.Item>
          <Descriptions.Item label="申请退款">{complaint.applyRefundFen === null ? '未申请' : yuan(complaint.applyRefundFen)}</Descriptions.Item>
          <Descriptions.Item label="已退款">{complaint.refundedFen > 0 ? yuan(complaint.refundedFen) : '—'}{complaint.fullRefunded && '（已全额退款）'}</Descriptions.Item>
          <Descriptions.Item label="用户投诉次数">{complaint.userComplaintTimes}</Descriptions.Item>
          <Descriptions.Item label="同步时间">{formatTime(complaint.syncedAt)}</Descriptions.Item>
          <Descriptions.Item label="投诉内容" span={3}>
            {complaint.detail}
          </Descriptions.Item>
          {complaint.imageUrls.length > 0 && (
            <Descriptions.Item label="用户上传图片" span={3}>
              <Image.PreviewGroup>
                <Space wrap>
                  {complaint.imageUrls.map((url) => (
                    <Image key={url} src={url} width={96} height={96} style={{ objectFit: 'cover', borderRadius: 4 }} data-testid="complaint-image" />
                  ))}
                </Space>
              </Image.PreviewGroup>
            </Descriptions.Item>
          )}
        </Descriptions>
      </Card>
      <Row gutter={16}>
        <Col xs={24} xl={14}>
          <Card title="协商记录" size="small" data-testid="complaint-history">
            <Timeline
              items={complaint.history.map((entry) => ({
                color: SHOPPER.has(entry.operateType) ? 'red' : entry.operateType.startsWith('MERCHANT') ? 'blue' : 'gray',
                children: (
                  <div>
                    <Space size="small">
                      <Typography.Text strong>{entry.label}</Typography.Text>
                      <Typography.Text type="secondary">
                        {entry.operator} · {formatTime(entry.operateTime)}
                      </Typography.Text>
                    </Space>
                    {entry.details && <div style={{ whiteSpace: 'pre-wrap' }}>{entry.details}</div>}
                    {entry.imageUrls.length > 0 && (
                      <Space wrap style={{ marginTop: 4 }}>
                        {entry.imageUrls.map((url) => (
                          <Image key={url} src={url} width={64} height={64} style={{ objectFit: 'cover', borderRadius: 4 }} />
                        ))}
                      </Space>
                    )}
                  </div>
                ),
              }))}
            />
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card title="回复用户" size="small">
            {!complaint.allowed.reply ? (
              <Alert type="info" showIcon message="该投诉已处理完成" />
            ) : !handle ? (
              <Alert type="info" showIcon message="当前角色只能查看投诉" />
            ) : (
              <Form
                form={replyForm}
                layout="vertical"
                onFinish={({ content }) => actions.reply.mutate(content, { onSuccess: () => replyForm.resetFields() })}
              >
                <Form.Item name="content" rules={[{ required: true, whitespace: true, message: '请填写回复内容' }]} extra="回复将通过微信支付发送给用户，用户可在微信中看到。">
                  <Input.TextArea rows={5} maxLength={COMPLAINT_REPLY_MAX} showCount placeholder="您好，非常抱歉给您带来不便……" data-testid="complaint-reply-input" />
                </Form.Item>
                <Button type="primary" htmlType="submit" loading={actions.reply.isPending} data-testid="complaint-reply-submit">
                  发送回复
                </Button>
              </Form>
            )}
          </Card>
          {complaint.refunds.length > 0 && (
            <Card title="从投诉发起的退款" size="small" style={{ marginTop: 16 }}>
              {complaint.refunds.map((refund) => (
                <div key={refund.outRefundNo}>
                  {yuan(refund.amountFen)} · {formatTime(refund.at)} · {refund.by}
                </div>
              ))}
            </Card>
          )}
        </Col>
      </Row>
      <RefundModal
        open={refunding}
        complaint={complaint}
        refundableFen={refundable}
        limitFen={me.refundLimitFen}
        pending={actions.refund.isPending}
        onClose={() => setRefunding(false)}
        onSubmit={(body) => actions.refund.mutate(body, { onSuccess: () => setRefunding(false) })}
      />
    </Space>
  );
}

function RefundModal(props: { open: boolean; complaint: ComplaintDetail; refundableFen: number; limitFen: number | null; pending: boolean; onClose: () => void; onSubmit: (body: { amountFen: number; reason: string }) => void }) {
  const [form] = Form.useForm<{ amount: string; reason: string }>();
  const suggested = Math.min(props.complaint.applyRefundFen ?? props.refundableFen, props.refundableFen);
  return (
    <Modal title="从投诉退款" open={props.open} onCancel={props.onClose} onOk={() => form.submit()} okText="确认退款" okButtonProps={{ danger: true, loading: props.pending }} destroyOnHidden data-testid="complaint-refund-dialog">
      <Descriptions size="small" column={2} style={{ marginBottom: 16 }}>
        <Descriptions.Item label="订单金额">{yuan(props.complaint.amountFen)}</Descriptions.Item>
        <Descriptions.Item label="用户申请">{props.complaint.applyRefundFen === null ? '未申请' : yuan(props.complaint.applyRefundFen)}</Descriptions.Item>
        {props.limitFen !== null && <Descriptions.Item label="您的单笔退款上限">{yuan(props.limitFen)}</Descriptions.Item>}
      </Descriptions>
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ amount: (suggested / 100).toFixed(2), reason: '投诉退款' }}
        onFinish={(values) => {
          const parsed = complaintRefundSchema.safeParse({ amountFen: typedYuanToFen(values.amount) ?? 0, reason: values.reason });
          if (!parsed.success) {
            form.setFields([{ name: 'amount', errors: [parsed.error.issues[0]?.message ?? '输入有误'] }]);
            return;
          }
          props.onSubmit(parsed.data);
        }}
      >
        <Form.Item name="amount" label="退款金额（元）" rules={[{ required: true, message: '请填写退款金额' }]} extra="退款从订单原路退回；可退金额以订单为准，超出会被拒绝。">
          <Input inputMode="decimal" prefix="¥" data-testid="complaint-refund-amount" />
        </Form.Item>
        <Form.Item name="reason" label="退款原因" rules={[{ required: true, whitespace: true, message: '请填写退款原因' }]}>
          <Input maxLength={80} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
