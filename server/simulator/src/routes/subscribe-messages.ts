/**
 * Subscribe messages (订阅消息) on api.weixin.qq.com: POST /cgi-bin/message/subscribe/send and GET
 * /wxaapi/newtmpl/gettemplate, answered as WeChat does (HTTP 200, `{errcode, errmsg}`), on the access token of
 * routes/mini-program.ts. A one-time grant (一次性订阅) is one message: the shopper's grants per template are
 * counted here, given by /sim/subscribe-messages/grants (what WeChat records when the shopper taps 允许), and
 * each send spends one; without one the answer is 43101. /sim/subscribe-messages shows every send with the
 * time it arrived, so tests judge pacing from here.
 *
 * Errors (sendMessage's error table): 40003 touser 字段 openid 为空或者不正确, 40037 订阅模板 id 为空不正确,
 * 43101 用户拒绝接受消息, 47003 模板参数不准确, 41030 page 路径不正确, 45011 API minute-quota reach limit.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { SimContext } from '../context';
import { readText } from '../http';

/** The templates a fresh simulator has, so the dev shop can send without setup (server/dev sets NOTIFY_TEMPLATE_* to these). */
export const DEV_SUBSCRIBE_TEMPLATES = {
  dropOpening: { id: 'SimDropOpening_1111111111111111111111111111', title: '开售提醒', content: '商品名称:{{thing1.DATA}}\n开售时间:{{time2.DATA}}\n温馨提示:{{thing3.DATA}}\n' },
  orderShipped: {
    id: 'SimOrderShipped_222222222222222222222222222',
    title: '订单发货通知',
    content: '订单号:{{character_string1.DATA}}\n商品名称:{{thing2.DATA}}\n快递公司:{{thing3.DATA}}\n快递单号:{{character_string4.DATA}}\n发货时间:{{time5.DATA}}\n',
  },
  refundSucceeded: { id: 'SimRefundSucceeded_3333333333333333333333333', title: '退款成功通知', content: '订单号:{{character_string1.DATA}}\n退款金额:{{amount2.DATA}}\n退款原因:{{thing3.DATA}}\n退款时间:{{time4.DATA}}\n' },
  serviceUpdate: { id: 'SimServiceUpdate_44444444444444444444444444', title: '售后服务进度通知', content: '服务类型:{{thing1.DATA}}\n处理状态:{{phrase2.DATA}}\n处理说明:{{thing3.DATA}}\n更新时间:{{time4.DATA}}\n' },
} as const;

interface Template {
  title: string;
  content: string;
  /** 2 一次性订阅, 3 长期订阅. */
  type: number;
}

interface SendRecord {
  /** When the request arrived (epoch ms): pacing is judged from these. */
  at: number;
  touser: string;
  templateId: string;
  page: string | null;
  data: Record<string, { value: string }>;
  miniprogramState: string | null;
  errcode: number;
}

const sendShape = z.object({
  touser: z.string(),
  template_id: z.string(),
  page: z.string().optional(),
  data: z.record(z.string(), z.object({ value: z.string() })),
  miniprogram_state: z.enum(['developer', 'trial', 'formal']).optional(),
  lang: z.enum(['zh_CN', 'en_US', 'zh_HK', 'zh_TW']).optional(),
});

/** 参数值内容限制: what each keyword type accepts. */
const VALUE_RULES: Record<string, (value: string) => boolean> = {
  thing: (value) => [...value].length <= 20,
  number: (value) => /^\d+(\.\d+)?$/.test(value) && value.length <= 32,
  letter: (value) => /^[A-Za-z]{1,32}$/.test(value),
  symbol: (value) => [...value].length <= 5,
  character_string: (value) => /^[\x21-\x7e]{1,32}$/.test(value),
  time: (value) => /^(\d{4}年\d{1,2}月\d{1,2}日 ?)?\d{1,2}:\d{2}(:\d{2})?/.test(value) || /^\d{4}-\d{1,2}-\d{1,2}( \d{1,2}:\d{2}(:\d{2})?)?$/.test(value),
  date: (value) => /^\d{4}年\d{1,2}月\d{1,2}日( \d{1,2}:\d{2})?/.test(value) || /^\d{4}-\d{1,2}-\d{1,2}( \d{1,2}:\d{2}(:\d{2})?)?$/.test(value),
  amount: (value) => /^[¥$€£]?\d{1,10}(\.\d{1,2})?元?$/.test(value),
  phone_number: (value) => /^[\d+\-() ]{1,17}$/.test(value),
  car_number: (value) => [...value].length <= 8,
  name: (value) => [...value].length <= 20,
  phrase: (value) => /^\p{Script=Han}{1,5}$/u.test(value),
};

const answer = (ctx: Context, errcode: number, errmsg: string, extra: Record<string, unknown> = {}) => {
  ctx.status = 200;
  ctx.body = { errcode, errmsg, ...extra };
};

function keysOf(template: Template): string[] {
  return [...template.content.matchAll(/\{\{([a-z_]+\d+)\.DATA\}\}/g)].map((match) => match[1]!);
}

/** The first problem of the data against the template, in WeChat's words (argument invalid! data.thing1.value …). */
function dataProblem(template: Template, data: Record<string, { value: string }>): string | null {
  const keys = keysOf(template);
  for (const key of keys) {
    const value = data[key]?.value;
    if (value === undefined || value === '') return `argument invalid! data.${key}.value is empty`;
    const rule = VALUE_RULES[key.replace(/\d+$/, '')];
    if (rule && !rule(value)) return `argument invalid! data.${key}.value invalid`;
  }
  const unknown = Object.keys(data).find((key) => !keys.includes(key));
  return unknown ? `argument invalid! data.${unknown} not in template` : null;
}

export function subscribeMessageRoutes(sim: SimContext): Router {
  const router = new Router();
  const templates = new Map<string, Template>(Object.values(DEV_SUBSCRIBE_TEMPLATES).map((template) => [template.id, { title: template.title, content: template.content, type: 2 }]));
  /** `${openid} ${templateId}` → one-time grants not yet spent. */
  const grants = new Map<string, number>();
  const sends: SendRecord[] = [];
  const faults = { failNext: 0, errcode: -1 };
  /** Sends per rolling second before 45011; 0: no limit. */
  const limits = { perSecond: 0 };

  async function body(ctx: Context): Promise<unknown> {
    try {
      return JSON.parse(await readText(ctx)) as unknown;
    } catch {
      return undefined;
    }
  }

  function tokenProblem(ctx: Context): readonly [number, string] | null {
    if (!sim.accessTokenProblem) throw new Error('routes/mini-program.ts must be registered before subscribe messages');
    return sim.accessTokenProblem(ctx);
  }

  router.post('/cgi-bin/message/subscribe/send', async (ctx) => {
    const input = await body(ctx);
    const problem = tokenProblem(ctx);
    if (problem) return answer(ctx, ...problem);
    const at = Date.now();
    const parsed = sendShape.safeParse(input);
    const record = (errcode: number) => {
      if (parsed.success) {
        const { touser, template_id, page, data, miniprogram_state } = parsed.data;
        sends.push({ at, touser, templateId: template_id, page: page ?? null, data, miniprogramState: miniprogram_state ?? null, errcode });
      }
    };
    if (!parsed.success) return answer(ctx, 47001, 'data format error');
    const { touser, template_id: templateId, page, data } = parsed.data;
    if (faults.failNext > 0) {
      faults.failNext -= 1;
      record(faults.errcode);
      return answer(ctx, faults.errcode, 'system error (simulated fault)');
    }
    if (limits.perSecond > 0 && sends.filter((send) => send.errcode === 0 && send.at > at - 1000).length >= limits.perSecond) {
      record(45011);
      return answer(ctx, 45011, 'api minute-quota reach limit  mustslower  retry next minute');
    }
    if (!/^o[A-Za-z0-9_-]{20,40}$/.test(touser)) {
      record(40003);
      return answer(ctx, 40003, 'invalid openid');
    }
    const template = templates.get(templateId);
    if (!template) {
      record(40037);
      return answer(ctx, 40037, 'invalid template id');
    }
    // A page is a path inside the package: no leading slash, no scheme.
    if (page !== undefined && (page.startsWith('/') || /^[a-z]+:/i.test(page))) {
      record(41030);
      return answer(ctx, 41030, 'invalid page');
    }
    const invalid = dataProblem(template, data);
    if (invalid) {
      record(47003);
      return answer(ctx, 47003, invalid);
    }
    const key = `${touser} ${templateId}`;
    const left = grants.get(key) ?? 0;
    if (left <= 0) {
      record(43101);
      return answer(ctx, 43101, 'user refuse to accept the msg');
    }
    grants.set(key, left - 1);
    record(0);
    answer(ctx, 0, 'ok', { msgid: at * 1000 + sends.length });
  });

  router.get('/wxaapi/newtmpl/gettemplate', (ctx) => {
    const problem = tokenProblem(ctx);
    if (problem) return answer(ctx, ...problem);
    answer(ctx, 0, 'ok', {
      data: [...templates.entries()].map(([priTmplId, template]) => ({ priTmplId, title: template.title, content: template.content, example: '', type: template.type })),
    });
  });

  router.get('/sim/subscribe-messages', (ctx) => {
    ctx.body = { sends, grants: Object.fromEntries(grants), templates: Object.fromEntries(templates), faults, limits };
  });

  /** The shopper tapped 允许 for these templates: each count is one more message the shop may send them. */
  router.post('/sim/subscribe-messages/grants', async (ctx) => {
    const parsed = z.object({ openid: z.string().min(1), templateIds: z.array(z.string()).min(1), count: z.number().int().min(1).default(1) }).strict().safeParse(await body(ctx));
    if (!parsed.success) return badRequest(ctx, parsed.error.message);
    for (const templateId of parsed.data.templateIds) {
      const key = `${parsed.data.openid} ${templateId}`;
      grants.set(key, (grants.get(key) ?? 0) + parsed.data.count);
    }
    ctx.body = { ok: true };
  });

  /** The shopper turned the messages off (设置 → 通知管理): every grant they had for the template is gone. */
  router.post('/sim/subscribe-messages/unsubscribe', async (ctx) => {
    const parsed = z.object({ openid: z.string().min(1), templateId: z.string() }).strict().safeParse(await body(ctx));
    if (!parsed.success) return badRequest(ctx, parsed.error.message);
    grants.delete(`${parsed.data.openid} ${parsed.data.templateId}`);
    ctx.body = { ok: true };
  });

  /** Adds a template to the account (the merchant picked it from 公共模板库), or replaces one. */
  router.post('/sim/subscribe-messages/templates', async (ctx) => {
    const parsed = z.object({ id: z.string().min(1), title: z.string().min(1), content: z.string().min(1), type: z.number().int().default(2) }).strict().safeParse(await body(ctx));
    if (!parsed.success) return badRequest(ctx, parsed.error.message);
    templates.set(parsed.data.id, { title: parsed.data.title, content: parsed.data.content, type: parsed.data.type });
    ctx.body = { ok: true };
  });

  /** The merchant deleted the template (or WeChat withdrew it): sends with its id answer 40037. */
  router.post('/sim/subscribe-messages/templates/revoke', async (ctx) => {
    const parsed = z.object({ id: z.string().min(1) }).strict().safeParse(await body(ctx));
    if (!parsed.success) return badRequest(ctx, parsed.error.message);
    ctx.body = { removed: templates.delete(parsed.data.id) };
  });

  /** The next `failNext` sends answer `errcode` (default -1 系统繁忙), whatever they carry. */
  router.post('/sim/subscribe-messages/faults', async (ctx) => {
    const parsed = z.object({ failNext: z.number().int().min(0), errcode: z.number().int().default(-1) }).strict().safeParse(await body(ctx));
    if (!parsed.success) return badRequest(ctx, parsed.error.message);
    Object.assign(faults, parsed.data);
    ctx.body = faults;
  });

  /** WeChat's frequency limit: more than `perSecond` accepted sends within a second answer 45011 (0: none). */
  router.post('/sim/subscribe-messages/limits', async (ctx) => {
    const parsed = z.object({ perSecond: z.number().int().min(0) }).strict().safeParse(await body(ctx));
    if (!parsed.success) return badRequest(ctx, parsed.error.message);
    Object.assign(limits, parsed.data);
    ctx.body = limits;
  });

  return router;
}

function badRequest(ctx: Context, message: string): void {
  ctx.status = 400;
  ctx.body = { code: 'PARAM_ERROR', message };
}
