import { Table, Typography } from 'antd';
import { carrierNameOf, ORDER_STATUS_LABELS, type ConsoleAuditEntry } from '@blindbox/shared';
import { yuan } from '../money';
import { formatTime } from '../time';
import { ActorName, auditCommandLabel, refundUnitsText, type ItemName } from './labels';

/** Before/after as compact JSON text (never markup: it may hold what a shopper typed). */
function compact(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const CHANGE_COLUMN_WIDTH = 320;

/** The fields staff meet in the log, in Chinese; any other shows its code name. */
const FIELD_LABELS: Record<string, string> = {
  status: '状态',
  trackingNote: '运单号',
  carrier: '快递公司',
  outRefundNo: '退款单号',
  amountFen: '金额',
  units: '退款件数',
  reason: '原因',
  note: '备注',
  priceFen: '售价',
  active: '上架',
  retiredAt: '下架时间',
  receivedAt: '签收时间',
  reminder: '确认收货提醒',
  address: '收货地址',
};

/** A time field's ISO value ("…At"), which the log keeps in UTC. */
const isIsoTime = (field: string, value: unknown): value is string => field.endsWith('At') && typeof value === 'string' && !Number.isNaN(Date.parse(value));

const isRefundUnits = (value: unknown): value is Array<{ itemIndex: number; quantity: number }> =>
  Array.isArray(value) && value.every((line) => isRecord(line) && typeof line.itemIndex === 'number' && typeof line.quantity === 'number');

/**
 * A field's value as staff read it: money (fen fields) in yuan, times in Beijing time, yes or no in Chinese, an
 * order's status by its name, a refund's units by item, a carrier by its name.
 */
function shown(field: string, value: unknown, isOrder: boolean, itemName: ItemName | undefined): string {
  if (typeof value === 'number' && field.endsWith('Fen')) return yuan(value);
  if (isIsoTime(field, value)) return formatTime(value);
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (field === 'units' && isRefundUnits(value)) return refundUnitsText(value, itemName);
  if (field === 'carrier' && typeof value === 'string') return carrierNameOf(value);
  if (field === 'address' && isRecord(value)) return [value.name, value.phone, value.region, value.detail].filter((part) => typeof part === 'string').join(' ');
  if (isOrder && field === 'status' && typeof value === 'string' && value in ORDER_STATUS_LABELS) return ORDER_STATUS_LABELS[value as keyof typeof ORDER_STATUS_LABELS];
  return compact(value);
}

/** What changed, a line per field when both sides are records ("状态: 待发货 → 已发货"); otherwise before → after. */
function changeLines({ before, after, target }: ConsoleAuditEntry, itemName: ItemName | undefined): string[] {
  if (!isRecord(before) || !isRecord(after)) return [`${compact(before)} → ${compact(after)}`];
  const isOrder = target.startsWith('order:');
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const changed = fields.filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
  if (changed.length === 0) return ['（无字段变化）'];
  return changed.map((field) => `${FIELD_LABELS[field] ?? field}: ${shown(field, before[field], isOrder, itemName)} → ${shown(field, after[field], isOrder, itemName)}`);
}

/** `itemName`: the order's item names, on a page about one order (refunds name their items); elsewhere items go by their place. */
export function AuditTable({
  entries,
  loading,
  pagination,
  showTarget = true,
  itemName,
}: {
  entries: ConsoleAuditEntry[] | undefined;
  loading?: boolean;
  pagination?: false | object;
  showTarget?: boolean;
  itemName?: ItemName;
}) {
  return (
    <Table<ConsoleAuditEntry>
      size="small"
      rowKey={(entry) => `${entry.at}-${entry.actor}-${entry.command}-${entry.target}`}
      loading={loading}
      dataSource={entries}
      pagination={pagination ?? false}
      data-testid="audit-table"
      // In a narrow card (an order's or a request's own log) the table scrolls sideways instead of squeezing the
      // change column to a letter a line.
      scroll={{ x: (showTarget ? 240 : 0) + 170 + 160 + 200 + CHANGE_COLUMN_WIDTH }}
      columns={[
        { title: '时间', dataIndex: 'at', width: 170, render: formatTime },
        { title: '操作人', dataIndex: 'actor', width: 160, render: (actor: string) => <ActorName actor={actor} /> },
        { title: '操作', dataIndex: 'command', width: 200, render: auditCommandLabel },
        ...(showTarget ? [{ title: '对象', dataIndex: 'target', width: 240 }] : []),
        {
          title: '变更',
          key: 'change',
          width: CHANGE_COLUMN_WIDTH,
          render: (_: unknown, entry: ConsoleAuditEntry) => (
            <Typography.Paragraph style={{ margin: 0, fontSize: 12, fontFamily: 'monospace', wordBreak: 'break-all', whiteSpace: 'pre-line' }} ellipsis={{ rows: 5, expandable: true, symbol: '展开' }}>
              {changeLines(entry, itemName).join('\n')}
            </Typography.Paragraph>
          ),
        },
      ]}
    />
  );
}
