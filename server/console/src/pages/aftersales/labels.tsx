import { Tag } from 'antd';
import { AFTERSALES_KIND_LABELS, AFTERSALES_STATUS_LABELS, type AftersalesKind, type AftersalesStatus } from '@blindbox/shared';

const STATUS_COLORS: Record<AftersalesStatus, string> = { OPEN: 'red', AWAITING_STAFF: 'orange', AWAITING_SHOPPER: 'blue', RESOLVING: 'purple', RESOLVED: 'green' };
/** Staff read the statuses from their side: the shopper's "待你回复" is staff's "待买家回复". */
const STAFF_STATUS_LABELS: Record<AftersalesStatus, string> = { ...AFTERSALES_STATUS_LABELS, OPEN: '新申请', AWAITING_SHOPPER: '待买家回复', AWAITING_STAFF: '买家已回复' };

export function AftersalesStatusTag({ status }: { status: AftersalesStatus }) {
  return <Tag color={STATUS_COLORS[status]}>{STAFF_STATUS_LABELS[status]}</Tag>;
}

export function AftersalesKindTag({ kind }: { kind: AftersalesKind }) {
  return <Tag>{AFTERSALES_KIND_LABELS[kind]}</Tag>;
}
