/**
 * The mini-program platform on api.weixin.qq.com: POST /cgi-bin/stable_token and the shipping-info service
 * (小程序发货信息管理服务) POST /wxa/sec/order/upload_shipping_info and /wxa/sec/order/get_order. Answers are
 * HTTP 200 with `{errcode, errmsg}` as WeChat's, with its error codes. /sim/mini-program… controls inspect the
 * state, make calls fail and expire or replace the access token. State is in memory only.
 */
import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { SimContext } from '../context';
import type { TransactionRecord } from '../model';
import { readText } from '../http';
import { parseRfc3339 } from '../time';

const TOKEN_LIFETIME_S = 7200;
/**
 * One completed delivery, then one re-upload (重新发货) per transaction; a third is refused. In split delivery
 * (delivery_mode 2) the parcels before the one marked is_all_delivered do not count: they are one delivery.
 */
const MAX_UPLOADS = 2;

const orderKeySchema = z.union([
  z.object({ order_number_type: z.literal(1), mchid: z.string().min(1), out_trade_no: z.string().min(1) }),
  z.object({ order_number_type: z.literal(2), transaction_id: z.string().min(1) }),
]);

const uploadSchema = z
  .object({
    order_key: orderKeySchema,
    logistics_type: z.number().int().min(1).max(4),
    delivery_mode: z.number().int().min(1).max(2),
    is_all_delivered: z.boolean().optional(),
    shipping_list: z
      .array(
        z.object({
          tracking_no: z.string().min(1).max(128).optional(),
          express_company: z.string().min(1).max(128).optional(),
          item_desc: z.string().min(1).max(120),
          contact: z.object({ consignor_contact: z.string().optional(), receiver_contact: z.string().optional() }).optional(),
        }),
      )
      .min(1)
      .max(15),
    upload_time: z.string().refine((value) => parseRfc3339(value) !== null),
    payer: z.object({ openid: z.string().min(1) }),
  })
  // Express delivery needs a tracking number and carrier; SF (顺丰) also a contact whose last four digits are clear.
  .refine((body) => body.logistics_type !== 1 || body.shipping_list.every((item) => item.tracking_no && item.express_company))
  .refine((body) => body.shipping_list.every((item) => item.express_company !== 'SF' || /\d{4}$/.test(item.contact?.receiver_contact ?? item.contact?.consignor_contact ?? '')));

const getOrderSchema = z.union([
  z.object({ transaction_id: z.string().min(1) }),
  z.object({ merchant_id: z.string().min(1), merchant_trade_no: z.string().min(1) }),
]);

interface Shipment {
  uploads: number;
  /** False while a split delivery still has parcels to come. */
  allDelivered: boolean;
  logisticsType: number;
  deliveryMode: number;
  items: Array<{ tracking_no?: string; express_company?: string; item_desc: string }>;
  uploadTime: number;
}

const answer = (ctx: Context, errcode: number, errmsg: string, extra: Record<string, unknown> = {}) => {
  ctx.status = 200;
  ctx.body = { errcode, errmsg, ...extra };
};

export function miniProgramRoutes(sim: SimContext): Router {
  const router = new Router();
  const { appid, appSecret, mchid } = sim.keys.credentials;
  let current: { token: string; expiresAt: number; revoked: boolean } | null = null;
  const retired = new Set<string>();
  const shipments = new Map<string, Shipment>();
  const stats = { tokenFetches: 0, forcedRefreshes: 0, uploads: 0 };
  const faults = { failNext: 0, errcode: -1 };

  function issueToken(): { token: string; expiresAt: number } {
    if (current) retired.add(current.token);
    current = { token: `sim_${randomBytes(24).toString('base64url')}`, expiresAt: Date.now() + TOKEN_LIFETIME_S * 1000, revoked: false };
    return current;
  }

  async function body(ctx: Context): Promise<unknown> {
    try {
      return JSON.parse(await readText(ctx)) as unknown;
    } catch {
      return undefined;
    }
  }

  /** The errcode the token in the query earns, or null when it may call. */
  function tokenProblem(ctx: Context): [number, string] | null {
    const token = typeof ctx.query.access_token === 'string' ? ctx.query.access_token : '';
    if (!token) return [41001, 'access_token missing'];
    if (current?.token === token) {
      if (current.revoked) return [40001, 'invalid credential, access_token is invalid or not latest'];
      return current.expiresAt > Date.now() ? null : [42001, 'access_token expired'];
    }
    return [40001, retired.has(token) ? 'invalid credential, access_token is invalid or not latest' : 'invalid credential'];
  }

  function guarded(handler: (ctx: Context, input: unknown) => void) {
    return async (ctx: Context) => {
      const input = await body(ctx);
      const problem = tokenProblem(ctx);
      if (problem) return answer(ctx, ...problem);
      if (faults.failNext > 0) {
        faults.failNext -= 1;
        return answer(ctx, faults.errcode, 'system error (simulated fault)');
      }
      handler(ctx, input);
    };
  }

  function refundedFen(outTradeNo: string): number {
    return Object.values(sim.store.state.refunds)
      .filter((refund) => refund.outTradeNo === outTradeNo && refund.status !== 'CLOSED' && refund.status !== 'ABNORMAL')
      .reduce((sum, refund) => sum + refund.refund, 0);
  }

  function paidTransaction(match: (tx: TransactionRecord) => boolean): TransactionRecord | undefined {
    return Object.values(sim.store.state.transactions).find((tx) => tx.transactionId !== null && match(tx));
  }

  router.post('/cgi-bin/stable_token', async (ctx) => {
    const input = (await body(ctx)) as { grant_type?: unknown; appid?: unknown; secret?: unknown; force_refresh?: unknown } | undefined;
    if (input?.grant_type !== 'client_credential') return answer(ctx, 40002, 'invalid grant_type');
    if (input.appid !== appid) return answer(ctx, 40013, 'invalid appid');
    if (input.secret !== appSecret) return answer(ctx, 40125, 'invalid appsecret');
    stats.tokenFetches += 1;
    const force = input.force_refresh === true;
    if (force) stats.forcedRefreshes += 1;
    const token = !force && current && current.expiresAt > Date.now() ? current : issueToken();
    ctx.body = { access_token: token.token, expires_in: Math.floor((token.expiresAt - Date.now()) / 1000) };
  });

  router.post(
    '/wxa/sec/order/upload_shipping_info',
    guarded((ctx, input) => {
      const parsed = uploadSchema.safeParse(input);
      if (!parsed.success) return answer(ctx, 47001, 'data format error');
      const upload = parsed.data;
      const key = upload.order_key;
      const tx = paidTransaction((t) => (key.order_number_type === 1 ? key.mchid === mchid && t.outTradeNo === key.out_trade_no : t.transactionId === key.transaction_id));
      if (!tx?.transactionId) return answer(ctx, 10060001, '支付单不存在');
      // A partly refunded transaction still ships the rest; a wholly refunded one has nothing left to ship.
      if (tx.tradeState !== 'SUCCESS' && (tx.tradeState !== 'REFUND' || refundedFen(tx.outTradeNo) >= tx.total)) return answer(ctx, 10060004, '支付单处于不可发货的状态');
      if (tx.payerOpenid !== upload.payer.openid) return answer(ctx, 10060031, '该笔支付单不属于 openid 所指定的用户');
      const previous = shipments.get(tx.transactionId);
      if (previous && previous.allDelivered && previous.uploads >= MAX_UPLOADS) return answer(ctx, 10060003, '支付单已使用重新发货机会');
      const anotherParcel = upload.delivery_mode === 2 && previous !== undefined && !previous.allDelivered;
      const allDelivered = upload.delivery_mode === 1 || upload.is_all_delivered === true;
      shipments.set(tx.transactionId, {
        uploads: anotherParcel ? previous.uploads : (previous?.uploads ?? 0) + 1,
        allDelivered,
        logisticsType: upload.logistics_type,
        deliveryMode: upload.delivery_mode,
        items: anotherParcel ? [...previous.items, ...upload.shipping_list] : upload.shipping_list,
        uploadTime: parseRfc3339(upload.upload_time)!,
      });
      stats.uploads += 1;
      answer(ctx, 0, 'ok');
    }),
  );

  router.post(
    '/wxa/sec/order/get_order',
    guarded((ctx, input) => {
      const parsed = getOrderSchema.safeParse(input);
      if (!parsed.success) return answer(ctx, 47001, 'data format error');
      const key = parsed.data;
      const tx = paidTransaction((t) => ('transaction_id' in key ? t.transactionId === key.transaction_id : key.merchant_id === mchid && t.outTradeNo === key.merchant_trade_no));
      if (!tx?.transactionId) return answer(ctx, 10060001, '支付单不存在');
      const shipment = shipments.get(tx.transactionId);
      answer(ctx, 0, 'ok', {
        order: {
          transaction_id: tx.transactionId,
          merchant_id: tx.mchid,
          merchant_trade_no: tx.outTradeNo,
          description: tx.description,
          paid_amount: tx.total,
          openid: tx.payerOpenid ?? '',
          trade_create_time: Math.floor(tx.createdAt / 1000),
          pay_time: Math.floor((tx.successTime ?? tx.createdAt) / 1000),
          // 1 待发货, 2 已发货, 5 已退款 (all of it: a partly refunded transaction still ships).
          order_state: tx.tradeState === 'REFUND' && refundedFen(tx.outTradeNo) >= tx.total ? 5 : shipment?.allDelivered ? 2 : 1,
          in_complaint: false,
          shipping: shipment
            ? {
                delivery_mode: shipment.deliveryMode,
                logistics_type: shipment.logisticsType,
                finish_shipping: shipment.allDelivered,
                goods_desc: shipment.items.map((item) => item.item_desc).join(';'),
                finish_shipping_count: shipment.uploads,
                shipping_list: shipment.items.map((item) => ({
                  tracking_no: item.tracking_no ?? '',
                  express_company: item.express_company ?? '',
                  upload_time: Math.floor(shipment.uploadTime / 1000),
                })),
              }
            : undefined,
        },
      });
    }),
  );

  router.get('/sim/mini-program', (ctx) => {
    ctx.body = { ...stats, currentToken: current?.token ?? null, shipments: Object.fromEntries(shipments), faults };
  });

  router.post('/sim/mini-program/faults', async (ctx) => {
    const parsed = z.object({ failNext: z.number().int().min(0), errcode: z.number().int().default(-1) }).strict().safeParse(await body(ctx));
    if (!parsed.success) {
      ctx.status = 400;
      ctx.body = { code: 'PARAM_ERROR', message: parsed.error.message };
      return;
    }
    Object.assign(faults, parsed.data);
    ctx.body = faults;
  });

  /** The current token stops working (42001) as if its two hours were up. */
  router.post('/sim/mini-program/expire-token', (ctx) => {
    if (current) current.expiresAt = Date.now() - 1;
    ctx.body = { ok: true };
  });

  /**
   * The current token answers 40001 while stable_token (without force_refresh) keeps handing it out, so only a
   * forced refresh gets a working one.
   */
  router.post('/sim/mini-program/revoke-token', (ctx) => {
    if (current) current.revoked = true;
    ctx.body = { ok: true };
  });

  /** Someone else force-refreshed: a new token is current and the old one answers 40001. */
  router.post('/sim/mini-program/replace-token', (ctx) => {
    ctx.body = { token: issueToken().token };
  });

  return router;
}
