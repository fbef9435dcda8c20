import { Link } from 'react-router';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Radio, Space, Table, Typography } from 'antd';
import { SyncOutlined } from '@ant-design/icons';
import { COMPLAINT_LIST_DAYS, COMPLAINT_STATE_LABELS, COMPLAINT_STATES, complaintPageSchema, type ComplaintRow } from '@blindbox/shared';
import { z } from 'zod';
import { errorMessage, request } from '../../api/client';
import { useCan } from '../../api/session';
import { QueryError } from '../../components/QueryError';
import { pageOf, useUrlFilters } from '../../components/use-url-filters';
import { yuan } from '../../money';
import { formatMinute } from '../../time';
import { ComplaintDue, ComplaintStateTag } from './ComplaintDue';

const FILTERS = ['state'] as const;

/** WeChat Pay complaints (消费者投诉), newest first, with how long is left to answer each. */
export default function ComplaintsPage() {
  const { filters, update } = useUrlFilters(FILTERS);
  const { page, pageSize } = pageOf(filters);
  const can = useCan();
  const client = useQueryClient();
  const { message } = App.useApp();
  const query = { state: filters.state, page, pageSize };
  const complaints = useQuery({
    queryKey: ['complaints', query],
    queryFn: () => request('GET', '/complaints', complaintPageSchema, { query }),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });
  const sync = useMutation({
    mutationFn: () => request('POST', '/complaints/sync', z.object({ complaints: z.number() })),
    onSuccess: (answer) => {
      message.success(`已从微信支付同步 ${answer.complaints} 条投诉`);
      void client.invalidateQueries({ queryKey: ['complaints'] });
    },
    onError: (error) => message.error(errorMessage(error)),
  });

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      {complaints.isError && <QueryError error={complaints.error} retry={() => complaints.refetch()} />}
      <Card
        title={
          <span>
            微信支付投诉
            <Typography.Text type="secondary" style={{ fontSize: 13, fontWeight: 'normal', marginLeft: 12 }}>
              近 {COMPLAINT_LIST_DAYS} 天；收到投诉后须在 24 小时内回复，超时微信将介入
            </Typography.Text>
          </span>
        }
        extra={
          <Space>
            <Radio.Group
              optionType="button"
              value={filters.state ?? ''}
              onChange={(event) => update({ state: (event.target.value as string) || undefined, page: undefined })}
              options={[{ value: '', label: '全部' }, ...COMPLAINT_STATES.map((state) => ({ value: state, label: COMPLAINT_STATE_LABELS[state] }))]}
            />
            {can('complaints.handle') && (
              <Button icon={<SyncOutlined />} loading={sync.isPending} onClick={() => sync.mutate()} data-testid="complaints-sync">
                从微信同步
              </Button>
            )}
          </Space>
        }
      >
        <Table<ComplaintRow>
          rowKey="id"
          size="small"
          loading={complaints.isFetching}
          dataSource={complaints.data?.items}
          data-testid="complaint-table"
          scroll={{ x: 1000 }}
          onChange={(pagination) => update({ page: pagination.current === 1 ? undefined : pagination.current, pageSize: pagination.pageSize === 20 ? undefined : pagination.pageSize })}
          pagination={{ current: page, pageSize, total: complaints.data?.total ?? 0, showSizeChanger: true, showTotal: (total) => `共 ${total} 条` }}
          columns={[
            { title: '投诉单号', dataIndex: 'id', width: 250, render: (id: string) => <Link to={`/complaints/${id}`}>{id}</Link> },
            { title: '投诉时间', dataIndex: 'complaintTime', width: 140, render: (at: string) => formatMinute(at) },
            {
              title: '问题',
              dataIndex: 'detail',
              render: (detail: string, row) => (
                <span>
                  <Typography.Text strong>{row.problemDescription || '—'}</Typography.Text>
                  <div>
                    <Typography.Text type="secondary" ellipsis style={{ maxWidth: 320 }}>
                      {detail}
                    </Typography.Text>
                  </div>
                </span>
              ),
            },
            { title: '订单金额', dataIndex: 'amountFen', align: 'right', width: 110, render: (fen: number | null, row) => <span>{yuan(fen)}{row.applyRefundFen !== null && <div><Typography.Text type="warning">申请退 {yuan(row.applyRefundFen)}</Typography.Text></div>}</span> },
            { title: '状态', dataIndex: 'state', width: 100, render: (state: ComplaintRow['state'], row) => <span><ComplaintStateTag state={state} />{row.incomingUserResponse && <div><Typography.Text type="danger">有新留言</Typography.Text></div>}</span> },
            { title: '回复时限', dataIndex: 'replyDueAt', width: 150, render: (due: string | null, row) => (row.state === 'PROCESSED' ? '—' : <ComplaintDue dueAt={due} />) },
          ]}
        />
      </Card>
    </Space>
  );
}
