import type { Box } from '@blindbox/shared';
import { Text, View } from '@tarojs/components';
import { useEffect, useMemo, useState } from 'react';
import { dropStateAt, formatCountdown, nextTickMs, type DropState } from '../lib/drop-countdown';
import { beijingMonthDayTime } from '@blindbox/shared/src/beijing-time';
import { formatDateTime } from '../lib/format';

/** The box's drop by the server's clock, re-evaluated on every second of the countdown until it opens. */
export function useDropState(box: Box | null): DropState {
  // When this answer arrived, by the phone's clock: only the time since then is measured with it.
  const receivedAt = useMemo(() => Date.now(), [box]);
  const [now, setNow] = useState(receivedAt);
  const drop = box ? dropStateAt(box, receivedAt, Math.max(now, receivedAt)) : ({ state: 'OPEN' } as const);
  const msLeft = drop.state === 'SCHEDULED' ? drop.msLeft : null;
  useEffect(() => {
    if (msLeft === null) return undefined;
    const timer = setTimeout(() => setNow(Date.now()), nextTickMs(msLeft));
    return () => clearTimeout(timer);
  }, [msLeft]);
  return drop;
}

export function DropCountdown({ box, drop }: { box: Box; drop: DropState }) {
  if (drop.state === 'CANCELLED') {
    return (
      <Text className="notice" data-testid="drop-cancelled">
        这一期发售已取消，敬请期待下一次开售
      </Text>
    );
  }
  if (drop.state !== 'SCHEDULED' || !box.onSaleAt) return null;
  return (
    <View className="card drop-card" data-testid="drop-card">
      <Text className="section-title">限时发售</Text>
      <Text className="muted">开售时间 {formatDateTime(box.onSaleAt)}</Text>
      <Text className="drop-countdown" data-testid="drop-countdown">
        {formatCountdown(drop.msLeft)}
      </Text>
    </View>
  );
}

/** The shelf's badge for a drop not open yet, with its opening time in Beijing time; gone at the second it opens, by the server's clock. */
export function ComingSoonBadge({ box }: { box: Box }) {
  const drop = useDropState(box);
  if (drop.state !== 'SCHEDULED' || !box.onSaleAt) return null;
  return (
    <View className="coming-soon-badge" data-testid="coming-soon">
      <Text className="coming-soon-badge__time" data-testid="coming-soon-time">
        {beijingMonthDayTime(new Date(box.onSaleAt))}
      </Text>
      <Text>开售</Text>
    </View>
  );
}
