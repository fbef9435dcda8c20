/** Alipay's clock: `yyyy-MM-dd HH:mm:ss` in Beijing time (UTC+8, no daylight saving). */
export function beijingTime(date: Date): string {
  return new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** null for anything not in that form. */
export function fromBeijingTime(text: string | undefined): Date | null {
  if (!text || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return null;
  return new Date(`${text.replace(' ', 'T')}+08:00`);
}

/** "M 月 D 日 HH:mm" in Beijing time whatever the device's zone (a shopper in China reads every time so). */
export function beijingMonthDayTime(date: Date): string {
  const [month, day, hour, minute] = beijingTime(date).slice(5, 16).split(/[- :]/);
  return `${Number(month)} 月 ${Number(day)} 日 ${hour}:${minute}`;
}
