/**
 * Tencent Cloud SMS (API 3.0, SendSms 2021-01-11) on POST /tencent-sms/: checks the TC3-HMAC-SHA256 signature
 * with the dev credentials, the SdkAppId, sign name and template, records each message (a person reads the codes
 * on GET /sim/sms/page) and answers as Tencent does, errors included. Faults (POST /sim/sms/faults): refusals
 * with any provider code, a delay, an exhausted package. State is in memory only.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { readText } from '../http';
import { tc3Problem } from './tc3-verify';

export interface SmsSimulatorKeys {
  secretId: string;
  secretKey: string;
  sdkAppId: string;
  signName: string;
  templateId: string;
}

export interface SentSms {
  phone: string;
  code: string;
  text: string;
  sentAt: string;
  serialNo: string;
}

const faultsSchema = z
  .object({
    /** The next `count` sends are refused with `code` (e.g. LimitExceeded.PhoneNumberDailyLimit, InternalError.Timeout). */
    refuse: z.object({ code: z.string().min(1), count: z.number().int().min(0) }),
    delayMs: z.number().int().min(0).max(60_000),
    /** The merchant's SMS package is used up: every send answers FailedOperation.InsufficientBalanceInSmsPackage. */
    quotaExceeded: z.boolean(),
  })
  .partial()
  .strict();
type SmsFaults = { refuse: { code: string; count: number }; delayMs: number; quotaExceeded: boolean };
const noFaults = (): SmsFaults => ({ refuse: { code: 'InternalError.OtherError', count: 0 }, delayMs: 0, quotaExceeded: false });

const sendSchema = z.object({
  PhoneNumberSet: z.array(z.string()).min(1).max(200),
  SmsSdkAppId: z.string(),
  SignName: z.string().optional(),
  TemplateId: z.string(),
  TemplateParamSet: z.array(z.string()).optional(),
});

export function tencentSmsRoutes(keys: SmsSimulatorKeys): Router {
  const router = new Router();
  const messages: SentSms[] = [];
  let faults = noFaults();
  const stats = { requests: 0, refusedSignatures: 0 };

  const error = (ctx: Context, code: string, message: string) => {
    ctx.body = { Response: { Error: { Code: code, Message: message }, RequestId: randomUUID() } };
  };

  router.post('/tencent-sms/', async (ctx) => {
    stats.requests += 1;
    const body = await readText(ctx);
    const headers = Object.fromEntries(Object.entries(ctx.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : value]));
    const problem = tc3Problem({ method: ctx.method, path: ctx.path, query: ctx.querystring, headers, body }, keys, Math.floor(Date.now() / 1000));
    ctx.status = 200;
    if (problem) {
      stats.refusedSignatures += 1;
      return error(ctx, problem, 'The provided credentials could not be validated. Please check your signature is correct.');
    }
    if (ctx.get('x-tc-action') !== 'SendSms') return error(ctx, 'InvalidAction', `The action ${ctx.get('x-tc-action')} is not supported.`);
    if (ctx.get('x-tc-version') !== '2021-01-11') return error(ctx, 'NoSuchVersion', 'The requested version does not exist.');
    if (!ctx.get('x-tc-region')) return error(ctx, 'MissingParameter', 'The request is missing a required parameter `Region`.');
    let input: z.infer<typeof sendSchema>;
    try {
      input = sendSchema.parse(JSON.parse(body));
    } catch (failure) {
      return error(ctx, 'InvalidParameter', `invalid request body: ${(failure as Error).message.slice(0, 200)}`);
    }
    if (input.SmsSdkAppId !== keys.sdkAppId) return error(ctx, 'InvalidParameterValue.SdkAppIdNotExist', 'SdkAppId not exist.');
    if (input.SignName !== keys.signName) return error(ctx, 'FailedOperation.SignatureIncorrectOrUnapproved', 'signature format is incorrect or signature is not approved');
    if (input.TemplateId !== keys.templateId) return error(ctx, 'FailedOperation.TemplateIncorrectOrUnapproved', 'template is not approved or not exist');
    // The dev template: 您的验证码为：{1}，{2}分钟内有效，请勿泄露于他人！
    const params = input.TemplateParamSet ?? [];
    if (params.length !== 2) return error(ctx, 'FailedOperation.TemplateParamSetNotMatchApprovedTemplate', 'request content does not match template content');
    if (faults.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.delayMs));

    const statuses = input.PhoneNumberSet.map((number) => {
      const status = { SerialNo: `2640:${randomBytes(8).toString('hex')}`, PhoneNumber: number, Fee: 1, SessionContext: '', IsoCode: 'CN' };
      const phone = /^(?:\+86|0086|86)?(1[3-9]\d{9})$/.exec(number)?.[1];
      if (!phone) return { ...status, Fee: 0, Code: 'InvalidParameterValue.IncorrectPhoneNumber', Message: 'incorrect phone number' };
      if (faults.quotaExceeded) return { ...status, Fee: 0, Code: 'FailedOperation.InsufficientBalanceInSmsPackage', Message: 'insufficient balance in SMS package' };
      if (faults.refuse.count > 0) {
        faults.refuse.count -= 1;
        return { ...status, Fee: 0, Code: faults.refuse.code, Message: 'refused (simulated fault)' };
      }
      messages.unshift({ phone, code: params[0]!, text: `【${keys.signName}】您的验证码为：${params[0]}，${params[1]}分钟内有效，请勿泄露于他人！`, sentAt: new Date().toISOString(), serialNo: status.SerialNo });
      messages.length = Math.min(messages.length, 500);
      return { ...status, Code: 'Ok', Message: 'send success' };
    });
    ctx.body = { Response: { SendStatusSet: statuses, RequestId: randomUUID() } };
  });

  /** Every message, newest first; `?phone=` narrows to one number (its latest code is `messages[0].code`). */
  router.get('/sim/sms', (ctx) => {
    const phone = typeof ctx.query.phone === 'string' ? ctx.query.phone : null;
    ctx.body = { messages: phone ? messages.filter((message) => message.phone === phone) : messages, faults, ...stats };
  });

  router.post('/sim/sms/faults', async (ctx) => {
    const parsed = faultsSchema.safeParse(JSON.parse((await readText(ctx)) || '{}'));
    if (!parsed.success) {
      ctx.status = 400;
      ctx.body = { code: 'PARAM_ERROR', message: parsed.error.message };
      return;
    }
    faults = { ...faults, ...parsed.data };
    ctx.body = faults;
  });

  router.delete('/sim/sms/faults', (ctx) => {
    faults = noFaults();
    ctx.body = faults;
  });

  /** For a person in development: the codes "sent" to phones, newest first. */
  router.get('/sim/sms/page', (ctx) => {
    const rows = messages
      .map((message) => `<tr><td>${beijing(message.sentAt)}</td><td>${message.phone}</td><td class="code" data-phone="${message.phone}">${message.code}</td><td>${escapeHtml(message.text)}</td></tr>`)
      .join('');
    ctx.type = 'html';
    ctx.body = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta http-equiv="refresh" content="5"><title>短信模拟器</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:16px;color:#222}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:6px 8px;text-align:left;font-size:14px}.code{font:600 20px monospace;letter-spacing:2px;color:#c8102e}</style></head>
<body><h1>短信模拟器（腾讯云短信）</h1><p>开发环境发出的验证码都在这里，不会发到真实手机。每 5 秒刷新。</p>
<table><thead><tr><th>时间（北京）</th><th>手机号</th><th>验证码</th><th>短信内容</th></tr></thead><tbody>${rows || '<tr><td colspan="4">还没有短信</td></tr>'}</tbody></table></body></html>`;
  });

  return router;
}

const beijing = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char]!);
