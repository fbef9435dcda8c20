import { Table, Typography } from 'antd';
import type { ConsoleAuditEntry } from '@blindbox/shared';
import { formatTime } from '../time';
import { auditCommandLabel } from './labels';

/** Before/after as compact JSON text (never markup: it may hold what a shopper typed). */
function compact(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What changed, a line per field when both sides are records ("status: TO_BE_PAID → PAID"); otherwise before → after. */
function changeLines(before: unknown, after: unknown): string[] {
  if (!isRecord(before) || !isRecord(after)) return [`${compact(before)} → ${compact(after)}`];
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const changed = fields.filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
  return changed.length > 0 ? changed.map((field) => `${field}: ${compact(before[field])} → ${compact(after[field])}`) : ['（无字段变化）'];
}

export function AuditTable({ entries, loading, pagination, showTarget = true }: { entries: ConsoleAuditEntry[] | undefined; loading?: boolean; pagination?: false | object; showTarget?: boolean }) {
  return (
    <Table<ConsoleAuditEntry>
      size="small"
      rowKey={(entry) => `${entry.at}-${entry.actor}-${entry.command}-${entry.target}`}
      loading={loading}
      dataSource={entries}
      pagination={pagination ?? false}
      data-testid="audit-table"
      columns={[
        { title: '时间', dataIndex: 'at', width: 170, render: formatTime },
        { title: '操作人', dataIndex: 'actor', width: 160 },
        { title: '操作', dataIndex: 'command', width: 200, render: auditCommandLabel },
        ...(showTarget ? [{ title: '对象', dataIndex: 'target', width: 240 }] : []),
        {
          title: '变更',
          key: 'change',
          render: (_: unknown, entry: ConsoleAuditEntry) => (
            <Typography.Paragraph style={{ margin: 0, fontSize: 12, fontFamily: 'monospace', wordBreak: 'break-all', whiteSpace: 'pre-line' }} ellipsis={{ rows: 3, expandable: true, symbol: '展开' }}>
              {changeLines(entry.before, entry.after).join('\n')}
            </Typography.Paragraph>
          ),
        },
      ]}
    />
  );
}
