import { Link } from 'react-router';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Button, Card, DatePicker, Form, Input, Select, Space, Table, Tooltip, Typography } from 'antd';
import { DownloadOutlined, SearchOutlined } from '@ant-design/icons';
import type { SortOrder } from 'antd/es/table/interface';
import { ORDER_STATUSES, orderSearchResponseSchema, type OrderRow } from '@blindbox/shared';
import { apiUrl, request } from '../../api/client';
import { useBoxOptions } from '../../api/boxes';
import { useCan } from '../../api/session';
import { CHANNEL_LABELS, ORDER_STATUS_LABELS, OrderStatusTag } from '../../components/labels';
import { QueryError } from '../../components/QueryError';
import { pageOf, useUrlFilters } from '../../components/use-url-filters';
import { yuan } from '../../money';
import { beijingDay, dayjs, formatMinute } from '../../time';

const FILTERS = ['q', 'status', 'boxId', 'from', 'to', 'sort', 'order'] as const;

interface SearchForm {
  q?: string;
  status?: string;
  boxId?: string;
  range?: [dayjs.Dayjs, dayjs.Dayjs] | null;
  sort?: string;
}

/** Any number a shopper quotes (order id, 商户订单号, 微信交易单号, 支付宝交易号, openid, phone) with filters. */
export default function OrdersPage() {
  const { filters, update } = useUrlFilters(FILTERS);
  const can = useCan();
  const boxes = useBoxOptions();
  const { page, pageSize } = pageOf(filters);
  const query = { q: filters.q, status: filters.status, boxId: filters.boxId, from: filters.from, to: filters.to, sort: filters.sort, order: filters.order, page, pageSize };
  const orders = useQuery({
    queryKey: ['orders', query],
    queryFn: () => request('GET', '/orders', orderSearchResponseSchema, { query }),
    placeholderData: keepPreviousData,
  });
  const [form] = Form.useForm<SearchForm>();
  const initial: SearchForm = {
    q: filters.q,
    status: filters.status,
    boxId: filters.boxId,
    range: filters.from && filters.to ? [dayjs(filters.from), dayjs(filters.to)] : null,
    sort: filters.sort ?? 'createdAt',
  };
  const search = (values: SearchForm) =>
    update({
      q: values.q?.trim(),
      status: values.status,
      boxId: values.boxId,
      from: values.range ? beijingDay(values.range[0]) : undefined,
      to: values.range ? beijingDay(values.range[1]) : undefined,
      sort: values.sort === 'createdAt' ? undefined : values.sort,
      page: undefined,
    });
  const sortField = filters.sort ?? 'createdAt';
  const sortOrder: SortOrder = filters.order === 'asc' ? 'ascend' : 'descend';

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card>
        <Form form={form} layout="inline" initialValues={initial} onFinish={search} style={{ rowGap: 12 }} data-testid="order-search">
          <Form.Item name="q" label="单号 / 买家">
            <Input allowClear placeholder="订单号、商户订单号、微信交易单号、支付宝交易号、openid 或手机号" style={{ width: 420 }} data-testid="order-search-q" />
          </Form.Item>
          <Form.Item name="status" label="状态">
            <Select allowClear placeholder="全部" style={{ width: 120 }} options={ORDER_STATUSES.map((status) => ({ value: status, label: ORDER_STATUS_LABELS[status] }))} />
          </Form.Item>
          <Form.Item name="boxId" label="盲盒">
            <Select allowClear placeholder="全部" style={{ width: 180 }} options={boxes.data} loading={boxes.isPending} showSearch optionFilterProp="label" />
          </Form.Item>
          <Form.Item name="sort" label="日期按">
            <Select style={{ width: 110 }} options={[{ value: 'createdAt', label: '下单时间' }, { value: 'paidAt', label: '付款时间' }]} />
          </Form.Item>
          <Form.Item name="range">
            <DatePicker.RangePicker allowClear />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit" icon={<SearchOutlined />} data-testid="order-search-submit">
                查询
              </Button>
              <Button
                onClick={() => {
                  form.setFieldsValue({ q: undefined, status: undefined, boxId: undefined, range: undefined, sort: 'createdAt' });
                  update({ q: undefined, status: undefined, boxId: undefined, from: undefined, to: undefined, sort: undefined, order: undefined, page: undefined });
                }}
              >
                重置
              </Button>
            </Space>
          </Form.Item>
        </Form>
      </Card>
      {orders.isError && <QueryError error={orders.error} retry={() => orders.refetch()} />}
      <Card
        title={
          <span>
            订单列表
            {!filters.q && !filters.from && (
              <Typography.Text type="secondary" style={{ fontSize: 13, fontWeight: 'normal', marginLeft: 12 }}>
                未输入单号或日期时显示最近 30 天的订单
              </Typography.Text>
            )}
          </span>
        }
        extra={
          can('orders.export') && (
            <Tooltip title="按当前筛选条件导出（最多 5000 条），Excel 可直接打开">
              <Button icon={<DownloadOutlined />} href={apiUrl('/orders/export.csv', { ...query, page: undefined, pageSize: undefined })} download>
                导出 CSV
              </Button>
            </Tooltip>
          )
        }
      >
        <Table<OrderRow>
          rowKey="id"
          size="small"
          loading={orders.isFetching}
          dataSource={orders.data?.items}
          data-testid="order-table"
          scroll={{ x: 1100 }}
          onChange={(pagination, _filters, sorter) => {
            const one = Array.isArray(sorter) ? sorter[0] : sorter;
            update({
              page: pagination.current === 1 ? undefined : pagination.current,
              pageSize: pagination.pageSize === 20 ? undefined : pagination.pageSize,
              order: one?.order === 'ascend' ? 'asc' : undefined,
            });
          }}
          pagination={{ current: page, pageSize, total: orders.data?.total ?? 0, showSizeChanger: true, showTotal: (total) => `共 ${total} 条` }}
          columns={[
            { title: '订单号', dataIndex: 'id', width: 210, fixed: 'left', render: (id: string) => <Link to={`/orders/${id}`}>{id}</Link> },
            { title: '商品', dataIndex: 'title', width: 150, render: (title: string, row) => (row.units > 1 ? `${title} 等 ${row.units} 件` : title) },
            { title: '金额', dataIndex: 'totalFen', align: 'right', width: 100, render: (fen: number, row) => <span>{yuan(fen)}{row.refundedFen > 0 && <div><Typography.Text type="danger">退 {yuan(row.refundedFen)}</Typography.Text></div>}</span> },
            { title: '状态', dataIndex: 'status', width: 80, render: (status: OrderRow['status']) => <OrderStatusTag status={status} /> },
            { title: '收货人', dataIndex: 'receiverName', width: 120, render: (name: string, row) => <span>{name}<div>{row.receiverPhone}</div></span> },
            { title: '支付渠道 / 交易单号', dataIndex: 'transactionId', width: 245, render: (id: string | null, row) => (row.channel ? <span>{CHANNEL_LABELS[row.channel]}<div>{id ?? '—'}</div></span> : '—') },
            {
              // One column, two lines; which of the two the list is sorted by is the search form's 日期按.
              title: sortField === 'paidAt' ? '下单 / 付款时间（按付款）' : '下单 / 付款时间',
              dataIndex: sortField,
              key: 'time',
              width: 175,
              sorter: true,
              sortDirections: ['descend', 'ascend', 'descend'],
              sortOrder,
              render: (_: unknown, row) => (
                <span>
                  {formatMinute(row.createdAt)}
                  <div>{row.paidAt ? formatMinute(row.paidAt) : <Typography.Text type="secondary">未付款</Typography.Text>}</div>
                </span>
              ),
            },
          ]}
        />
      </Card>
    </Space>
  );
}
