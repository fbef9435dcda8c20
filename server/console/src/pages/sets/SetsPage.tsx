import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Empty, InputNumber, Modal, Popconfirm, Progress, Select, Space, Table, Tag, Typography } from 'antd';
import { boxSetListSchema, boxSetSchema, MAX_SETS_PER_CREATE, type BoxSet, type BoxSetList } from '@blindbox/shared';
import { errorMessage, request } from '../../api/client';
import { useDropList } from '../../api/drops';
import { useCan } from '../../api/session';
import { QueryError } from '../../components/QueryError';
import { useUrlFilters } from '../../components/use-url-filters';
import { formatMinute } from '../../time';

type SetRow = BoxSetList['items'][number];
const STATE_TAGS: Record<SetRow['state'], [string, string]> = { ON_SALE: ['green', '在售'], SOLD_OUT: ['blue', '已售完'], RETIRED: ['default', '已下架'] };

/** Whole-set boxes (端盒): each set with its commitment and positions sold / held / free; making more, retiring one. */
export default function SetsPage() {
  const can = useCan();
  const client = useQueryClient();
  const { message } = App.useApp();
  const boxes = useDropList();
  const setBoxes = (boxes.data?.items ?? []).filter((box) => box.saleMode === 'SETS');
  const { filters, update } = useUrlFilters(['boxId'] as const);
  const boxId = filters.boxId ?? setBoxes[0]?.boxId;
  const sets = useQuery({ queryKey: ['sets', boxId], enabled: Boolean(boxId), queryFn: () => request('GET', '/sets', boxSetListSchema, { query: { boxId } }) });
  const [count, setCount] = useState<number | null>(1);
  const [retired, setRetired] = useState<BoxSet | null>(null);
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ['sets', boxId] });
    void client.invalidateQueries({ queryKey: ['drops'] });
  };
  const create = useMutation({
    mutationFn: (n: number) => request('POST', '/sets', boxSetListSchema, { body: { boxId, count: n } }),
    onSuccess: (_, n) => {
      message.success(`已新增 ${n} 套，每套的承诺值已公布`);
      refresh();
    },
    onError: (error) => message.error(errorMessage(error)),
  });
  const retire = useMutation({
    mutationFn: (set: SetRow) => request('POST', `/sets/${set.id}/retire`, boxSetSchema),
    onSuccess: (set) => {
      setRetired(set);
      refresh();
    },
    onError: (error) => message.error(errorMessage(error)),
  });

  return (
    <Card
      title="端盒"
      data-testid="sets-page"
      extra={
        <Space wrap>
          <Select style={{ width: 200 }} placeholder="选择端盒系列" value={boxId} onChange={(value: string) => update({ boxId: value })} options={setBoxes.map((box) => ({ value: box.boxId, label: box.name }))} data-testid="sets-box" />
          {can('catalog.manage') && boxId && (
            <Space.Compact>
              <InputNumber min={1} max={MAX_SETS_PER_CREATE} precision={0} value={count} onChange={setCount} addonBefore="新增" addonAfter="套" style={{ width: 180 }} data-testid="sets-count" />
              <Popconfirm title={`新增 ${count ?? 0} 套？每套立即打乱并公布承诺值后开售。`} okText="新增" cancelText="取消" onConfirm={() => count && create.mutate(count)}>
                <Button type="primary" loading={create.isPending} disabled={!count} data-testid="sets-create">
                  确定
                </Button>
              </Popconfirm>
            </Space.Compact>
          )}
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">
        每套在开售前打乱位置并公布承诺值（SHA-256），售完或下架后公布排列与盐值，顾客可自行核验。下架一套会立即公布它的排列，剩余空位不再出售；有位置被未付款订单占用时不能下架。
      </Typography.Paragraph>
      {boxes.isError && <QueryError error={boxes.error} retry={() => boxes.refetch()} />}
      {sets.isError && <QueryError error={sets.error} retry={() => sets.refetch()} />}
      {boxes.isSuccess && setBoxes.length === 0 ? (
        <Empty description="没有端盒系列" />
      ) : (
        <Table<SetRow>
          rowKey="id"
          size="middle"
          data-testid="sets-table"
          loading={sets.isFetching}
          dataSource={sets.data?.items}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          columns={[
            { title: '套号', dataIndex: 'number', render: (n: number) => `#${n}` },
            { title: '状态', dataIndex: 'state', render: (state: SetRow['state']) => <Tag color={STATE_TAGS[state][0]}>{STATE_TAGS[state][1]}</Tag> },
            {
              title: '已售 / 占用 / 空位',
              key: 'positions',
              width: 260,
              render: (_, set) => (
                <Space direction="vertical" size={0} style={{ width: '100%' }}>
                  <Progress percent={Math.round(((set.sold + set.held) / set.positions) * 100)} success={{ percent: Math.round((set.sold / set.positions) * 100) }} showInfo={false} size="small" />
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    已售 {set.sold} · 占用 {set.held} · 空位 {set.free}（共 {set.positions}）
                  </Typography.Text>
                </Space>
              ),
            },
            { title: '承诺值', dataIndex: 'commitment', render: (commitment: string) => <Typography.Text code copyable={{ text: commitment }}>{commitment.slice(0, 16)}…</Typography.Text> },
            { title: '创建', dataIndex: 'committedAt', render: formatMinute },
            { title: '公布', dataIndex: 'revealedAt', render: formatMinute },
            {
              title: '操作',
              key: 'actions',
              render: (_, set) =>
                can('catalog.manage') &&
                set.state === 'ON_SALE' && (
                  <Popconfirm
                    title={`下架第 ${set.number} 套？`}
                    description={<div style={{ maxWidth: 280 }}>下架后立即公布这套的排列，剩余 {set.free} 个空位不再出售。此操作不可撤销。</div>}
                    okText="下架并公布"
                    okButtonProps={{ danger: true }}
                    cancelText="取消"
                    onConfirm={() => retire.mutate(set)}
                  >
                    <Button type="link" danger data-testid={`set-retire-${set.number}`}>
                      下架
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      )}
      {retired && (
        <Modal open title={`第 ${retired.number} 套已下架`} footer={null} onCancel={() => setRetired(null)} data-testid="set-retired">
          <Alert type="success" showIcon message="排列与盐值已公布，顾客可据此核验承诺值。" style={{ marginBottom: 12 }} />
          <Typography.Paragraph>
            排列：{retired.arrangement?.map((design, position) => <Tag key={position}>{position + 1}. {design}</Tag>)}
          </Typography.Paragraph>
          <Typography.Paragraph copyable={{ text: retired.salt ?? '' }}>盐值：<Typography.Text code>{retired.salt}</Typography.Text></Typography.Paragraph>
          <Typography.Paragraph copyable={{ text: retired.commitment }}>承诺值：<Typography.Text code>{retired.commitment}</Typography.Text></Typography.Paragraph>
        </Modal>
      )}
    </Card>
  );
}
