import { lazy, Suspense } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Col, DatePicker, Row, Select, Space, Statistic, Table, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import type { TableColumnsType } from 'antd';
import { salesResponseSchema, type SalesResponse, type SalesRow } from '@blindbox/shared';
import { apiUrl, request } from '../../api/client';
import { useDropList } from '../../api/drops';
import { PageLoading } from '../../components/PageLoading';
import { QueryError } from '../../components/QueryError';
import { useUrlFilters } from '../../components/use-url-filters';
import { yuan } from '../../money';
import { beijingDay, dayjs, todayInBeijing } from '../../time';

const SalesChart = lazy(() => import('./SalesChart'));
const DEFAULT_DAYS = 14;
type BoxTotals = SalesResponse['boxes'][number];
type SalesFigures = Pick<SalesRow, 'units' | 'revenueFen' | 'refundedUnits' | 'refundsFen'>;

/** The same figures per box and per day, net of refunds last. */
function salesFigureColumns<Row extends SalesFigures>(): TableColumnsType<Row> {
  return [
    { title: '件数', dataIndex: 'units', align: 'right' },
    { title: '收入', dataIndex: 'revenueFen', align: 'right', render: yuan },
    { title: '退款件数', dataIndex: 'refundedUnits', align: 'right' },
    { title: '退款', dataIndex: 'refundsFen', align: 'right', render: yuan },
    { title: '净收入', key: 'net', align: 'right', render: (_, row) => yuan(row.revenueFen - row.refundsFen) },
  ];
}

/** Units, revenue and refunds per Beijing day and box for a chosen range, with a chart and the CSV. */
export default function SalesPage() {
  const { filters, update } = useUrlFilters(['from', 'to', 'boxId'] as const);
  const to = filters.to ?? todayInBeijing();
  const from = filters.from ?? beijingDay(dayjs(to).subtract(DEFAULT_DAYS - 1, 'day'));
  const query = { from, to, boxId: filters.boxId };
  const boxes = useDropList();
  const sales = useQuery({ queryKey: ['sales', query], queryFn: () => request('GET', '/sales', salesResponseSchema, { query }) });
  const data = sales.data;
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="sales-page">
      <Card
        title="销售报表"
        extra={
          <Space wrap>
            <DatePicker.RangePicker
              value={[dayjs(from), dayjs(to)]}
              allowClear={false}
              data-testid="sales-range"
              disabledDate={(date) => beijingDay(date) > todayInBeijing()}
              onChange={(range) => range?.[0] && range[1] && update({ from: beijingDay(range[0]), to: beijingDay(range[1]) })}
            />
            <Select
              allowClear
              placeholder="全部系列"
              style={{ width: 180 }}
              value={filters.boxId}
              onChange={(boxId?: string) => update({ boxId })}
              options={boxes.data?.items.map((box) => ({ value: box.boxId, label: box.name }))}
              data-testid="sales-box"
            />
            <Button icon={<DownloadOutlined />} href={apiUrl('/sales/export.csv', query)} data-testid="sales-csv">
              导出 CSV
            </Button>
          </Space>
        }
      >
        <Typography.Paragraph type="secondary">按付款日（北京时间）统计；收入为实付金额（优惠券按各行金额比例分摊），退款计入原订单的付款日，净收入 = 收入 − 退款。</Typography.Paragraph>
        {sales.isError && <QueryError error={sales.error} retry={() => sales.refetch()} />}
        {data && (
          <Row gutter={16} data-testid="sales-totals">
            <Col span={6}><Statistic title="件数" value={data.total.units} /></Col>
            <Col span={6}><Statistic title="收入" value={yuan(data.total.revenueFen)} /></Col>
            <Col span={6}><Statistic title={`退款（${data.total.refundedUnits} 件）`} value={yuan(data.total.refundsFen)} /></Col>
            <Col span={6}><Statistic title="净收入" value={yuan(data.total.revenueFen - data.total.refundsFen)} valueStyle={{ color: '#3f8600' }} /></Col>
          </Row>
        )}
        {data && (
          <Suspense fallback={<PageLoading />}>
            <div style={{ marginTop: 16 }}>
              <SalesChart days={data.days} />
            </div>
          </Suspense>
        )}
      </Card>
      <Card title="按系列" size="small">
        <Table<BoxTotals>
          rowKey="boxId"
          size="small"
          pagination={false}
          loading={sales.isFetching}
          dataSource={data?.boxes}
          data-testid="sales-boxes"
          columns={[
            { title: '系列', dataIndex: 'name' },
            ...salesFigureColumns<BoxTotals>(),
          ]}
        />
      </Card>
      <Card title="按日明细" size="small">
        <Table<SalesRow>
          rowKey={(row) => `${row.day}-${row.boxId}`}
          size="small"
          loading={sales.isFetching}
          dataSource={data ? [...data.rows].reverse() : undefined}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          data-testid="sales-rows"
          columns={[
            { title: '日期（北京）', dataIndex: 'day' },
            { title: '系列', dataIndex: 'name' },
            ...salesFigureColumns<SalesRow>(),
          ]}
        />
      </Card>
    </Space>
  );
}
