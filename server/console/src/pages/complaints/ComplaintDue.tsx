import { Tag, Tooltip } from 'antd';
import { COMPLAINT_STATE_LABELS, type ComplaintState } from '@blindbox/shared';
import { beijing, formatMinute } from '../../time';

const STATE_COLORS: Record<ComplaintState, string> = { PENDING: 'red', PROCESSING: 'blue', PROCESSED: 'default' };

export function ComplaintStateTag({ state }: { state: ComplaintState }) {
  return <Tag color={STATE_COLORS[state]}>{COMPLAINT_STATE_LABELS[state]}</Tag>;
}

/** The reply deadline as staff need it: how long is left (red under 6 hours, or overdue), the exact time on hover. */
export function ComplaintDue({ dueAt }: { dueAt: string | null }) {
  if (!dueAt) return <Tag>无需回复</Tag>;
  const minutes = beijing(dueAt).diff(beijing(), 'minute');
  const left = minutes <= 0 ? `已超时 ${spell(-minutes)}` : `剩 ${spell(minutes)}`;
  return (
    <Tooltip title={`须在 ${formatMinute(dueAt)} 前回复`}>
      <Tag color={minutes <= 0 ? 'red' : minutes < 360 ? 'volcano' : 'gold'} data-testid="complaint-due">
        {left}
      </Tag>
    </Tooltip>
  );
}

function spell(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  return hours > 0 ? `${hours} 小时 ${minutes % 60} 分` : `${minutes} 分钟`;
}
