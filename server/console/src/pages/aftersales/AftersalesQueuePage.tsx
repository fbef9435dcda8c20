import { Link } from 'react-router';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Card, Segmented, Space, Table, Typography } from 'antd';
import { aftersalesQueueResponseSchema, type AftersalesRow } from '@blindbox/shared';
import { request } from '../../api/client';
import { QueryError } from '../../components/QueryError';
import { pageOf, useUrlFilters } from '../../components/use-url-filters';
import { formatMinute } from '../../time';
import { AftersalesKindTag, AftersalesStatusTag } from './labels';

const FILTERS = ['state'] as const;

/** The after-sales queue: requests in progress, the longest waiting at the top; or those resolved, latest first. */
export default function AftersalesQueuePage() {
  const { filters, update } = useUrlFilters(FILTERS);
  const state = filters.state === 'resolved' ? 'resolved' : 'open';
  const { page, pageSize } = pageOf(filters);
  const query = { state, page, pageSize };
  const queue = useQuery({
    queryKey: ['aftersales', query],
    queryFn: () => request('GET', '/aftersales', aftersalesQueueResponseSchema, { query }),
    placeholderData: keepPreviousData,
    // A queue people work from: new requests show up without a reload.
    refetchInterval: 30_000,
  });

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      {queue.isError && <QueryError error={queue.error} retry={() => queue.refetch()} />}
      <Card
        title="售后处理"
        extra={
          <Segmented
            value={state}
            onChange={(value) => update({ state: value === 'open' ? undefined : String(value), page: undefined })}
            options={[
              { value: 'open', label: '处理中' },
              { value: 'resolved', label: '已处理' },
            ]}
            data-testid="aftersales-state"
          />
        }
      >
        <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>
          {state === 'open' ? '按等待时间排序，等得最久的在最上面。买家回复后会回到队列中。' : '最近处理的在最上面。'}
        </Typography.Paragraph>
        <Table<AftersalesRow>
          rowKey="id"
          size="small"
          loading={queue.isFetching}
          dataSource={queue.data?.items}
          data-testid="aftersales-table"
          onChange={(pagination) => update({ page: pagination.current === 1 ? undefined : pagination.current, pageSize: pagination.pageSize === 20 ? undefined : pagination.pageSize })}
          pagination={{ current: page, pageSize, total: queue.data?.total ?? 0, showSizeChanger: true, showTotal: (total) => `共 ${total} 条` }}
          columns={[
            { title: '申请', dataIndex: 'id', width: 120, render: (id: string) => <Link to={`/aftersales/${id}`}>查看 {id.slice(-6)}</Link> },
            { title: '状态', dataIndex: 'status', width: 110, render: (status: AftersalesRow['status']) => <AftersalesStatusTag status={status} /> },
            { title: '问题', dataIndex: 'kind', width: 100, render: (kind: AftersalesRow['kind']) => <AftersalesKindTag kind={kind} /> },
            { title: '商品', dataIndex: 'itemName', width: 150 },
            { title: '买家描述', dataIndex: 'summary', render: (summary: string, row) => <span>{summary}{row.messages > 0 && <Typography.Text type="secondary">（{row.messages} 条留言）</Typography.Text>}</span> },
            { title: '订单', dataIndex: 'orderId', width: 120, render: (orderId: string) => <Link to={`/orders/${orderId}`}>{orderId.slice(-8)}</Link> },
            { title: '申请时间', dataIndex: 'createdAt', width: 140, render: formatMinute },
            { title: state === 'open' ? '最近动态' : '处理时间', dataIndex: 'updatedAt', width: 140, render: formatMinute },
          ]}
        />
      </Card>
    </Space>
  );
}
