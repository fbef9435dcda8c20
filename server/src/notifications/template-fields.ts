import { beijingTime } from '@blindbox/shared';
import type { NotificationKind } from '@blindbox/shared';

/**
 * A subscribe-message template's fields are named by WeChat per template (`thing1`, `time2`, …: the keyword's
 * type and its number in the public template), so which of our values goes to which key is configuration
 * (NOTIFY_FIELDS_<KIND>, "slot=key,…"); the value is then written as the key's type demands (参数值内容限制):
 * thing 20 characters, character_string 32 letters/digits/symbols, phrase 5 Chinese characters, time and date
 * in Beijing time, amount a currency sign and digits. A value that breaks these is refused with 47003.
 */
export const TEMPLATE_SLOTS = {
  'drop-opening': ['boxName', 'opensAt', 'note'],
  'order-shipped': ['orderNo', 'itemName', 'carrier', 'trackingNo', 'shippedAt'],
  'refund-succeeded': ['orderNo', 'amount', 'reason', 'refundedAt'],
  'service-update': ['service', 'status', 'note', 'at', 'orderNo'],
} as const satisfies Record<NotificationKind, readonly string[]>;

export type SlotOf<K extends NotificationKind> = (typeof TEMPLATE_SLOTS)[K][number];
export type SlotValue = string | Date | { fen: number };
export type FieldMap = Record<string, string>;

/** The keys of the public templates docs/notifications.md names (开售提醒, 订单发货通知, 退款成功通知, 售后服务进度通知). */
export const DEFAULT_FIELDS: Record<NotificationKind, string> = {
  'drop-opening': 'boxName=thing1,opensAt=time2,note=thing3',
  'order-shipped': 'orderNo=character_string1,itemName=thing2,carrier=thing3,trackingNo=character_string4,shippedAt=time5',
  'refund-succeeded': 'orderNo=character_string1,amount=amount2,reason=thing3,refundedAt=time4',
  'service-update': 'service=thing1,status=phrase2,note=thing3,at=time4',
};

const KEY = /^(thing|number|letter|symbol|character_string|time|date|amount|phone_number|car_number|name|phrase)\d+$/;

/** "slot=key,…" → {slot: key}; the problem in words when it is not one (config.ts reports it). */
export function parseFieldMap(kind: NotificationKind, text: string): { map: FieldMap } | { problem: string } {
  const slots: readonly string[] = TEMPLATE_SLOTS[kind];
  const map: FieldMap = {};
  for (const pair of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const [slot, key, extra] = pair.split('=').map((part) => part.trim());
    if (!slot || !key || extra !== undefined) return { problem: `"${pair}" is not slot=key` };
    if (!slots.includes(slot)) return { problem: `${slot} is not one of ${slots.join(', ')}` };
    if (!KEY.test(key)) return { problem: `${key} is not a template key (thing1, time2, character_string3, amount4, phrase5, …)` };
    if (Object.values(map).includes(key)) return { problem: `${key} is given twice` };
    map[slot] = key;
  }
  if (Object.keys(map).length === 0) return { problem: 'names no field' };
  return { map };
}

/** The template's data: each mapped slot's value written as its key's type demands. */
export function fillTemplate(map: FieldMap, values: Record<string, SlotValue>): Record<string, { value: string }> {
  const data: Record<string, { value: string }> = {};
  for (const [slot, key] of Object.entries(map)) {
    const value = values[slot];
    if (value !== undefined) data[key] = { value: formatFor(key, value) };
  }
  return data;
}

function formatFor(key: string, value: SlotValue): string {
  const type = key.replace(/\d+$/, '');
  if (value instanceof Date) {
    // 2026年12月4日 20:00: WeChat's own example of time.DATA / date.DATA.
    const [date, time] = beijingTime(value).split(' ');
    const [year, month, day] = date!.split('-').map(Number);
    return type === 'date' || type === 'time' ? `${year}年${month}月${day}日 ${time!.slice(0, 5)}` : cut(`${year}-${month}-${day} ${time!.slice(0, 5)}`, 20);
  }
  if (typeof value === 'object') return type === 'amount' ? `¥${(value.fen / 100).toFixed(2)}` : cut(`${(value.fen / 100).toFixed(2)}元`, 20);
  switch (type) {
    case 'character_string':
      return [...value.replace(/[^\x21-\x7e]/g, '')].slice(0, 32).join('') || '-';
    case 'phrase':
      return [...value.replace(/[^\p{Script=Han}]/gu, '')].slice(0, 5).join('') || '处理中';
    case 'number':
      return value.replace(/[^\d.]/g, '').slice(0, 32) || '0';
    default:
      return cut(value, 20);
  }
}

/** At most `max` characters (code points); a cut one ends in "…" so the shopper sees it goes on. */
function cut(text: string, max: number): string {
  const chars = [...text.trim()];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}
