import { Table, Typography } from 'antd';
import type { ConsoleBoxPlan } from '@blindbox/shared';

/** Weights before and after, item by item: what a new odds version changes. */
export function VersionDiff({ plan }: { plan: ConsoleBoxPlan }) {
  const before = (plan.before?.weights ?? {}) as Record<string, number>;
  const after = (plan.after.weights ?? {}) as Record<string, number>;
  const ids = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return (
    <Table
      size="small"
      pagination={false}
      rowKey="id"
      data-testid="version-diff"
      dataSource={ids.map((id) => ({ id, before: before[id], after: after[id] }))}
      columns={[
        { title: '款式', dataIndex: 'id' },
        { title: `v${String(plan.before?.version ?? '')} 权重`, dataIndex: 'before', render: (weight?: number) => weight ?? '（无）' },
        { title: `v${plan.after.version} 权重`, dataIndex: 'after', render: (weight: number | undefined, row) => <Typography.Text strong={weight !== row.before}>{weight ?? '（移除）'}</Typography.Text> },
      ]}
    />
  );
}
