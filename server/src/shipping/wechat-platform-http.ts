import type { Connection } from 'mongoose';
import { z } from 'zod';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { accessTokenModel } from './access-token.model';
import { PlatformError, STALE_TOKEN_ERRCODES, type MiniProgramPlatform, type PlatformOrder, type PlatformOrderKey } from './mini-program-platform';
import type { WechatApiCaller } from './wechat-api-caller';

export interface WechatPlatformOptions {
  /** https://api.weixin.qq.com in production (the same host as code2session), the simulator otherwise. */
  baseUrl: string;
  appid: string;
  appSecret: string;
  timeoutMs: number;
  /** Where the shared access token lives (access-token.model.ts). */
  db: Connection;
  logger: Logger;
  now?: () => Date;
}

/**
 * WeChat renews a token in its last five minutes and keeps the old one working until it expires (getStableAccessToken:
 * "平台会提前 5 分钟更新 access_token … 新旧 access_token 都可用", so expires_in is never under 300 s). A token inside
 * that window is renewed by one plain stable_token call, and used meanwhile.
 */
const RENEWAL_WINDOW_MS = 5 * 60_000;
/** 10060023 发货信息未更新 (upload_shipping_info's error table). */
const UNCHANGED_ERRCODE = 10060023;

const errAnswerSchema = z.object({ errcode: z.number().int(), errmsg: z.string().optional() }).loose();
const tokenAnswerSchema = z.object({ access_token: z.string().min(1), expires_in: z.number().int().positive() });
const orderAnswerSchema = z.object({
  order: z.object({
    transaction_id: z.string(),
    merchant_trade_no: z.string(),
    order_state: z.number().int(),
    paid_amount: z.number().int(),
    openid: z.string(),
    shipping: z.object({ finish_shipping: z.boolean().optional(), shipping_list: z.array(z.object({ tracking_no: z.string().optional() })).optional() }).optional(),
  }),
});

const phoneAnswerSchema = z.object({
  phone_info: z.object({ purePhoneNumber: z.string().min(1), countryCode: z.union([z.string(), z.number()]).transform(String) }),
});

/**
 * The platform as every entry point builds it: it lives on the same host as code2session (api.weixin.qq.com),
 * so it shares WECHAT_LOGIN_BASE_URL, and the mini-program's own appid and secret.
 */
export function wechatPlatformFor(
  config: Pick<Config, 'WECHAT_LOGIN_BASE_URL' | 'WECHATPAY_TIMEOUT_MS'>,
  credentials: { appid: string; appSecret: string },
  db: Connection,
  logger: Logger,
): MiniProgramPlatform & WechatApiCaller {
  return createWechatPlatform({ baseUrl: config.WECHAT_LOGIN_BASE_URL, appid: credentials.appid, appSecret: credentials.appSecret, timeoutMs: config.WECHATPAY_TIMEOUT_MS, db, logger });
}

/**
 * The mini-program platform over HTTP on api.weixin.qq.com: stable_token, and the shipping-information service's
 * upload_shipping_info, get_order, notify_confirm_receive, set_msg_jump_path and is_trade_managed, and getuserphonenumber.
 */
export function createWechatPlatform(options: WechatPlatformOptions): MiniProgramPlatform & WechatApiCaller {
  const now = options.now ?? (() => new Date());
  const AccessToken = accessTokenModel(options.db);
  const log = options.logger.child({ component: 'mini-program-platform' });

  /** POSTs `body` as JSON; without one (undefined), a GET. */
  async function post(path: string, query: Record<string, string>, body: unknown): Promise<z.infer<typeof errAnswerSchema> & Record<string, unknown>> {
    const url = new URL(path, options.baseUrl);
    url.search = new URLSearchParams(query).toString();
    const signal = AbortSignal.timeout(options.timeoutMs);
    let text: string;
    let status: number;
    try {
      const request: RequestInit = body === undefined ? { method: 'GET', signal } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal };
      const response = await fetch(url, request);
      status = response.status;
      text = await response.text();
    } catch (error) {
      throw new PlatformError(null, signal.aborted ? `${path}: no answer within ${options.timeoutMs}ms` : `${path}: ${(error as Error).message}`, { cause: error });
    }
    if (status !== 200) throw new PlatformError(null, `${path} answered HTTP ${status}`);
    try {
      // An answer without errcode (stable_token's success) counts as errcode 0.
      return errAnswerSchema.parse({ errcode: 0, ...(JSON.parse(text) as object) });
    } catch {
      throw new PlatformError(null, `${path} answered something unexpected: ${text.slice(0, 200)}`);
    }
  }

  /**
   * Fetches are numbered as they start, so a call can tell a fetch that began after its own read of the stored token
   * (whose token is therefore at least as new) from one that did not.
   */
  let fetchesStarted = 0;
  let lastFetched: { seq: number; token: string } | null = null;
  async function fetchToken(forceRefresh: boolean): Promise<string> {
    const seq = ++fetchesStarted;
    const answer = await post('/cgi-bin/stable_token', {}, { grant_type: 'client_credential', appid: options.appid, secret: options.appSecret, force_refresh: forceRefresh });
    if (answer.errcode !== 0) throw new PlatformError(answer.errcode, `stable_token errcode ${answer.errcode}: ${answer.errmsg ?? ''}`.trim());
    const parsed = tokenAnswerSchema.safeParse(answer);
    if (!parsed.success) throw new PlatformError(null, 'stable_token answered without access_token');
    const fetchedAt = now();
    const expiresAt = new Date(fetchedAt.getTime() + parsed.data.expires_in * 1000);
    await AccessToken.updateOne({ _id: options.appid }, { $set: { token: parsed.data.access_token, expiresAt, fetchedAt } }, { upsert: true });
    log.info({ event: 'platform.access_token_fetched', forceRefresh, expiresAt }, 'mini-program access token fetched');
    if (!lastFetched || seq > lastFetched.seq) lastFetched = { seq, token: parsed.data.access_token };
    return parsed.data.access_token;
  }

  /**
   * Calls in this process that find no valid token wait for one fetch rather than each spending one. A call whose read
   * was answered late, after a fetch that began since has already finished, takes that fetch's token: without this
   * a slow read costs a second fetch.
   */
  let fetching: Promise<string> | null = null;
  function fetchCurrentToken(fetchesSeen: number): Promise<string> {
    if (lastFetched && lastFetched.seq > fetchesSeen) return Promise.resolve(lastFetched.token);
    fetching ??= fetchToken(false).finally(() => {
      fetching = null;
    });
    return fetching;
  }

  /**
   * The stored token while it outlives a request (a request in flight must not outlive it). In its renewal window
   * one plain fetch gets WeChat's new token; should that fail the old one still works. A token fetched inside its
   * own window is already the newest WeChat has, so it is not fetched again: no fetch per call near expiry.
   */
  async function storedToken(fetchesSeen: number): Promise<string | null> {
    const stored = await AccessToken.findById(options.appid).lean();
    const at = now().getTime();
    if (!stored || stored.expiresAt.getTime() - options.timeoutMs <= at) return null;
    const renewFrom = stored.expiresAt.getTime() - RENEWAL_WINDOW_MS;
    if (at < renewFrom || stored.fetchedAt.getTime() >= renewFrom) return stored.token;
    try {
      return await fetchCurrentToken(fetchesSeen);
    } catch (error) {
      log.warn({ event: 'platform.access_token_renewal_failed', err: error }, 'renewing the access token failed; the current one still works');
      return stored.token;
    }
  }

  /**
   * After the platform refused `rejected`: another process may have stored a newer token already. Otherwise a
   * plain stable_token call gives the current one (e.g. after a forced refresh elsewhere), and only when that
   * is still the refused token is a forced refresh spent (limited per day, and it invalidates everyone's).
   * Every call in this process refused with the same token shares one replacement.
   */
  let replacement: { rejected: string; token: Promise<string> } | null = null;
  function replaceToken(rejected: string): Promise<string> {
    if (replacement?.rejected !== rejected) {
      const token = (async () => {
        const fetchesSeen = fetchesStarted;
        const stored = await storedToken(fetchesSeen);
        if (stored && stored !== rejected) return stored;
        const fresh = await fetchCurrentToken(fetchesSeen);
        return fresh === rejected ? fetchToken(true) : fresh;
      })();
      token.catch(() => {
        if (replacement?.token === token) replacement = null;
      });
      replacement = { rejected, token };
    }
    return replacement.token;
  }

  async function callWithToken(path: string, body: unknown) {
    const fetchesSeen = fetchesStarted;
    const token = (await storedToken(fetchesSeen)) ?? (await fetchCurrentToken(fetchesSeen));
    const answer = await post(path, { access_token: token }, body);
    if (!STALE_TOKEN_ERRCODES.has(answer.errcode)) return answer;
    log.warn({ event: 'platform.access_token_rejected', errcode: answer.errcode, path }, 'access token refused; fetching a new one');
    return post(path, { access_token: await replaceToken(token) }, body);
  }

  function orderKeyBody(key: PlatformOrderKey) {
    return key.kind === 'out_trade_no'
      ? { order_number_type: 1, mchid: key.mchid, out_trade_no: key.outTradeNo }
      : { order_number_type: 2, transaction_id: key.transactionId };
  }

  return {
    callWithToken,

    async uploadShippingInfo(input) {
      const answer = await callWithToken('/wxa/sec/order/upload_shipping_info', {
        order_key: orderKeyBody(input.orderKey),
        logistics_type: 1,
        delivery_mode: input.split ? 2 : 1,
        ...(input.split ? { is_all_delivered: input.split.allDelivered } : {}),
        shipping_list: [
          { tracking_no: input.trackingNo, express_company: input.expressCompany, item_desc: input.itemDesc, contact: { receiver_contact: input.receiverContact } },
        ],
        upload_time: rfc3339Beijing(input.uploadTime),
        payer: { openid: input.payerOpenid },
      });
      // 10060023 发货信息未更新: the platform already holds exactly this shipment (a retry of an upload whose answer was lost).
      if (answer.errcode !== 0 && answer.errcode !== UNCHANGED_ERRCODE) {
        throw new PlatformError(answer.errcode, `upload_shipping_info errcode ${answer.errcode}: ${answer.errmsg ?? ''}`.trim());
      }
    },

    async getOrder(key): Promise<PlatformOrder | null> {
      const body = key.kind === 'out_trade_no' ? { merchant_id: key.mchid, merchant_trade_no: key.outTradeNo } : { transaction_id: key.transactionId };
      const answer = await callWithToken('/wxa/sec/order/get_order', body);
      if (answer.errcode === 10060001) return null;
      if (answer.errcode !== 0) throw new PlatformError(answer.errcode, `get_order errcode ${answer.errcode}: ${answer.errmsg ?? ''}`.trim());
      const parsed = orderAnswerSchema.safeParse(answer);
      if (!parsed.success) throw new PlatformError(null, `get_order answered an unexpected order: ${parsed.error.message}`);
      const { order } = parsed.data;
      return {
        transactionId: order.transaction_id,
        outTradeNo: order.merchant_trade_no,
        orderState: order.order_state,
        paidAmountFen: order.paid_amount,
        openid: order.openid,
        shipped: order.shipping?.finish_shipping ?? false,
        trackingNos: (order.shipping?.shipping_list ?? []).flatMap((item) => (item.tracking_no ? [item.tracking_no] : [])),
      };
    },

    async getPhoneNumber(code) {
      const answer = await callWithToken('/wxa/business/getuserphonenumber', { code });
      if (answer.errcode !== 0) throw new PlatformError(answer.errcode, `getuserphonenumber errcode ${answer.errcode}: ${answer.errmsg ?? ''}`.trim());
      const parsed = phoneAnswerSchema.safeParse(answer);
      if (!parsed.success) throw new PlatformError(null, `getuserphonenumber answered without phone_info: ${parsed.error.message}`);
      return parsed.data.phone_info;
    },

    async notifyConfirmReceive(key, receivedAt) {
      const body = key.kind === 'out_trade_no' ? { merchant_id: key.mchid, merchant_trade_no: key.outTradeNo } : { transaction_id: key.transactionId };
      // received_time in seconds: milliseconds are refused as 10060029 签收时间不合理.
      const answer = await callWithToken('/wxa/sec/order/notify_confirm_receive', { ...body, received_time: Math.floor(receivedAt.getTime() / 1000) });
      if (answer.errcode !== 0) throw new PlatformError(answer.errcode, `notify_confirm_receive errcode ${answer.errcode}: ${answer.errmsg ?? ''}`.trim());
    },

    async setMsgJumpPath(path) {
      const answer = await callWithToken('/wxa/sec/order/set_msg_jump_path', { path });
      if (answer.errcode !== 0) throw new PlatformError(answer.errcode, `set_msg_jump_path errcode ${answer.errcode}: ${answer.errmsg ?? ''}`.trim());
    },

    async isTradeManaged(appid) {
      const answer = await callWithToken('/wxa/sec/order/is_trade_managed', { appid });
      if (answer.errcode !== 0) throw new PlatformError(answer.errcode, `is_trade_managed errcode ${answer.errcode}: ${answer.errmsg ?? ''}`.trim());
      if (typeof answer.is_trade_managed !== 'boolean') throw new PlatformError(null, 'is_trade_managed answered without is_trade_managed');
      return answer.is_trade_managed;
    },
  };
}

/** upload_time is RFC 3339 with milliseconds, as the platform's examples write it (2022-12-15T13:29:35.120+08:00). */
function rfc3339Beijing(date: Date): string {
  return `${new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 23)}+08:00`;
}
