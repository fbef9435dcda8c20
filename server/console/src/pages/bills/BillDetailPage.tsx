import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Popconfirm, Space, Table, Tag } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import { billDetailResponseSchema, FINDING_KIND_LABELS } from '@blindbox/shared';
import type { z } from 'zod';
import { request } from '../../api/client';
import { useCan } from '../../api/session';
import { PageLoading } from '../../components/PageLoading';
import { QueryError } from '../../components/QueryError';
import { yuan } from '../../money';
import { formatTime } from '../../time';
import { useRunBill } from './BillsPage';

type Finding = z.infer<typeof billDetailResponseSchema>['findingsList'][number];

export default function BillDetailPage() {
  const { day = '' } = useParams();
  const can = useCan();
  const run = useRunBill();
  const bill = useQuery({ queryKey: ['bill', day], queryFn: () => request('GET', `/bills/${day}`, billDetailResponseSchema) });
  if (bill.isPending) return <PageLoading />;
  if (bill.isError) return <QueryError error={bill.error} retry={() => bill.refetch()} />;
  const data = bill.data;
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="bill-detail">
      <Card
        title={
          <Space>
            <Link to="/bills">
              <ArrowLeftOutlined />
            </Link>
            {`${data.day} 交易账单`}
          </Space>
        }
        extra={
          can('bills.run') && (
            <Popconfirm title={`重新下载并核对 ${data.day} 的账单？`} okText="重新对账" cancelText="取消" onConfirm={() => run.mutate(data.day)}>
              <Button loading={run.isPending}>重新对账</Button>
            </Popconfirm>
          )
        }
      >
        {data.status === 'FAILED' && <Alert type="error" showIcon message={`对账失败：${data.error ?? '未知原因'}`} style={{ marginBottom: 16 }} />}
        <Descriptions size="small" column={{ xs: 1, md: 3, xl: 6 }} bordered>
          <Descriptions.Item label="账单行">{data.rows}</Descriptions.Item>
          <Descriptions.Item label="支付">{data.payments}</Descriptions.Item>
          <Descriptions.Item label="退款">{data.refunds}</Descriptions.Item>
          <Descriptions.Item label="已匹配">{data.matched}</Descriptions.Item>
          <Descriptions.Item label="差异">{data.findings}</Descriptions.Item>
          <Descriptions.Item label="完成时间">{formatTime(data.finishedAt)}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title="差异明细" size="small">
        {data.findingsTruncated && <Alert type="warning" showIcon message="差异过多，只显示前一部分；请用命令行工具查看全部" style={{ marginBottom: 12 }} />}
        <Table<Finding>
          size="small"
          rowKey={(finding) => `${finding.kind}-${finding.outTradeNo}-${finding.outRefundNo ?? ''}`}
          dataSource={data.findingsList}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          locale={{ emptyText: '没有差异' }}
          columns={[
            { title: '类型', dataIndex: 'kind', render: (kind: string) => <Tag color="red">{FINDING_KIND_LABELS[kind as keyof typeof FINDING_KIND_LABELS] ?? kind}</Tag> },
            { title: '商户订单号', dataIndex: 'outTradeNo' },
            { title: '订单', dataIndex: 'orderId', render: (id: string | null) => (id ? <Link to={`/orders/${id}`}>{id}</Link> : '—') },
            { title: '退款单号', dataIndex: 'outRefundNo', render: (no: string | null) => no ?? '—' },
            { title: '账单金额', dataIndex: 'billFen', align: 'right', render: yuan },
            { title: '店内金额', dataIndex: 'shopFen', align: 'right', render: yuan },
            { title: '说明', dataIndex: 'detail' },
            { title: '已处理', dataIndex: 'applied', render: (applied: string | null) => applied ?? '—' },
          ]}
        />
      </Card>
    </Space>
  );
}
