import type { Box } from '@blindbox/shared';

export type DropState = { state: 'OPEN' } | { state: 'SCHEDULED'; msLeft: number } | { state: 'CANCELLED' };

/**
 * Where a box's drop stands, by the server's clock: the answer carried the server's time, so the phone's clock
 * only measures how long ago that was (`receivedAt` → `now`, both phone time). A phone set five minutes fast
 * still opens the button when the server opens the drop, not five minutes early.
 */
export function dropStateAt(box: Pick<Box, 'onSaleAt' | 'dropCancelled' | 'serverTime'>, receivedAt: number, now: number): DropState {
  if (box.dropCancelled) return { state: 'CANCELLED' };
  if (!box.onSaleAt) return { state: 'OPEN' };
  const serverNow = Date.parse(box.serverTime) + (now - receivedAt);
  const msLeft = Date.parse(box.onSaleAt) - serverNow;
  return msLeft > 0 ? { state: 'SCHEDULED', msLeft } : { state: 'OPEN' };
}

const pad = (value: number) => String(value).padStart(2, '0');

/** `2天 03:04:05`, `00:00:01`: whole seconds rounded up, so it reads 00:00:01 until the very moment it opens. */
export function formatCountdown(msLeft: number): string {
  const total = Math.max(0, Math.ceil(msLeft / 1000));
  const days = Math.floor(total / 86_400);
  const clock = `${pad(Math.floor((total % 86_400) / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
  return days > 0 ? `${days}天 ${clock}` : clock;
}

/** How long to wait before the countdown next changes: to the next whole second of what is left. */
export function nextTickMs(msLeft: number): number {
  return msLeft % 1000 || 1000;
}
