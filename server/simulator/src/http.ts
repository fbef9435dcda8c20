/** Request-body and validation helpers shared by the API and control routes. */
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import type { z } from 'zod';
import { paramError } from './errors';

export async function readText(ctx: Context): Promise<string> {
  return getRawBody(ctx.req, { limit: '1mb', encoding: 'utf8' });
}

export function parseJson(text: string): unknown {
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw paramError('请求体不是合法的JSON');
  }
}

/** Validates like WeChat: the first offending field is named in a 400 PARAM_ERROR. */
export function validate<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') || '(body)';
  throw paramError(`参数错误: ${field} ${issue?.message ?? 'invalid'}`, field);
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** notify_url must be https without a query; plain http is tolerated only for loopback dev servers. */
export function checkNotifyUrl(value: string, field = 'notify_url'): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw paramError(`${field} 不是合法的URL`, field);
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  if (!secure) throw paramError(`${field} 必须是 https 地址`, field);
  if (url.search !== '' || url.hash !== '' || value.includes('?')) throw paramError(`${field} 不能携带参数`, field);
}
