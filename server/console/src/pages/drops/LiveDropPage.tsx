import { lazy, Suspense } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Alert, Breadcrumb, Card, Col, Empty, Row, Space, Statistic, Tag, Typography } from 'antd';
import { LIVE_DROP_RATE_SECONDS, liveDropSchema, type LiveDrop } from '@blindbox/shared';
import { request } from '../../api/client';
import { PageLoading } from '../../components/PageLoading';
import { QueryError } from '../../components/QueryError';
import { DropStateTag } from '../../components/labels';
import { formatTime } from '../../time';

const LiveDropChart = lazy(() => import('./LiveDropChart'));
/** Often enough to watch a drop sell out; each refresh is three indexed reads on the server. */
const REFRESH_MS = 3_000;

function duration(fromIso: string, toIso: string): string {
  const seconds = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h ? `${h} 小时` : '', h || m ? `${m} 分` : '', `${s} 秒`].join(' ').trim();
}

/** One drop as it happens: refreshed every few seconds while the page is open (stops once it is called off). */
export default function LiveDropPage() {
  const { boxId } = useParams();
  const live = useQuery({
    queryKey: ['drops', boxId, 'live'],
    queryFn: () => request('GET', `/drops/${boxId}/live`, liveDropSchema),
    refetchInterval: (query) => (query.state.data?.box.state === 'CANCELLED' ? false : REFRESH_MS),
  });
  if (live.isPending) return <PageLoading />;
  if (live.isError) return <QueryError error={live.error} retry={() => live.refetch()} />;
  const drop = live.data;
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="live-drop">
      <Breadcrumb items={[{ title: <Link to="/drops">开售排期</Link> }, { title: drop.box.name }]} />
      <Card
        title={
          <Space>
            <span>实时开售：{drop.box.name}</span>
            {drop.soldOutAt ? <Tag color="red">已售罄</Tag> : <DropStateTag state={drop.box.state} />}
          </Space>
        }
        extra={<Typography.Text type="secondary" data-testid="live-updated">每 {REFRESH_MS / 1000} 秒刷新 · 服务器时间 {formatTime(drop.serverTime)}</Typography.Text>}
      >
        <Opening drop={drop} />
        <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
          <Col xs={12} md={8} xl={4}><Statistic title="剩余可售" value={drop.unitsLeft} suffix="件" valueStyle={drop.unitsLeft === 0 ? { color: '#cf1322' } : undefined} data-testid="live-left" /></Col>
          {drop.box.saleMode === 'WEIGHTED' && (
            <>
              <Col xs={12} md={8} xl={4}><Statistic title="待付款占用" value={drop.heldUnits} suffix="件" data-testid="live-held" /></Col>
              <Col xs={12} md={8} xl={4}><Statistic title="已付款" value={drop.soldUnits} suffix="件" valueStyle={{ color: '#3f8600' }} data-testid="live-sold" /></Col>
              <Col xs={12} md={8} xl={4}><Statistic title="本轮下单" value={drop.orders} suffix="单" data-testid="live-orders" /></Col>
              <Col xs={12} md={8} xl={4}><Statistic title={`每秒下单（近 ${LIVE_DROP_RATE_SECONDS} 秒）`} value={drop.ordersPerSecond} precision={1} data-testid="live-rate" /></Col>
              <Col xs={12} md={8} xl={4}>
                <Statistic
                  title="售罄"
                  value={drop.soldOutAt ? formatTime(drop.soldOutAt).slice(11) : '未售罄'}
                  valueStyle={{ fontSize: drop.soldOutAt ? 24 : 20, color: drop.soldOutAt ? '#cf1322' : '#8c8c8c' }}
                  data-testid="live-sold-out"
                />
                {drop.soldOutAt && drop.box.onSaleAt && <Typography.Text type="secondary">开售后 {duration(drop.box.onSaleAt, drop.soldOutAt)}</Typography.Text>}
              </Col>
            </>
          )}
        </Row>
      </Card>
      <Card title="下单与付款走势" size="small">
        {drop.box.saleMode === 'SETS' || drop.series.length === 0 ? (
          <Empty description={drop.box.saleMode === 'SETS' ? '端盒系列请在「端盒」页按套查看' : '开售后显示'} />
        ) : (
          <Suspense fallback={<PageLoading />}>
            <LiveDropChart drop={drop} />
          </Suspense>
        )}
      </Card>
    </Space>
  );
}

function Opening({ drop }: { drop: LiveDrop }) {
  const { box } = drop;
  if (box.saleMode === 'SETS') return <Alert type="info" showIcon message="端盒系列按位置出售：剩余为在售各套的空位；占用与付款请在「端盒」页按套查看。" />;
  if (box.state === 'CANCELLED') return <Alert type="warning" showIcon message={`本轮开售已于 ${formatTime(box.dropCancelledAt)} 取消，重新排期前不可购买。`} />;
  if (!box.onSaleAt) return <Alert type="info" showIcon message="该系列没有排期开售，以下为最近一小时的数据。" />;
  if (box.state === 'SCHEDULED') {
    return <Alert type="info" showIcon data-testid="live-countdown" message={`北京时间 ${formatTime(box.onSaleAt)} 开售，还有 ${duration(drop.serverTime, box.onSaleAt)}`} description={`付款时限 ${box.paymentWindowMinutes} 分钟，每人限购 ${box.purchaseLimit} 件`} />;
  }
  if (drop.soldOutAt) {
    return <Alert type="success" showIcon message={`北京时间 ${formatTime(box.onSaleAt)} 开售，开售后 ${duration(box.onSaleAt, drop.soldOutAt)} 售罄`} description="本轮所有件数均已付款；补货后可重新排期开售。" />;
  }
  return <Alert type="success" showIcon message={`北京时间 ${formatTime(box.onSaleAt)} 开售，已开售 ${duration(box.onSaleAt, drop.serverTime)}`} description={`付款时限 ${box.paymentWindowMinutes} 分钟，每人限购 ${box.purchaseLimit} 件`} />;
}
