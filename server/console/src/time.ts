import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';
import 'dayjs/locale/zh-cn';

/** Every time in the console is Beijing time, whatever the staff member's computer is set to. */
dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.locale('zh-cn');
export const SHOP_TIME_ZONE = 'Asia/Shanghai';

export function beijing(iso: string | Date = new Date()): dayjs.Dayjs {
  return dayjs(iso).tz(SHOP_TIME_ZONE);
}

/** 2026-12-04 20:15:03 */
export function formatTime(iso: string | null | undefined): string {
  return iso ? beijing(iso).format('YYYY-MM-DD HH:mm:ss') : '—';
}

/** 2026-12-04 20:15, for tables where seconds only take room. */
export function formatMinute(iso: string | null | undefined): string {
  return iso ? beijing(iso).format('YYYY-MM-DD HH:mm') : '—';
}

/** A Beijing calendar day, as the API's `from`/`to` take it. */
export function beijingDay(value: dayjs.Dayjs): string {
  return value.format('YYYY-MM-DD');
}

export function todayInBeijing(): string {
  return beijing().format('YYYY-MM-DD');
}

export { dayjs };

/**
 * The pickers work in the browser's own zone; the shop's is Beijing. A picker therefore holds Beijing wall-clock
 * time (what staff type and read), and these turn it to and from the moment it names, whatever the computer's zone.
 */
export function toBeijingWall(iso: string | Date): dayjs.Dayjs {
  return dayjs(beijing(iso).format('YYYY-MM-DDTHH:mm:ss'));
}

export function fromBeijingWall(value: dayjs.Dayjs): string {
  return dayjs.tz(value.format('YYYY-MM-DDTHH:mm:ss'), SHOP_TIME_ZONE).toISOString();
}
