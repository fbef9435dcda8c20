/**
 * The rest of 小程序发货信息管理服务 beyond the upload: POST /wxa/sec/order/notify_confirm_receive,
 * set_msg_jump_path and is_trade_managed (mounted on the mini-program router, behind its access-token check), and
 * the trade-management message pushes (消息推送) WeChat sends the shop's push URL: trade_manage_order_settlement,
 * trade_manage_remind_shipping, trade_manage_remind_access_api, signed as WeChat signs them, in plain or safe
 * (AES) mode, JSON or XML. /sim/mini-program/… controls: the shopper confirms a receipt in WeChat's component,
 * the push URL is configured, a push is sent.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { SimContext } from '../context';
import type { TransactionRecord } from '../model';
import { readText } from '../http';
import { tradeManagementOf } from '../trade-management-state';

type Guarded = (handler: (ctx: Context, input: unknown) => void) => (ctx: Context) => Promise<void>;

const answer = (ctx: Context, errcode: number, errmsg: string, extra: Record<string, unknown> = {}) => {
  ctx.status = 200;
  ctx.body = { errcode, errmsg, ...extra };
};

const orderKeyShape = z.object({ transaction_id: z.string().optional(), merchant_id: z.string().optional(), merchant_trade_no: z.string().optional() });
const notifyShape = orderKeyShape.extend({ received_time: z.number().int() });

const PUSH_EVENTS = ['trade_manage_order_settlement', 'trade_manage_remind_shipping', 'trade_manage_remind_access_api'] as const;
const pushShape = z
  .object({
    event: z.enum(PUSH_EVENTS),
    transactionId: z.string().optional(),
    /** settlement: 'shipped' (estimated_settlement_time, as pushed when shipping completes) or 'settled'. */
    stage: z.enum(['shipped', 'settled']).default('settled'),
    /** A fixed CreateTime, to send the very same push again (WeChat's retry). */
    createTime: z.number().int().optional(),
  })
  .strict();

function sha1Sorted(...parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

/** Safe mode: AES-256-CBC of random(16) ‖ length ‖ message ‖ appid, PKCS#7 to 32-byte blocks (消息加解密). */
function encryptPush(message: string, encodingAesKey: string, appid: string): string {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([randomBytes(16), length, body, Buffer.from(appid, 'utf8')]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

function toXml(fields: Record<string, string | number>): string {
  const inner = Object.entries(fields)
    .map(([name, value]) => (typeof value === 'number' ? `<${name}>${value}</${name}>` : `<${name}><![CDATA[${value}]]></${name}>`))
    .join('');
  return `<xml>${inner}</xml>`;
}

const serialise = (fields: Record<string, string | number>, format: 'json' | 'xml') => (format === 'json' ? JSON.stringify(fields) : toXml(fields));

export function tradeManagementRoutes(sim: SimContext, router: Router, guarded: Guarded): void {
  const { appid, mchid } = sim.keys.credentials;
  const state = tradeManagementOf(sim);

  function paidTransaction(key: z.infer<typeof orderKeyShape>): TransactionRecord | undefined {
    return Object.values(sim.store.state.transactions).find(
      (tx) => tx.transactionId !== null && (key.transaction_id ? tx.transactionId === key.transaction_id : key.merchant_id === mchid && tx.outTradeNo === key.merchant_trade_no),
    );
  }

  const bad = (ctx: Context) => {
    ctx.status = 400;
    ctx.body = { code: 'PARAM_ERROR' };
  };

  router.post(
    '/wxa/sec/order/notify_confirm_receive',
    guarded((ctx, input) => {
      state.reminderCalls += 1;
      const parsed = notifyShape.safeParse(input);
      if (!parsed.success) return answer(ctx, 47001, 'data format error');
      const key = parsed.data;
      if (!key.transaction_id && !(key.merchant_id && key.merchant_trade_no)) return answer(ctx, 10060014, '参数错误');
      const tx = paidTransaction(key);
      if (!tx?.transactionId) return answer(ctx, 10060001, '支付单不存在');
      // "每个订单仅可调用一次": a repeat is refused (WeChat's table names no code of its own for it; 参数错误 stands in).
      if (state.reminders.has(tx.transactionId)) return answer(ctx, 10060014, '参数错误：该订单已提醒过确认收货');
      const shippedAt = state.shippedAt(tx.transactionId);
      if (!state.isShipped(tx.transactionId) || shippedAt === null) return answer(ctx, 10060004, '支付单处于不可操作的状态');
      // "签收时间必须在发货时间之后"; seconds (a millisecond timestamp is "签收时间不合理").
      const received = key.received_time * 1000;
      if (received < Math.floor(shippedAt / 1000) * 1000 || received > Date.now() + 60_000) return answer(ctx, 10060029, '签收时间不合理');
      state.reminders.set(tx.transactionId, { receivedTime: key.received_time, at: Date.now() });
      answer(ctx, 0, 'ok');
    }),
  );

  router.post(
    '/wxa/sec/order/set_msg_jump_path',
    guarded((ctx, input) => {
      const parsed = z.object({ path: z.string().min(1).max(512) }).safeParse(input);
      if (!parsed.success) return answer(ctx, 47001, 'data format error');
      state.jumpPath = parsed.data.path;
      answer(ctx, 0, 'ok');
    }),
  );

  router.post(
    '/wxa/sec/order/is_trade_managed',
    guarded((ctx, input) => {
      const parsed = z.object({ appid: z.string() }).safeParse(input);
      if (!parsed.success) return answer(ctx, 47001, 'data format error');
      // "非服务商调用时仅能查询本账号".
      if (parsed.data.appid !== appid) return answer(ctx, 10060014, '参数错误');
      answer(ctx, 0, 'ok', { is_trade_managed: state.tradeManaged });
    }),
  );

  router.get('/sim/mini-program/trade', (ctx) => {
    ctx.body = {
      jumpPath: state.jumpPath,
      tradeManaged: state.tradeManaged,
      reminderCalls: state.reminderCalls,
      reminders: Object.fromEntries(state.reminders),
      confirmations: Object.fromEntries(state.confirmations),
      settlements: Object.fromEntries(state.settlements),
      pushConfig: state.pushConfig ? { ...state.pushConfig, token: '***', encodingAesKey: state.pushConfig.encodingAesKey ? '***' : null } : null,
    };
  });

  router.post('/sim/mini-program/trade-managed', async (ctx) => {
    const parsed = z.object({ managed: z.boolean() }).strict().safeParse(JSON.parse((await readText(ctx)) || '{}'));
    if (!parsed.success) return bad(ctx);
    state.tradeManaged = parsed.data.managed;
    ctx.body = { tradeManaged: state.tradeManaged };
  });

  /** The shopper confirms receipt in WeChat's component (待收货 only, by the payer, as the component checks). */
  router.post('/sim/mini-program/receipt', async (ctx) => {
    const parsed = z.object({ transactionId: z.string(), method: z.enum(['manual', 'auto']).default('manual') }).strict().safeParse(JSON.parse((await readText(ctx)) || '{}'));
    if (!parsed.success) return bad(ctx);
    if (!state.isShipped(parsed.data.transactionId)) {
      ctx.status = 409;
      ctx.body = { code: 'NOT_SHIPPED', message: 'the component confirms only a shipped order (status: cancel)' };
      return;
    }
    if (!state.confirmations.has(parsed.data.transactionId)) state.confirmations.set(parsed.data.transactionId, { at: Date.now(), method: parsed.data.method === 'auto' ? 1 : 2 });
    ctx.body = { status: 'success', req_extradata: { transaction_id: parsed.data.transactionId } };
  });

  /** 消息推送配置: URL, Token, EncodingAESKey (set: safe mode) and 数据格式. */
  router.post('/sim/mini-program/push-config', async (ctx) => {
    const parsed = z
      .object({ url: z.url(), token: z.string().min(3), encodingAesKey: z.string().length(43).nullable().default(null), format: z.enum(['json', 'xml']).default('json') })
      .strict()
      .safeParse(JSON.parse((await readText(ctx)) || '{}'));
    if (!parsed.success) return bad(ctx);
    state.pushConfig = parsed.data;
    ctx.body = { ok: true };
  });

  /** Sends one push to the configured URL, signed (and in safe mode encrypted) as WeChat does; answers what came back. */
  router.post('/sim/mini-program/push', async (ctx) => {
    const parsed = pushShape.safeParse(JSON.parse((await readText(ctx)) || '{}'));
    const config = state.pushConfig;
    if (!parsed.success || !config) return bad(ctx);
    const { event, transactionId, stage } = parsed.data;
    const tx = transactionId ? paidTransaction({ transaction_id: transactionId }) : undefined;
    if (event !== 'trade_manage_remind_access_api' && !tx?.transactionId) return bad(ctx);
    const now = Math.floor(Date.now() / 1000);
    const createTime = parsed.data.createTime ?? now;
    const fields: Record<string, string | number> = { ToUserName: 'gh_simulator00', FromUserName: 'o_wechat_platform', CreateTime: createTime, MsgType: 'event', Event: event };
    if (tx?.transactionId) {
      Object.assign(fields, {
        transaction_id: tx.transactionId,
        merchant_id: tx.mchid,
        sub_merchant_id: '',
        merchant_trade_no: tx.outTradeNo,
        pay_time: Math.floor((tx.successTime ?? tx.createdAt) / 1000),
      });
    }
    if (event === 'trade_manage_order_settlement' && tx?.transactionId) {
      const shippedAt = state.shippedAt(tx.transactionId);
      fields.shipped_time = shippedAt ? Math.floor(shippedAt / 1000) : now;
      if (stage === 'shipped') fields.estimated_settlement_time = now + 10 * 86_400;
      else {
        // Settling confirms the receipt if the shopper did not (自动确认收货 after WeChat's waiting period).
        const confirmation = state.confirmations.get(tx.transactionId) ?? { at: Date.now(), method: 1 as const };
        state.confirmations.set(tx.transactionId, confirmation);
        if (!state.settlements.has(tx.transactionId)) state.settlements.set(tx.transactionId, createTime * 1000);
        Object.assign(fields, { confirm_receive_method: confirmation.method, confirm_receive_time: Math.floor(confirmation.at / 1000), settlement_time: Math.floor(state.settlements.get(tx.transactionId)! / 1000) });
      }
    } else if (event === 'trade_manage_remind_shipping') {
      fields.msg = '你好，你有一笔订单已超过 48 小时未录入发货信息，请尽快录入，以免影响资金结算。';
    } else if (event === 'trade_manage_remind_access_api') {
      fields.msg = `你好，你的小程序 ${appid} 尚未完成发货信息管理服务 API 的接入，请尽快接入。`;
    }
    const timestamp = String(now);
    const nonce = String(randomBytes(4).readUInt32BE());
    const query = new URLSearchParams({ signature: sha1Sorted(config.token, timestamp, nonce), timestamp, nonce });
    let body = serialise(fields, config.format);
    if (config.encodingAesKey) {
      const encrypt = encryptPush(body, config.encodingAesKey, appid);
      query.set('encrypt_type', 'aes');
      query.set('msg_signature', sha1Sorted(config.token, timestamp, nonce, encrypt));
      body = serialise({ ToUserName: 'gh_simulator00', Encrypt: encrypt }, config.format);
    }
    const url = new URL(config.url);
    url.search = query.toString();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': config.format === 'json' ? 'application/json' : 'text/xml' },
      body,
      signal: AbortSignal.timeout(5_000),
    });
    ctx.body = { status: response.status, body: await response.text(), createTime };
  });
}
