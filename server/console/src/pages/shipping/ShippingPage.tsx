import { useState } from 'react';
import { Link } from 'react-router';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { orderActionResponseSchema, RARITY_LABELS, shippingCarriersResponseSchema, shippingUploadRowSchema, shippingUploadsResponseSchema, carrierNameOf, toShipResponseSchema, type ShipRequest } from '@blindbox/shared';
import type { z } from 'zod';
import { errorMessage, request } from '../../api/client';
import { useCan } from '../../api/session';
import { QueryError } from '../../components/QueryError';
import { pageOf, useUrlFilters } from '../../components/use-url-filters';
import { yuan } from '../../money';
import { formatTime } from '../../time';
import { ShipDialog } from '../orders/ShipDialog';
import { ShippingImport } from './ShippingImport';
import { PlatformReminders } from './PlatformReminders';

/** The to-ship queue (oldest payment first), the CSV import, and WeChat's shipping-information uploads. */
export default function ShippingPage() {
  const { filters, update } = useUrlFilters(['tab', 'status'] as const);
  const can = useCan();
  const tab = filters.tab ?? 'queue';
  return (
    <Card>
      <PlatformReminders />
      <Tabs
        activeKey={tab}
        onChange={(key) => update({ tab: key === 'queue' ? undefined : key, page: undefined, status: undefined })}
        items={[
          { key: 'queue', label: '待发货', children: <ToShipQueue /> },
          ...(can('shipping.import') ? [{ key: 'import', label: '批量导入运单号', children: <ShippingImport /> }] : []),
          { key: 'uploads', label: '微信发货信息', children: <Uploads /> },
        ]}
      />
    </Card>
  );
}

type ToShipRow = z.infer<typeof toShipResponseSchema>['items'][number];

function ToShipQueue() {
  const { filters, update } = useUrlFilters(['tab'] as const);
  const { page, pageSize } = pageOf(filters);
  const can = useCan();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [shipping, setShipping] = useState<string | null>(null);
  const queue = useQuery({ queryKey: ['shipping', 'queue', page, pageSize], queryFn: () => request('GET', '/shipping/queue', toShipResponseSchema, { query: { page, pageSize } }), placeholderData: keepPreviousData });
  const carriers = useQuery({ queryKey: ['carriers'], staleTime: Infinity, queryFn: () => request('GET', '/shipping/carriers', shippingCarriersResponseSchema) });
  const ship = useMutation({
    mutationFn: ({ orderId, body }: { orderId: string; body: ShipRequest }) => request('POST', `/orders/${orderId}/ship`, orderActionResponseSchema, { body }),
    onSuccess: (answer) => {
      message.success(`订单 ${answer.order.id} 已发货`);
      setShipping(null);
      void client.invalidateQueries({ queryKey: ['shipping'] });
      client.setQueryData(['order', answer.order.id], answer.order);
    },
    onError: (error) => message.error(errorMessage(error)),
  });
  return (
    <>
      {queue.isError && <QueryError error={queue.error} retry={() => queue.refetch()} />}
      <Table<ToShipRow>
        rowKey="id"
        size="middle"
        loading={queue.isFetching}
        dataSource={queue.data?.items}
        data-testid="to-ship-table"
        pagination={{ current: page, pageSize, total: queue.data?.total ?? 0, showTotal: (total) => `共 ${total} 单待发货`, onChange: (next, size) => update({ page: next === 1 ? undefined : next, pageSize: size === 20 ? undefined : size }) }}
        columns={[
          { title: '订单号', dataIndex: 'id', width: 230, render: (id: string) => <Link to={`/orders/${id}`}>{id}</Link> },
          { title: '付款时间', dataIndex: 'paidAt', width: 170, render: formatTime },
          { title: '金额', dataIndex: 'totalFen', align: 'right', width: 100, render: yuan },
          { title: '抽到', key: 'draws', render: (_, row) => row.draws.map((draw) => `${draw.name}（${RARITY_LABELS[draw.rarity as keyof typeof RARITY_LABELS] ?? draw.rarity}）`).join('，') || row.items.map((item) => `${item.name} × ${item.quantity}`).join('，') },
          { title: '收货人', key: 'receiver', render: (_, row) => `${row.address.name} ${row.address.phone}` },
          { title: '地址', key: 'address', render: (_, row) => `${row.address.region} ${row.address.detail}` },
          {
            title: '操作',
            key: 'ship',
            width: 90,
            render: (_, row) => (
              <Button type="link" disabled={!can('orders.ship')} onClick={() => setShipping(row.id)} data-testid="queue-ship">
                发货
              </Button>
            ),
          },
        ]}
      />
      <ShipDialog open={shipping !== null} pending={ship.isPending} defaultCarrier={carriers.data?.defaultCarrier} onClose={() => setShipping(null)} onSubmit={(body) => shipping && ship.mutate({ orderId: shipping, body })} />
    </>
  );
}

type UploadRow = z.infer<typeof shippingUploadRowSchema>;

function Uploads() {
  const { filters, update } = useUrlFilters(['tab', 'status'] as const);
  const { page, pageSize } = pageOf(filters);
  const can = useCan();
  const client = useQueryClient();
  const { message } = App.useApp();
  // Without a status the server lists the uploads still waiting, oldest first.
  const query = { status: filters.status, page, pageSize };
  const uploads = useQuery({ queryKey: ['shipping', 'uploads', query], queryFn: () => request('GET', '/shipping/uploads', shippingUploadsResponseSchema, { query }), placeholderData: keepPreviousData });
  const retry = useMutation({
    mutationFn: (orderId: string) => request('POST', `/shipping/uploads/${orderId}/retry`, shippingUploadRowSchema),
    onSuccess: (row) => {
      if (row.status === 'UPLOADED') message.success('已上传到微信');
      else message.warning(`微信仍未接受：${row.lastError ?? '稍后会自动重试'}`);
      void client.invalidateQueries({ queryKey: ['shipping', 'uploads'] });
    },
    onError: (error) => message.error(errorMessage(error)),
  });
  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <Typography.Text>状态</Typography.Text>
        <Select
          style={{ width: 140 }}
          value={filters.status ?? 'PENDING'}
          onChange={(status: string) => update({ status: status === 'PENDING' ? undefined : status, page: undefined })}
          options={[
            { value: 'PENDING', label: '待上传' },
            { value: 'UPLOADED', label: '已上传' },
          ]}
        />
        <Typography.Text type="secondary">小程序订单发货后须把物流信息上传给微信，失败的会自动重试，也可以手动重试。</Typography.Text>
      </Space>
      {uploads.isError && <QueryError error={uploads.error} retry={() => uploads.refetch()} />}
      <Table<UploadRow>
        rowKey="orderId"
        size="middle"
        loading={uploads.isFetching}
        dataSource={uploads.data?.items}
        pagination={{ current: page, pageSize, total: uploads.data?.total ?? 0, showTotal: (total) => `共 ${total} 条`, onChange: (next, size) => update({ page: next === 1 ? undefined : next, pageSize: size === 20 ? undefined : size }) }}
        columns={[
          { title: '订单号', dataIndex: 'orderId', render: (id: string) => <Link to={`/orders/${id}`}>{id}</Link> },
          { title: '快递', key: 'tracking', render: (_, row) => `${carrierNameOf(row.expressCompany)} ${row.trackingNo}` },
          { title: '发货时间', dataIndex: 'shippedAt', render: formatTime },
          { title: '状态', dataIndex: 'status', render: (status: string, row) => (status === 'UPLOADED' ? <Tag color="green">已上传</Tag> : <Tag color="orange">待上传{row.attempts ? `（${row.attempts} 次）` : ''}</Tag>) },
          { title: '最近错误', dataIndex: 'lastError', render: (error: string | null) => error ?? '—' },
          { title: '上传时间', dataIndex: 'uploadedAt', render: formatTime },
          {
            title: '操作',
            key: 'retry',
            render: (_, row) =>
              row.status === 'PENDING' && (
                <Button type="link" disabled={!can('shipping.retry')} loading={retry.isPending && retry.variables === row.orderId} onClick={() => retry.mutate(row.orderId)}>
                  重试上传
                </Button>
              ),
          },
        ]}
      />
    </>
  );
}
