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
import { receiptOrderState, tradeManagementOf } from '../trade-management-state';
import { tradeManagementRoutes } from './trade-management';

const TOKEN_LIFETIME_S = 7200;
/**
 * getStableAccessToken (https://developers.weixin.qq.com/minigame/dev/api-backend/open-api/access-token/auth.getStableAccessToken.html):
 * "在普通模式调用下，平台会提前 5 分钟更新 access_token … 平台会保证在 5 分钟内，新旧 access_token 都可用 … expires_in >= 300";
 * "连续使用该模式（强制刷新）时，请保证调用时间隔至少为 30s，否则不会刷新".
 */
const RENEW_BEFORE_MS = 300_000;
const FORCED_REFRESH_GAP_MS = 30_000;

/**
 * The errors of 发货信息录入 (upload_shipping_info) and 查询订单发货状态 (get_order), from the error tables of
 * https://developers.weixin.qq.com/miniprogram/dev/platform-capabilities/business-capabilities/order-shipping/order-shipping.html
 * (47001 "data format error" is the platform's answer to a body whose fields have the wrong JSON types).
 */
const E = {
  dataFormat: [47001, 'data format error'],
  notFound: [10060001, '支付单不存在'],
  reshipUsed: [10060003, '支付单已使用重新发货机会'],
  notShippable: [10060004, '支付单处于不可发货的状态'],
  logisticsType: [10060005, '物流类型有误'],
  splitNotExpress: [10060006, '非快递发货时不允许分拆发货'],
  splitNeedsAllDelivered: [10060007, '分拆发货模式下必须填写 is_all_delivered 字段'],
  itemDescEmpty: [10060008, '商品描述 item_desc 字段不能为空'],
  itemDescLong: [10060009, '商品描述 item_desc 字段太长'],
  param: [10060014, '参数错误'],
  unchanged: [10060023, '发货信息未更新'],
  listLong: [10060024, '物流信息列表太长'],
  companyLong: [10060025, '物流公司编码太长'],
  trackingLong: [10060026, '物流单号太长'],
  notPayer: [10060031, '该笔支付单不属于 openid 所指定的用户'],
  orderNumberType: [268485194, '订单单号类型非法'],
  noTransactionId: [268485195, '微信支付单号形式下 transaction_id 字段不能为空'],
  noMchid: [268485196, '商户侧单号形式下 mchid 字段不能为空'],
  noOutTradeNo: [268485197, '商户侧单号形式下 out_trade_no 字段不能为空'],
  uploadTime: [268485216, '上传时间非法，请按照 RFC 3339 格式填写'],
  deliveryMode: [268485224, '发货模式非法'],
  unifiedOneParcel: [268485228, '统一发货模式下，物流信息列表长度必须为 1'],
  noTrackingNo: [268485226, '物流单号不能为空'],
  noCompany: [268485227, '物流公司编码不能为空'],
} as const satisfies Record<string, readonly [number, string]>;
type Refusal = readonly [number, string];

/**
 * 发货信息录入's notes: "分拆发货仅支持使用物流快递发货，一笔支付单最多分拆成 15 个包裹" (shipping_list 多重性 [1, 15]);
 * item_desc at most 120 characters; tracking_no and express_company [1, 128] bytes.
 */
const MAX_PARCELS = 15;
const ITEM_DESC_MAX = 120;
const CODE_MAX_BYTES = 128;

const uploadShape = z.object({
  order_key: z.object({
    order_number_type: z.number().int(),
    transaction_id: z.string().optional(),
    mchid: z.string().optional(),
    out_trade_no: z.string().optional(),
  }),
  logistics_type: z.number().int(),
  delivery_mode: z.number().int(),
  is_all_delivered: z.boolean().optional(),
  shipping_list: z.array(
    z.object({
      tracking_no: z.string().optional(),
      express_company: z.string().optional(),
      item_desc: z.string().optional(),
      contact: z.object({ consignor_contact: z.string().optional(), receiver_contact: z.string().optional() }).optional(),
    }),
  ),
  upload_time: z.string(),
  payer: z.object({ openid: z.string().min(1) }),
});
type Upload = z.infer<typeof uploadShape>;

/** The documented rules beyond JSON types, each with its own errcode; null when the upload may go ahead. */
function uploadRefusal(upload: Upload): Refusal | null {
  const key = upload.order_key;
  if (key.order_number_type !== 1 && key.order_number_type !== 2) return E.orderNumberType;
  if (key.order_number_type === 2 && !key.transaction_id) return E.noTransactionId;
  if (key.order_number_type === 1 && !key.mchid) return E.noMchid;
  if (key.order_number_type === 1 && !key.out_trade_no) return E.noOutTradeNo;
  // logistics_type: 1 实体物流配送, 2 同城配送, 3 虚拟商品, 4 用户自提; delivery_mode: 1 统一发货, 2 分拆发货.
  if (![1, 2, 3, 4].includes(upload.logistics_type)) return E.logisticsType;
  if (upload.delivery_mode !== 1 && upload.delivery_mode !== 2) return E.deliveryMode;
  if (parseRfc3339(upload.upload_time) === null) return E.uploadTime;
  if (upload.shipping_list.length === 0) return E.param;
  if (upload.shipping_list.length > MAX_PARCELS) return E.listLong;
  // "统一发货（枚举值1），一笔订单统一发货，只有一个物流单号".
  if (upload.delivery_mode === 1 && upload.shipping_list.length !== 1) return E.unifiedOneParcel;
  if (upload.delivery_mode === 2 && upload.logistics_type !== 1) return E.splitNotExpress;
  // is_all_delivered: "分拆发货模式时必填".
  if (upload.delivery_mode === 2 && upload.is_all_delivered === undefined) return E.splitNeedsAllDelivered;
  for (const item of upload.shipping_list) {
    if (!item.item_desc) return E.itemDescEmpty;
    if ([...item.item_desc].length > ITEM_DESC_MAX) return E.itemDescLong;
    // tracking_no, express_company: "物流快递发货时必填".
    if (upload.logistics_type === 1 && !item.tracking_no) return E.noTrackingNo;
    if (upload.logistics_type === 1 && !item.express_company) return E.noCompany;
    if (Buffer.byteLength(item.express_company ?? '') > CODE_MAX_BYTES) return E.companyLong;
    if (Buffer.byteLength(item.tracking_no ?? '') > CODE_MAX_BYTES) return E.trackingLong;
    // contact: "顺丰必须填写" one of the two, masked but for its last four digits. No own errcode: 参数错误.
    if (item.express_company === 'SF' && !/\d{4}$/.test(item.contact?.receiver_contact ?? item.contact?.consignor_contact ?? '')) return E.param;
  }
  return null;
}

const getOrderShape = z.object({ transaction_id: z.string().optional(), merchant_id: z.string().optional(), merchant_trade_no: z.string().optional() });

interface Parcel {
  tracking_no: string;
  express_company: string;
  item_desc: string;
  contact?: { consignor_contact?: string; receiver_contact?: string };
  /** When this parcel's upload said it was sent (epoch ms). */
  uploadTime: number;
}

interface Shipment {
  /** 1 for the first delivery, 2 after the one re-shipment (重新发货) each transaction has. */
  deliveries: number;
  /** False while a split delivery still has parcels to come. */
  allDelivered: boolean;
  logisticsType: number;
  deliveryMode: number;
  items: Parcel[];
  /** The newest upload_time accepted: "如果要更新物流信息，上传时间必须比之前的请求更新". */
  lastUploadTime: number;
}

const answer = (ctx: Context, errcode: number, errmsg: string, extra: Record<string, unknown> = {}) => {
  ctx.status = 200;
  ctx.body = { errcode, errmsg, ...extra };
};

export function miniProgramRoutes(sim: SimContext): Router {
  const router = new Router();
  const { appid, appSecret, mchid } = sim.keys.credentials;
  let current: { token: string; expiresAt: number; revoked: boolean } | null = null;
  /** The token renewed in its last five minutes: it keeps working until its own expiry. */
  let renewed: { token: string; expiresAt: number } | null = null;
  let lastForcedAt = -Infinity;
  const retired = new Set<string>();
  const shipments = new Map<string, Shipment>();
  const stats = { tokenFetches: 0, forcedRefreshes: 0, uploads: 0 };
  const faults = { failNext: 0, errcode: -1 };

  /** A new current token; `overlap` keeps the old one valid until it expires (renewal), otherwise it stops at once. */
  function issueToken(overlap: boolean): { token: string; expiresAt: number } {
    if (renewed) retired.add(renewed.token);
    renewed = null;
    if (current) {
      if (overlap && !current.revoked && current.expiresAt > Date.now()) renewed = { token: current.token, expiresAt: current.expiresAt };
      else retired.add(current.token);
    }
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
    if (renewed?.token === token) return renewed.expiresAt > Date.now() ? null : [42001, 'access_token expired'];
    return [40001, retired.has(token) ? 'invalid credential, access_token is invalid or not latest' : 'invalid credential'];
  }

  // Other api.weixin.qq.com routes (subscribe messages) take the same token.
  sim.accessTokenProblem = tokenProblem;

  function guarded(handler: (ctx: Context, input: unknown) => void) {
    return async (ctx: Context) => {
      const input = await body(ctx);
      const problem = tokenProblem(ctx);
      if (problem) return answer(ctx, ...problem);
      if (faults.failNext > 0) {
        faults.failNext -= 1;
        return answer(ctx, faults.errcode, 'system error (simulated fault)');
      }
      // An empty body, or one that is not a JSON object: 10060014 请求参数非法.
      if (typeof input !== 'object' || input === null || Array.isArray(input) || Object.keys(input).length === 0) return answer(ctx, ...E.param);
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
    const now = Date.now();
    let token: { token: string; expiresAt: number };
    if (input.force_refresh === true) {
      stats.forcedRefreshes += 1;
      // A forced refresh within 30 s of the last one does not refresh.
      if (current && now - lastForcedAt < FORCED_REFRESH_GAP_MS) token = current;
      else {
        token = issueToken(false);
        lastForcedAt = now;
      }
    } else {
      // In a token's last five minutes (or after it), a plain call renews it; the old one works until it expires.
      token = current && current.expiresAt - now > RENEW_BEFORE_MS ? current : issueToken(true);
    }
    ctx.body = { access_token: token.token, expires_in: Math.floor((token.expiresAt - now) / 1000) };
  });

  router.post(
    '/wxa/sec/order/upload_shipping_info',
    guarded((ctx, input) => {
      const parsed = uploadShape.safeParse(input);
      if (!parsed.success) return answer(ctx, ...E.dataFormat);
      const upload = parsed.data;
      const refusal = uploadRefusal(upload);
      if (refusal) return answer(ctx, ...refusal);
      const key = upload.order_key;
      const tx = paidTransaction((t) => (key.order_number_type === 1 ? key.mchid === mchid && t.outTradeNo === key.out_trade_no : t.transactionId === key.transaction_id));
      if (!tx?.transactionId) return answer(ctx, ...E.notFound);
      // A partly refunded transaction still ships the rest; a wholly refunded one has nothing left to ship.
      if (tx.tradeState !== 'SUCCESS' && (tx.tradeState !== 'REFUND' || refundedFen(tx.outTradeNo) >= tx.total)) return answer(ctx, ...E.notShippable);
      if (tx.payerOpenid !== upload.payer.openid) return answer(ctx, ...E.notPayer);
      const uploadTime = parseRfc3339(upload.upload_time)!;
      const previous = shipments.get(tx.transactionId);
      if (previous && uploadTime <= previous.lastUploadTime) return answer(ctx, E.uploadTime[0], '上传时间必须比之前的请求更新');
      const parcels: Parcel[] = upload.shipping_list.map((item) => ({
        tracking_no: item.tracking_no ?? '',
        express_company: item.express_company ?? '',
        item_desc: item.item_desc ?? '',
        ...(item.contact ? { contact: item.contact } : {}),
        uploadTime,
      }));
      const allDelivered = upload.delivery_mode === 1 || upload.is_all_delivered === true;
      // A split delivery's next parcels, in the same modes: part of the same delivery.
      const anotherParcel =
        previous !== undefined && !previous.allDelivered && upload.delivery_mode === 2 && previous.deliveryMode === 2 && upload.logistics_type === previous.logisticsType;
      if (anotherParcel) {
        if (previous.items.length + parcels.length > MAX_PARCELS) return answer(ctx, ...E.listLong);
        shipments.set(tx.transactionId, { ...previous, allDelivered, items: [...previous.items, ...parcels], lastUploadTime: uploadTime });
      } else {
        // "以下情况将视为重新发货，每笔支付单仅有一次重新发货机会：对已完成发货的支付单再次调用该 API；使用该 API 修改发货模式或物流模式".
        if (previous && previous.deliveries >= 2) return answer(ctx, ...E.reshipUsed);
        if (previous?.allDelivered && sameShipment(previous, upload)) return answer(ctx, ...E.unchanged);
        shipments.set(tx.transactionId, {
          deliveries: (previous?.deliveries ?? 0) + 1,
          allDelivered,
          logisticsType: upload.logistics_type,
          deliveryMode: upload.delivery_mode,
          items: parcels,
          lastUploadTime: uploadTime,
        });
      }
      stats.uploads += 1;
      answer(ctx, 0, 'ok');
    }),
  );

  router.post(
    '/wxa/sec/order/get_order',
    guarded((ctx, input) => {
      const parsed = getOrderShape.safeParse(input);
      if (!parsed.success) return answer(ctx, ...E.dataFormat);
      const key = parsed.data;
      // "请检查微信支付单号形式下 transaction_id 字段是否已填写，或商户侧单号形式下 merchant_id、merchant_trade_no 字段是否已填写".
      if (!key.transaction_id && !(key.merchant_id && key.merchant_trade_no)) return answer(ctx, ...E.param);
      const tx = paidTransaction((t) => (key.transaction_id ? t.transactionId === key.transaction_id : key.merchant_id === mchid && t.outTradeNo === key.merchant_trade_no));
      if (!tx?.transactionId) return answer(ctx, ...E.notFound);
      const shipment = shipments.get(tx.transactionId);
      answer(ctx, 0, 'ok', {
        order: {
          transaction_id: tx.transactionId,
          merchant_id: tx.mchid,
          sub_merchant_id: '',
          merchant_trade_no: tx.outTradeNo,
          description: tx.description,
          paid_amount: tx.total,
          openid: tx.payerOpenid ?? '',
          trade_create_time: Math.floor(tx.createdAt / 1000),
          pay_time: Math.floor((tx.successTime ?? tx.createdAt) / 1000),
          // 1 待发货, 2 已发货, 5 已退款 (all of it: a partly refunded transaction still ships), 3 确认收货 and
          // 4 交易完成 from routes/trade-management.ts.
          order_state:
            tx.tradeState === 'REFUND' && refundedFen(tx.outTradeNo) >= tx.total ? 5 : (receiptOrderState(sim, tx.transactionId) ?? (shipment?.allDelivered ? 2 : 1)),
          in_complaint: false,
          // The documented order without a shipment carries `shipping: {}` (get_order_list's example).
          shipping: shipment
            ? {
                delivery_mode: shipment.deliveryMode,
                logistics_type: shipment.logisticsType,
                finish_shipping: shipment.allDelivered,
                // "在小程序后台发货信息录入页录入的商品描述": nothing was entered there, each parcel has its own.
                goods_desc: '',
                // "已完成全部发货的次数，未完成时为 0，完成时为 1，重新发货并完成后为 2".
                finish_shipping_count: shipment.allDelivered ? shipment.deliveries : shipment.deliveries - 1,
                shipping_list: shipment.items.map((item) => ({
                  tracking_no: item.tracking_no,
                  express_company: item.express_company,
                  goods_desc: item.item_desc,
                  upload_time: Math.floor(item.uploadTime / 1000),
                  contact: { consignor_contact: item.contact?.consignor_contact ?? '', receiver_contact: item.contact?.receiver_contact ?? '' },
                })),
              }
            : {},
        },
      });
    }),
  );

  /**
   * phonenumber.getPhoneNumber: the code of `<button open-type="getPhoneNumber">`, minted here by
   * POST /sim/mini-program/phone-code (the simulator stands in for the shopper tapping 允许), good once for 5 min.
   */
  const phoneCodes = new Map<string, { phone: string; expiresAt: number }>();
  router.post(
    '/wxa/business/getuserphonenumber',
    guarded((ctx, input) => {
      const code = (input as { code?: unknown }).code;
      const minted = typeof code === 'string' ? phoneCodes.get(code) : undefined;
      if (!minted || minted.expiresAt <= Date.now()) return answer(ctx, 40029, 'invalid code');
      phoneCodes.delete(code as string);
      ctx.body = {
        errcode: 0,
        errmsg: 'ok',
        phone_info: { phoneNumber: `+86${minted.phone}`, purePhoneNumber: minted.phone, countryCode: '86', watermark: { timestamp: Math.floor(Date.now() / 1000), appid } },
      };
    }),
  );

  router.post('/sim/mini-program/phone-code', async (ctx) => {
    const parsed = z.object({ phone: z.string().regex(/^\d{5,15}$/) }).strict().safeParse(await body(ctx));
    if (!parsed.success) {
      ctx.status = 400;
      ctx.body = { code: 'PARAM_ERROR', message: parsed.error.message };
      return;
    }
    const code = randomBytes(32).toString('hex');
    phoneCodes.set(code, { phone: parsed.data.phone, expiresAt: Date.now() + 5 * 60_000 });
    ctx.body = { code };
  });
  const trade = tradeManagementOf(sim);
  trade.isShipped = (transactionId) => shipments.get(transactionId)?.allDelivered === true;
  trade.shippedAt = (transactionId) => shipments.get(transactionId)?.lastUploadTime ?? null;
  tradeManagementRoutes(sim, router, guarded);

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
    ctx.body = { token: issueToken(false).token };
  });

  /** The current token has `remainingSeconds` left, e.g. to enter its renewal window (the last 300 s). */
  router.post('/sim/mini-program/age-token', async (ctx) => {
    const parsed = z.object({ remainingSeconds: z.number().int().min(0) }).strict().safeParse(await body(ctx));
    if (!parsed.success || !current) {
      ctx.status = 400;
      ctx.body = { code: 'PARAM_ERROR', message: parsed.success ? 'no token issued yet' : parsed.error.message };
      return;
    }
    current.expiresAt = Date.now() + parsed.data.remainingSeconds * 1000;
    ctx.body = { token: current.token, expiresAt: current.expiresAt };
  });

  return router;
}

/** A re-upload that says exactly what the finished shipment says changes nothing (10060023 发货信息未更新). */
function sameShipment(previous: Shipment, upload: Upload): boolean {
  const parcel = (item: { tracking_no?: string; express_company?: string; item_desc?: string }) => `${item.tracking_no ?? ''}|${item.express_company ?? ''}|${item.item_desc ?? ''}`;
  return (
    previous.deliveryMode === upload.delivery_mode &&
    previous.logisticsType === upload.logistics_type &&
    previous.items.map(parcel).join('\n') === upload.shipping_list.map(parcel).join('\n')
  );
}
