/** WeChat Pay writes times in RFC 3339 with Beijing's offset, e.g. 2018-06-08T10:34:56+08:00. */
const BEIJING_OFFSET_MS = 8 * 3600_000;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function beijingTime(epochMs: number): string {
  return `${new Date(epochMs + BEIJING_OFFSET_MS).toISOString().slice(0, 19)}+08:00`;
}

/** Epoch milliseconds, or null when the text is not an RFC 3339 date-time with an offset. */
export function parseRfc3339(text: string): number | null {
  if (!RFC3339.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}
