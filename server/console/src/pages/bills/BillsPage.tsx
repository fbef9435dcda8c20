import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, DatePicker, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { billDetailResponseSchema, billListResponseSchema } from '@blindbox/shared';
import type { z } from 'zod';
import { errorMessage, request } from '../../api/client';
import { useCan } from '../../api/session';
import { QueryError } from '../../components/QueryError';
import { beijingDay, dayjs, formatTime, todayInBeijing } from '../../time';
import { ActorName } from '../../components/labels';

type BillSummary = z.infer<typeof billListResponseSchema>['items'][number];

/** The trade bills reconciled so far (newest day first), and running one for a chosen day. */
export default function BillsPage() {
  const can = useCan();
  const bills = useQuery({ queryKey: ['bills'], queryFn: () => request('GET', '/bills', billListResponseSchema) });
  const run = useRunBill();
  const [day, setDay] = useState<dayjs.Dayjs | null>(null);
  return (
    <Card
      title="交易账单对账"
      extra={
        can('bills.run') && (
          <Space>
            <DatePicker value={day} onChange={setDay} placeholder="选择账单日" data-testid="bill-day" disabledDate={(date) => beijingDay(date) >= todayInBeijing()} />
            <Button type="primary" disabled={!day} loading={run.isPending} data-testid="bill-run" onClick={() => day && run.mutate(beijingDay(day))}>
              下载并对账
            </Button>
          </Space>
        )
      }
    >
      <Typography.Paragraph type="secondary">账单日为北京时间，当天的账单次日才能下载。每天自动下载前一天的微信支付交易账单，逐笔与店内订单核对；发现的差异列在账单详情中。</Typography.Paragraph>
      {bills.isError && <QueryError error={bills.error} retry={() => bills.refetch()} />}
      <Table<BillSummary>
        rowKey="day"
        size="middle"
        data-testid="bills-table"
        loading={bills.isFetching}
        dataSource={bills.data?.items}
        columns={[
          { title: '账单日', dataIndex: 'day', render: (day: string) => <Link to={`/bills/${day}`}>{day}</Link> },
          { title: '结果', dataIndex: 'status', render: (status: string, row) => (status === 'DONE' ? <Tag color="green">完成</Tag> : <Tag color="red" title={row.error ?? ''}>失败</Tag>) },
          { title: '账单行', dataIndex: 'rows', align: 'right' },
          { title: '支付', dataIndex: 'payments', align: 'right' },
          { title: '退款', dataIndex: 'refunds', align: 'right' },
          { title: '已匹配', dataIndex: 'matched', align: 'right' },
          { title: '差异', dataIndex: 'findings', align: 'right', render: (count: number) => (count ? <Tag color="red">{count}</Tag> : 0) },
          { title: '完成时间', dataIndex: 'finishedAt', render: formatTime },
          { title: '执行人', dataIndex: 'actor', render: (actor: string) => <ActorName actor={actor} /> },
          {
            title: '操作',
            key: 'rerun',
            render: (_, row) =>
              can('bills.run') && (
                <Popconfirm title={`重新下载并核对 ${row.day} 的账单？`} okText="重新对账" cancelText="取消" onConfirm={() => run.mutate(row.day)}>
                  <Button type="link">重新对账</Button>
                </Popconfirm>
              ),
          },
        ]}
      />
    </Card>
  );
}

export function useRunBill() {
  const client = useQueryClient();
  const navigate = useNavigate();
  const { message } = App.useApp();
  return useMutation({
    mutationFn: (day: string) => request('POST', `/bills/${day}/run`, billDetailResponseSchema),
    onSuccess: (bill) => {
      client.setQueryData(['bill', bill.day], bill);
      void client.invalidateQueries({ queryKey: ['bills'] });
      void client.invalidateQueries({ queryKey: ['dashboard'] });
      if (bill.status === 'DONE') message.success(`${bill.day} 对账完成，差异 ${bill.findings} 条`);
      else message.error(`${bill.day} 对账失败：${bill.error ?? ''}`);
      navigate(`/bills/${bill.day}`);
    },
    onError: (error) => message.error(errorMessage(error)),
  });
}
