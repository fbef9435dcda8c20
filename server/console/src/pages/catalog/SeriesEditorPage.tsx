import { useEffect, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Descriptions, Input, InputNumber, Modal, Row, Select, Space, Table, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Link, useNavigate, useParams } from 'react-router';
import { consoleBoxDetailSchema, consoleBoxPlanSchema, fenToYuan, RARITIES, RARITY_LABELS, type ConsoleBoxEdit, type ConsoleBoxPlan, type Rarity } from '@blindbox/shared';
import { errorMessage, request } from '../../api/client';
import { useCan } from '../../api/session';
import { QueryError } from '../../components/QueryError';
import { typedYuanToFen } from '../../money';
import { OddsPanel } from './OddsPanel';
import { PictureInput } from './PictureInput';
import { VersionDiff } from './VersionDiff';

type Item = ConsoleBoxEdit['items'][number];
type Draft = Omit<ConsoleBoxEdit, 'coverUrl' | 'items' | 'priceFen'> & { coverUrl: string | null; priceYuan: string; items: (Omit<Item, 'imageUrl' | 'valueFen'> & { imageUrl: string | null; valueYuan: string })[] };

const rarityOptions = RARITIES.map((rarity) => ({ value: rarity, label: RARITY_LABELS[rarity] }));
const EMPTY: Draft = { slug: '', name: '', description: '', priceYuan: '', coverUrl: null, paymentWindowMinutes: null, purchaseLimit: null, guarantee: null, sortOrder: 0, items: [] };

const draftOf = (box: ConsoleBoxEdit): Draft => ({
  ...box,
  priceYuan: fenToYuan(box.priceFen),
  items: box.items.map((item) => ({ ...item, valueYuan: item.valueFen === null ? '' : fenToYuan(item.valueFen) })),
});

/** The draft as the server takes it, or the first thing staff must fix. */
function boxOf(draft: Draft): ConsoleBoxEdit | string {
  const priceFen = typedYuanToFen(draft.priceYuan);
  if (priceFen === null) return '请填写售价（元，最多两位小数）';
  if (!draft.coverUrl) return '请上传封面';
  const items: Item[] = [];
  for (const [index, { valueYuan, ...item }] of draft.items.entries()) {
    if (!item.imageUrl) return `第 ${index + 1} 款缺少图片`;
    const valueFen = valueYuan.trim() ? typedYuanToFen(valueYuan) : null;
    if (valueYuan.trim() && valueFen === null) return `第 ${index + 1} 款的商品价值有误`;
    items.push({ ...item, imageUrl: item.imageUrl, valueFen });
  }
  return { slug: draft.slug, name: draft.name, description: draft.description, priceFen, coverUrl: draft.coverUrl, paymentWindowMinutes: draft.paymentWindowMinutes, purchaseLimit: draft.purchaseLimit, guarantee: draft.guarantee, sortOrder: draft.sortOrder, items };
}

/**
 * Create or edit a weighted series: pictures uploaded as they are picked, price typed in yuan and stored in
 * fen, odds shown live. Saving asks the server for its plan first; a box on sale whose odds change gets a
 * new odds version, shown as a diff and published only when confirmed (as `box import` does).
 */
export default function SeriesEditorPage() {
  const { slug } = useParams();
  const creating = !slug;
  const can = useCan();
  const editable = can('catalog.manage');
  const navigate = useNavigate();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [confirming, setConfirming] = useState<ConsoleBoxPlan | null>(null);
  const loaded = useQuery({ queryKey: ['catalog', 'box', slug], enabled: !creating, queryFn: () => request('GET', `/catalog/boxes/${slug}`, consoleBoxDetailSchema) });
  useEffect(() => {
    if (loaded.data?.box) setDraft(draftOf(loaded.data.box));
  }, [loaded.data]);

  const set = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }));
  const setItem = (index: number, patch: Partial<Draft['items'][number]>) => setDraft((current) => ({ ...current, items: current.items.map((item, at) => (at === index ? { ...item, ...patch } : item)) }));
  const existingIds = new Set(loaded.data?.box?.items.map((item) => item.id) ?? []);

  const save = useMutation({
    mutationFn: async ({ box, confirmVersion }: { box: ConsoleBoxEdit; confirmVersion?: number }) => {
      if (confirmVersion === undefined) {
        const plan = await request('POST', '/catalog/boxes/plan', consoleBoxPlanSchema, { body: { box } });
        if (plan.action === 'new-version') return { plan, saved: false };
      }
      return { plan: await request('POST', '/catalog/boxes', consoleBoxPlanSchema, { body: { box, confirmVersion } }), saved: true };
    },
    onSuccess: ({ plan, saved }) => {
      if (!saved) return setConfirming(plan);
      setConfirming(null);
      const words = { create: '已创建并上架', update: '已保存', 'new-version': `已发布概率版本 v${plan.after.version}`, unchanged: '没有改动' }[plan.action];
      message.success(words);
      for (const warning of plan.warnings) message.warning(warning, 8);
      void client.invalidateQueries({ queryKey: ['catalog'] });
      if (creating) navigate(`/catalog/${plan.slug}`);
    },
    onError: (error) => message.error(errorMessage(error), 8),
  });
  const submit = (confirmVersion?: number) => {
    const box = boxOf(draft);
    if (typeof box === 'string') return message.error(box);
    save.mutate({ box, confirmVersion });
  };

  if (loaded.isError) return <QueryError error={loaded.error} />;
  if (loaded.data && !loaded.data.box) return <Alert type="info" showIcon message="端盒系列请用系列文件导入编辑（npm run admin -- box import）" />;
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card
        title={creating ? '新建系列' : `编辑系列：${draft.name}`}
        extra={
          <Space>
            {!creating && <Typography.Text type="secondary">当前概率版本 v{loaded.data?.version}</Typography.Text>}
            {!creating && <Link to={`/catalog/${slug}/stock`}>库存</Link>}
            <Button type="primary" disabled={!editable} loading={save.isPending} onClick={() => submit()} data-testid="series-save">
              保存
            </Button>
          </Space>
        }
      >
        <Row gutter={24}>
          <Col span={14}>
            <Descriptions column={1} size="small" bordered labelStyle={{ width: 120 }}>
              <Descriptions.Item label="标识（slug）">
                <Input value={draft.slug} disabled={!creating} placeholder="lucky-cat" onChange={(event) => set({ slug: event.target.value.trim() })} data-testid="series-slug" />
              </Descriptions.Item>
              <Descriptions.Item label="名称">
                <Input value={draft.name} onChange={(event) => set({ name: event.target.value })} data-testid="series-name" />
              </Descriptions.Item>
              <Descriptions.Item label="介绍">
                <Input.TextArea rows={2} value={draft.description} onChange={(event) => set({ description: event.target.value })} data-testid="series-description" />
              </Descriptions.Item>
              <Descriptions.Item label="售价（元）">
                <Input value={draft.priceYuan} prefix="¥" style={{ width: 160 }} onChange={(event) => set({ priceYuan: event.target.value })} data-testid="series-price" />
              </Descriptions.Item>
              <Descriptions.Item label="封面">
                <PictureInput value={draft.coverUrl} onChange={(coverUrl) => set({ coverUrl })} disabled={!editable} testId="series-cover" size={96} />
              </Descriptions.Item>
              <Descriptions.Item label="保底">
                <Space>
                  <InputNumber min={1} max={1000} placeholder="不设" value={draft.guarantee?.within ?? null} onChange={(within) => set({ guarantee: within ? { minRarity: draft.guarantee?.minRarity ?? 'RARE', within } : null })} data-testid="series-guarantee-within" />
                  抽内必出
                  <Select style={{ width: 110 }} disabled={!draft.guarantee} value={draft.guarantee?.minRarity ?? 'RARE'} options={rarityOptions.filter((option) => option.value !== 'COMMON')} onChange={(minRarity: Rarity) => draft.guarantee && set({ guarantee: { ...draft.guarantee, minRarity } })} />
                  或更稀有
                </Space>
              </Descriptions.Item>
              <Descriptions.Item label="每人限购">
                <InputNumber min={1} max={1000} placeholder="店铺默认" value={draft.purchaseLimit} onChange={(purchaseLimit) => set({ purchaseLimit: purchaseLimit ?? null })} data-testid="series-limit" /> 件
              </Descriptions.Item>
              <Descriptions.Item label="付款时限">
                <InputNumber min={2} max={120} placeholder="店铺默认" value={draft.paymentWindowMinutes} onChange={(paymentWindowMinutes) => set({ paymentWindowMinutes: paymentWindowMinutes ?? null })} data-testid="series-window" /> 分钟
              </Descriptions.Item>
              <Descriptions.Item label="排序">
                <InputNumber min={0} value={draft.sortOrder} onChange={(sortOrder) => set({ sortOrder: sortOrder ?? 0 })} />
              </Descriptions.Item>
            </Descriptions>
          </Col>
          <Col span={10}>
            <Typography.Title level={5} style={{ marginTop: 0 }}>
              抽取概率（随权重实时计算）
            </Typography.Title>
            <OddsPanel items={draft.items} />
          </Col>
        </Row>
      </Card>
      <Card
        title="款式"
        extra={
          <Button icon={<PlusOutlined />} disabled={!editable} onClick={() => set({ items: [...draft.items, { id: '', name: '', rarity: 'COMMON', weight: 1, valueYuan: '', imageUrl: null, silhouetteUrl: null, stock: 0 }] })} data-testid="series-add-item">
            添加款式
          </Button>
        }
      >
        <Table
          size="small"
          pagination={false}
          rowKey={(_, index) => String(index)}
          dataSource={draft.items}
          data-testid="series-items"
          columns={[
            { title: '编号', render: (_, item, index) => <Input value={item.id} disabled={existingIds.has(item.id) && !creating} style={{ width: 110 }} onChange={(event) => setItem(index, { id: event.target.value.trim() })} data-testid={`item-${index}-id`} /> },
            { title: '名称', render: (_, item, index) => <Input value={item.name} style={{ width: 120 }} onChange={(event) => setItem(index, { name: event.target.value })} data-testid={`item-${index}-name`} /> },
            { title: '稀有度', render: (_, item, index) => <Select value={item.rarity} options={rarityOptions} style={{ width: 90 }} onChange={(rarity: Rarity) => setItem(index, { rarity })} data-testid={`item-${index}-rarity`} /> },
            { title: '权重', render: (_, item, index) => <InputNumber min={1} value={item.weight} style={{ width: 80 }} onChange={(weight) => setItem(index, { weight: weight ?? 1 })} data-testid={`item-${index}-weight`} /> },
            { title: '商品价值（元）', render: (_, item, index) => <Input value={item.valueYuan} prefix="¥" style={{ width: 100 }} onChange={(event) => setItem(index, { valueYuan: event.target.value })} data-testid={`item-${index}-value`} /> },
            { title: '图片', render: (_, item, index) => <PictureInput value={item.imageUrl} onChange={(imageUrl) => setItem(index, { imageUrl })} disabled={!editable} testId={`item-${index}-picture`} /> },
            { title: '剪影（可选）', render: (_, item, index) => <PictureInput value={item.silhouetteUrl} onChange={(silhouetteUrl) => setItem(index, { silhouetteUrl })} disabled={!editable} testId={`item-${index}-silhouette`} size={40} /> },
            {
              title: '库存',
              render: (_, item, index) =>
                existingIds.has(item.id) && !creating ? (
                  <Link to={`/catalog/${slug}/stock`}>{item.stock}（在库存页调整）</Link>
                ) : (
                  <InputNumber min={0} value={item.stock} style={{ width: 90 }} onChange={(stock) => setItem(index, { stock: stock ?? 0 })} data-testid={`item-${index}-stock`} />
                ),
            },
            { title: '', render: (_, _item, index) => <Button size="small" type="text" danger icon={<DeleteOutlined />} disabled={!editable} onClick={() => set({ items: draft.items.filter((_, at) => at !== index) })} /> },
          ]}
        />
      </Card>
      <Modal
        open={confirming !== null}
        title={`发布概率版本 v${confirming?.after.version ?? ''}？`}
        okText="确认发布"
        cancelText="取消"
        confirmLoading={save.isPending}
        onOk={() => confirming && submit(confirming.after.version)}
        onCancel={() => setConfirming(null)}
        width={560}
      >
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          message="该系列正在销售：款式、权重或商品价值的改动将作为新的概率版本发布，并使用新的抽取种子承诺；已下单的订单仍按原版本抽取。"
        />
        {confirming && <VersionDiff plan={confirming} />}
      </Modal>
    </Space>
  );
}
