import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, InputNumber, Space, Statistic, Table, Typography } from 'antd';
import { Link, useParams } from 'react-router';
import { consoleStockReportSchema } from '@blindbox/shared';
import { errorMessage, request } from '../../api/client';
import { useCan } from '../../api/session';
import { QueryError } from '../../components/QueryError';
import { ActorName, auditCommandLabel } from '../../components/labels';
import { formatTime } from '../../time';

const countsOf = (counts: Record<string, number> | undefined) =>
  Object.entries(counts ?? {})
    .map(([id, count]) => `${id}: ${count}`)
    .join('，');

/** One side of a change as the audit keeps it: a stock change's `{ items }`, a save's odds version and the units it added. */
function changeText(value: unknown): string {
  const side = value as { items?: Record<string, number>; version?: number; stockChanges?: Record<string, number> } | null;
  if (!side) return '—';
  if (side.items) return countsOf(side.items);
  const units = side.stockChanges ? `，库存 ${countsOf(side.stockChanges)}` : '';
  return side.version === undefined ? '—' : `概率版本 v${side.version}${units}`;
}

/**
 * A series' units: available / held for unpaid orders / sold, each item's left and drawn, and who changed
 * what when (the audit). Adding or taking units never goes below what unpaid orders hold (the server refuses).
 */
export default function StockPage() {
  const { slug = '' } = useParams();
  const can = useCan();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [adds, setAdds] = useState<Record<string, number | null>>({});
  const report = useQuery({ queryKey: ['catalog', 'stock', slug], queryFn: () => request('GET', `/catalog/boxes/${slug}/stock`, consoleStockReportSchema), refetchInterval: 10_000 });
  const change = useMutation({
    mutationFn: ({ itemId, add }: { itemId: string; add: number }) => request('POST', `/catalog/boxes/${slug}/stock`, consoleStockReportSchema, { body: { itemId, add } }),
    onSuccess: (_, { itemId, add }) => {
      message.success(`${itemId} ${add > 0 ? `增加 ${add}` : `减少 ${-add}`} 件`);
      setAdds((current) => ({ ...current, [itemId]: null }));
      void client.invalidateQueries({ queryKey: ['catalog'] });
    },
    onError: (error) => message.error(errorMessage(error)),
  });
  if (report.isError) return <QueryError error={report.error} />;
  const data = report.data;
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card title={`库存：${slug}`} loading={report.isPending} extra={<Link to={`/catalog/${slug}`}>编辑系列</Link>}>
        <Space size={48}>
          <Statistic title="可售" value={data?.available ?? 0} />
          <Statistic title="未付款占用" value={data?.held ?? 0} />
          <Statistic title="已售" value={data?.sold ?? 0} />
          <Statistic title="概率版本" value={`v${data?.version ?? ''}`} />
        </Space>
      </Card>
      <Card title="各款库存">
        <Table
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={data?.items}
          data-testid="stock-items"
          columns={[
            { title: '编号', dataIndex: 'id' },
            { title: '名称', dataIndex: 'name' },
            { title: '剩余', dataIndex: 'left' },
            { title: '已抽出', dataIndex: 'drawn' },
            {
              title: '增减',
              render: (_, item) => (
                <Space>
                  <InputNumber placeholder="+10 或 -3" value={adds[item.id] ?? null} onChange={(value) => setAdds((current) => ({ ...current, [item.id]: value }))} disabled={!can('catalog.manage')} data-testid={`stock-${item.id}-add`} />
                  <Button size="small" disabled={!can('catalog.manage') || !adds[item.id]} loading={change.isPending && change.variables?.itemId === item.id} onClick={() => change.mutate({ itemId: item.id, add: adds[item.id] ?? 0 })} data-testid={`stock-${item.id}-apply`}>
                    确定
                  </Button>
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Card title="变更记录">
        <Table
          size="small"
          rowKey={(entry) => `${entry.at}-${entry.command}`}
          dataSource={data?.history}
          pagination={{ pageSize: 20 }}
          data-testid="stock-history"
          columns={[
            { title: '时间', dataIndex: 'at', render: (at: string) => formatTime(at) },
            { title: '操作人', dataIndex: 'actor', render: (actor: string) => <ActorName actor={actor} /> },
            { title: '操作', dataIndex: 'command', render: (command: string) => auditCommandLabel(command) },
            {
              title: '变更',
              dataIndex: 'change',
              render: (value: { before?: unknown; after?: unknown }) => (
                <Typography.Text>
                  {changeText(value.before)} → {changeText(value.after)}
                </Typography.Text>
              ),
            },
          ]}
        />
      </Card>
    </Space>
  );
}
