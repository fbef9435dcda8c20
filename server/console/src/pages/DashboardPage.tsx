import { lazy, Suspense } from 'react';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Alert, Badge, Card, Col, Row, Statistic, Table, Tag, Typography } from 'antd';
import { COMPLAINT_DUE_SOON_HOURS, dashboardResponseSchema, type DashboardResponse } from '@blindbox/shared';
import { request } from '../api/client';
import { JobName } from '../components/labels';
import { QueryError } from '../components/QueryError';
import { PageLoading } from '../components/PageLoading';
import { yuan } from '../money';
import { formatTime } from '../time';

const DashboardChart = lazy(() => import('./DashboardChart'));

/** Today in Beijing, what waits for the channel or for a person, the jobs, and the last 14 days. */
export default function DashboardPage() {
  const dashboard = useQuery({ queryKey: ['dashboard'], queryFn: () => request('GET', '/dashboard', dashboardResponseSchema), refetchInterval: 60_000 });
  if (dashboard.isPending) return <PageLoading />;
  if (dashboard.isError) return <QueryError error={dashboard.error} retry={() => dashboard.refetch()} />;
  const data = dashboard.data;
  const { today } = data;
  return (
    <div data-testid="dashboard">
      <ComplaintsDue due={data.complaintsDue} />
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        今日概况 <Typography.Text type="secondary" style={{ fontSize: 14, fontWeight: 'normal' }}>（北京时间 {today.day}，更新于 {formatTime(data.generatedAt).slice(11)}）</Typography.Text>
      </Typography.Title>
      <Row gutter={[16, 16]}>
        <Figure title="下单数" value={today.orders} />
        <Figure title="付款订单" value={today.paid} />
        <Figure title="收入" value={yuan(today.revenueFen)} testId="today-revenue" />
        <Figure title="退款" value={yuan(today.refundsFen)} />
        <Figure title="支付成功率" value={today.paymentSuccessRate === null ? '—' : `${(today.paymentSuccessRate * 100).toFixed(1)}%`} />
        <Figure title="等待渠道回调" value={`${data.callbacksWaiting.payments} 笔支付 / ${data.callbacksWaiting.refunds} 笔退款`} small />
      </Row>
      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        <Col xs={24} xl={16}>
          <Card title="近 14 天" size="small">
            <Suspense fallback={<PageLoading />}>
              <DashboardChart series={data.series} />
            </Suspense>
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Findings data={data} />
        </Col>
      </Row>
      <Card title="后台任务" size="small" style={{ marginTop: 16 }} extra={data.jobs.processing ? <Badge status="success" text="运行中" /> : <Badge status="error" text="未运行" />}>
        <Table
          size="small"
          rowKey="name"
          pagination={false}
          dataSource={data.jobs.queues}
          columns={[
            { title: '任务', dataIndex: 'name', render: (name: string) => <JobName name={name} /> },
            { title: '已排期', dataIndex: 'scheduled', align: 'right' },
            { title: '到期待办', dataIndex: 'due', align: 'right' },
            { title: '执行中', dataIndex: 'running', align: 'right' },
            { title: '失败', dataIndex: 'failed', align: 'right', render: (failed: number) => (failed > 0 ? <Tag color="red">{failed}</Tag> : 0) },
            { title: '下次执行', dataIndex: 'nextRunAt', render: (at: string | null) => formatTime(at) },
          ]}
        />
      </Card>
    </div>
  );
}

/** WeChat Pay complaints about to pass (or past) their 24-hour answer time: the first thing staff should see. */
function ComplaintsDue({ due }: { due: DashboardResponse['complaintsDue'] }) {
  if (due.length === 0) return null;
  return (
    <Alert
      type="error"
      showIcon
      style={{ marginBottom: 16 }}
      data-testid="complaints-due"
      message={`${due.length} 条微信支付投诉将在 ${COMPLAINT_DUE_SOON_HOURS} 小时内到期（或已超时）未回复，超时微信将介入处理`}
      description={
        <div>
          {due.map((complaint) => (
            <div key={complaint.id}>
              <Link to={`/complaints/${complaint.id}`}>{complaint.detail.slice(0, 40) || complaint.id}</Link>
              <Typography.Text type={complaint.overdue ? 'danger' : 'warning'} style={{ marginLeft: 8 }}>
                {complaint.overdue ? '已超时' : '须在'} {formatTime(complaint.replyDueAt).slice(5, 16)} {complaint.overdue ? '' : '前回复'}
              </Typography.Text>
            </div>
          ))}
        </div>
      }
    />
  );
}

function Figure({ title, value, testId, small }: { title: string; value: string | number; testId?: string; small?: boolean }) {
  return (
    <Col xs={12} md={8} xl={4}>
      <Card size="small">
        <Statistic title={title} value={value} valueStyle={small ? { fontSize: 16, lineHeight: '38px' } : undefined} data-testid={testId} />
      </Card>
    </Col>
  );
}

function Findings({ data }: { data: DashboardResponse }) {
  const { findings } = data;
  const rows = [
    {
      label: findings.tradeBill.day ? `交易账单差异（${findings.tradeBill.day}）` : '交易账单差异',
      value: findings.tradeBill.failed ? <Tag color="red">对账失败</Tag> : findings.tradeBill.count,
      to: findings.tradeBill.day ? `/bills/${findings.tradeBill.day}` : '/bills',
      warn: findings.tradeBill.failed || findings.tradeBill.count > 0,
    },
    { label: '需人工处理的退款', value: findings.refundsNeedingAttention, to: '/orders?status=REFUNDING', warn: findings.refundsNeedingAttention > 0 },
    { label: '待发货订单', value: findings.toShip, to: '/shipping', warn: false },
    { label: '微信发货信息待上传', value: findings.shippingUploadsPending, to: '/shipping?tab=uploads', warn: findings.shippingUploadsPending > 0 },
  ];
  return (
    <Card title="待处理" size="small" style={{ height: '100%' }}>
      {rows.map((row) => (
        <div key={row.label} style={{ display: 'flex', justifyContent: 'space-between', padding: '10px 0', borderBottom: '1px solid #f0f0f0' }}>
          <Link to={row.to}>{row.label}</Link>
          <Typography.Text strong type={row.warn ? 'danger' : undefined}>
            {row.value}
          </Typography.Text>
        </div>
      ))}
    </Card>
  );
}
