import { Table, Typography } from 'antd';
import { drawOdds, exactOdds, RARITIES, RARITY_LABELS, type Rarity } from '@blindbox/shared';
import { RarityTag } from '../../components/labels';

/**
 * The odds as the draw will use them, recomputed on every keystroke from the one function the draw, the box
 * page and the verifier use (shared drawOdds): per item and per rarity, as exact fractions and percentages.
 */
export function OddsPanel({ items }: { items: readonly { id: string; name: string; rarity: Rarity; weight: number }[] }) {
  const odds = drawOdds(items.map((item) => ({ productId: item.id, rarity: item.rarity, weight: Math.max(0, item.weight || 0) })));
  const total = odds[0]?.total ?? 0;
  const perItem = items.map((item, index) => ({ key: `${item.id}-${index}`, name: item.name || item.id || '（未命名）', rarity: item.rarity, ...exactOdds(odds[index]?.tickets ?? 0, total) }));
  const perRarity = RARITIES.map((rarity) => ({
    rarity,
    ...exactOdds(
      odds.filter((_, index) => items[index]?.rarity === rarity).reduce((sum, row) => sum + row.tickets, 0),
      total,
    ),
  })).filter((row) => items.some((item) => item.rarity === row.rarity));
  return (
    <div data-testid="odds-panel">
      <Typography.Text type="secondary">总权重 {total}</Typography.Text>
      <Table
        size="small"
        pagination={false}
        rowKey="key"
        dataSource={perItem}
        columns={[
          { title: '款式', dataIndex: 'name' },
          { title: '稀有度', dataIndex: 'rarity', render: (rarity: string) => <RarityTag rarity={rarity} /> },
          { title: '概率', dataIndex: 'fraction' },
          { title: '百分比', dataIndex: 'percent' },
        ]}
      />
      <Table
        size="small"
        style={{ marginTop: 12 }}
        pagination={false}
        rowKey="rarity"
        dataSource={perRarity}
        data-testid="odds-by-rarity"
        columns={[
          { title: '稀有度', dataIndex: 'rarity', render: (rarity: (typeof RARITIES)[number]) => `${RARITY_LABELS[rarity]}款` },
          { title: '概率', dataIndex: 'fraction' },
          { title: '百分比', dataIndex: 'percent' },
        ]}
      />
    </div>
  );
}
