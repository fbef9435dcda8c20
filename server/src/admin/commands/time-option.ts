import { fromBeijingTime } from '@blindbox/shared';
import { UsageError } from '../admin-command';

const RELATIVE = /^\+(\d+)([smhd])$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A moment on the command line. A merchant in China thinks in Beijing time, so a bare date or `date hh:mm[:ss]`
 * is read as Asia/Shanghai; an ISO time with its own offset (or Z) is taken as written; `+10m` (s, m, h, d) is
 * from `now`, the server's clock.
 */
export function parseTimeOption(option: string, text: string, now: Date): Date {
  const trimmed = text.trim();
  const relative = RELATIVE.exec(trimmed);
  if (relative) return new Date(now.getTime() + Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS]);
  if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) return beijing(option, `${trimmed} 00:00:00`);
  if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$/.test(trimmed)) return beijing(option, `${trimmed.replace('T', ' ')}${trimmed.length === 16 ? ':00' : ''}`);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(trimmed)) {
    const at = new Date(trimmed);
    if (!Number.isNaN(at.getTime())) return at;
  }
  throw new UsageError(`${option} must be a time: 2026-12-01 (Beijing midnight), "2026-12-01 20:00" (Beijing), 2026-12-01T12:00:00Z, or +10m`);
}

function beijing(option: string, text: string): Date {
  const at = fromBeijingTime(text);
  if (!at || Number.isNaN(at.getTime())) throw new UsageError(`${option}: ${text} is not a valid date`);
  return at;
}
