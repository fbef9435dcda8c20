/**
 * A local Alipay open platform for page pay (alipay.trade.page.pay), in the WeChat simulator's process:
 * the gateway verifies the merchant's RSA2 signature, shows a dev cashier, pays, sends the signed async
 * notification (retried on anything but `success`), redirects the browser to return_url with signed
 * parameters, and answers trade.query / close / refund / fastpay.refund.query with signed JSON.
 * State is kept in memory. /sim/alipay/… drives it from tests (faults, state, payments without a browser).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Router from '@koa/router';
import type { Context } from 'koa';
import type pino from 'pino';
import { z } from 'zod';
import { beijingTime, fenToYuan, fromBeijingTime, yuanToFen } from '@blindbox/shared';
import { readText } from '../http';
import { escapeHtml } from '../routes/pages';
import { rsa2Sign, rsa2Verify, signContent, signedByAlipay } from './signing';

export type AlipayTradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED';

export interface AlipayTrade {
  outTradeNo: string;
  tradeNo: string;
  appId: string;
  totalFen: number;
  subject: string;
  status: AlipayTradeStatus;
  notifyUrl: string;
  /** Optional in page pay: without one the cashier shows the result itself. */
  returnUrl: string | null;
  timeExpire: Date | null;
  createdAt: Date;
  paidAt: Date | null;
  closedAt: Date | null;
  refunds: Map<string, { amountFen: number; at: Date }>;
  /** How many alipay.trade.query calls asked about it (tests check the shop's polling is bounded). */
  queries: number;
}

export interface AlipayDelivery {
  notifyId: string;
  outTradeNo: string;
  /** The notification's trade_status, and out_biz_no when it reports a refund. */
  tradeStatus: string;
  outBizNo: string | null;
  attempt: number;
  copy: number;
  tampered: string | null;
  /** What the merchant answered ('success', 'failure', …), or the transport error. */
  answer: string;
  at: string;
}

const faultSchema = z.object({
  kind: z.enum(['drop', 'duplicate', 'delay', 'tamper']),
  /** How many upcoming notifications this applies to. */
  count: z.number().int().min(1).max(1000).default(1),
  /** duplicate: extra concurrent copies of each delivery. */
  copies: z.number().int().min(1).max(500).default(1),
  /** delay: before the first delivery, in real milliseconds. */
  delayMs: z.number().int().min(0).max(600_000).default(1000),
  /** tamper: what to change after signing (the first delivery only; retries carry the genuine notification). */
  field: z.enum(['signature', 'total_amount', 'app_id']).default('total_amount'),
});
type Fault = z.infer<typeof faultSchema> & { remaining: number };

/** Alipay retries about 8 times over 25 hours; scaled by the simulator's time scale. */
const RETRY_DELAYS_MS = [4, 10, 10, 60, 120, 360, 900].map((minutes) => minutes * 60_000);
const NOTIFY_TIMEOUT_MS = 5_000;
/** The (masked) payer every trade here has. */
const BUYER_LOGON_ID = 'dev***@example.com';
/** total_amount's documented range, [0.01, 100000000] yuan. */
const MIN_TOTAL_FEN = 1;
const MAX_TOTAL_FEN = 100_000_000 * 100;
/** How far a request's `timestamp` may be from now (Alipay states no figure; a signed request is meant to be fresh). */
const TIMESTAMP_SKEW_MS = 30 * 60_000;
const API_METHODS = new Set(['alipay.trade.query', 'alipay.trade.close', 'alipay.trade.refund', 'alipay.trade.fastpay.refund.query']);

interface Credentials {
  appId: string;
  sellerId: string;
  appPublicKeyFile: string;
  alipayPrivateKeyFile: string;
}

export interface AlipaySimulator {
  router: Router;
  stop(): Promise<void>;
}

export async function createAlipaySimulator(options: { credentialsDir: string; logger: pino.Logger; timeScale: () => number }): Promise<AlipaySimulator> {
  const credentials = JSON.parse(await readFile(path.join(options.credentialsDir, 'credentials.json'), 'utf8')) as Credentials;
  const appPublicKey = await readFile(path.join(options.credentialsDir, credentials.appPublicKeyFile), 'utf8');
  const alipayPrivateKey = await readFile(path.join(options.credentialsDir, credentials.alipayPrivateKeyFile), 'utf8');
  const log = options.logger.child({ channel: 'alipay' });
  const trades = new Map<string, AlipayTrade>();
  const deliveries: AlipayDelivery[] = [];
  const faults: Fault[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<unknown>>();
  let stopped = false;

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  /** A trade past its time_expire closes unpaid, as Alipay closes it. */
  function current(outTradeNo: string): AlipayTrade | undefined {
    const trade = trades.get(outTradeNo);
    if (trade?.status === 'WAIT_BUYER_PAY' && trade.timeExpire && trade.timeExpire.getTime() <= Date.now()) trade.status = 'TRADE_CLOSED';
    return trade;
  }

  function takeFaults(): Fault[] {
    const taken = faults.filter((fault) => fault.remaining > 0);
    for (const fault of taken) fault.remaining -= 1;
    return taken;
  }

  /**
   * The trade_status_sync notification. After a refund it also carries the refund (异步通知 of 统一收单交易退款:
   * refund_fee is the trade's total refunded so far, gmt_refund, out_biz_no the refund's out_request_no); after a
   * close or a full refund, gmt_close. A refund that leaves money in the trade keeps it TRADE_SUCCESS.
   */
  function notificationOf(trade: AlipayTrade, refund: { outRequestNo: string; at: Date } | null = null): Record<string, string> {
    const now = new Date();
    const refundedFen = [...trade.refunds.values()].reduce((sum, entry) => sum + entry.amountFen, 0);
    return signedByAlipay(
      {
        notify_time: beijingTime(now),
        notify_type: 'trade_status_sync',
        notify_id: randomBytes(16).toString('hex'),
        app_id: trade.appId,
        auth_app_id: trade.appId,
        charset: 'utf-8',
        version: '1.0',
        trade_no: trade.tradeNo,
        out_trade_no: trade.outTradeNo,
        total_amount: fenToYuan(trade.totalFen),
        receipt_amount: fenToYuan(trade.totalFen),
        buyer_pay_amount: fenToYuan(trade.totalFen),
        seller_id: credentials.sellerId,
        buyer_id: '2088102177846880',
        subject: trade.subject,
        trade_status: trade.status,
        gmt_create: beijingTime(trade.createdAt),
        ...(trade.paidAt ? { gmt_payment: beijingTime(trade.paidAt) } : {}),
        ...(trade.closedAt ? { gmt_close: beijingTime(trade.closedAt) } : {}),
        ...(refund ? { out_biz_no: refund.outRequestNo, refund_fee: fenToYuan(refundedFen), gmt_refund: beijingTime(refund.at) } : {}),
      },
      alipayPrivateKey,
    );
  }

  function tamper(params: Record<string, string>, field: Fault['field']): Record<string, string> {
    const changed = { ...params };
    if (field === 'signature') changed.sign = rsa2Sign('forged', alipayPrivateKey);
    if (field === 'total_amount') changed.total_amount = fenToYuan((yuanToFen(params.total_amount ?? '0') ?? 0) + 1);
    if (field === 'app_id') changed.app_id = '2021000000000000';
    return changed;
  }

  async function deliverOnce(trade: AlipayTrade, params: Record<string, string>, attempt: number, copy: number, tampered: string | null): Promise<boolean> {
    let answer: string;
    try {
      const response = await fetch(trade.notifyUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(NOTIFY_TIMEOUT_MS),
      });
      answer = (await response.text()).trim();
    } catch (error) {
      answer = `error: ${(error as Error).message}`;
    }
    deliveries.push({
      notifyId: params.notify_id ?? '',
      outTradeNo: trade.outTradeNo,
      tradeStatus: params.trade_status ?? '',
      outBizNo: params.out_biz_no ?? null,
      attempt,
      copy,
      tampered,
      answer,
      at: new Date().toISOString(),
    });
    return answer === 'success';
  }

  /** One notification: each attempt (with its faults) until the merchant answers `success` or the schedule ends. */
  function notify(trade: AlipayTrade, refund: { outRequestNo: string; at: Date } | null = null): void {
    const applied = takeFaults();
    if (applied.some((fault) => fault.kind === 'drop')) {
      deliveries.push({ notifyId: '', outTradeNo: trade.outTradeNo, tradeStatus: trade.status, outBizNo: refund?.outRequestNo ?? null, attempt: 0, copy: 0, tampered: null, answer: 'dropped', at: new Date().toISOString() });
      return;
    }
    const params = notificationOf(trade, refund);
    const copies = 1 + applied.filter((fault) => fault.kind === 'duplicate').reduce((sum, fault) => sum + fault.copies, 0);
    const delay = applied.filter((fault) => fault.kind === 'delay').reduce((sum, fault) => sum + fault.delayMs, 0);
    const tamperField = applied.find((fault) => fault.kind === 'tamper')?.field ?? null;

    const attemptAt = (attempt: number) => {
      if (stopped) return;
      const body = attempt === 1 && tamperField ? tamper(params, tamperField) : params;
      const run = Promise.all(Array.from({ length: copies }, (_, copy) => deliverOnce(trade, body, attempt, copy, attempt === 1 ? tamperField : null))).then((answers) => {
        if (answers.some(Boolean)) return;
        const wait = RETRY_DELAYS_MS[attempt - 1];
        if (wait === undefined) {
          log.warn({ outTradeNo: trade.outTradeNo }, 'Alipay notification given up after the last retry');
          return;
        }
        later(wait * options.timeScale(), () => attemptAt(attempt + 1));
      });
      inFlight.add(run);
      void run.finally(() => inFlight.delete(run));
    };
    later(delay, () => attemptAt(1));
  }

  function pay(trade: AlipayTrade): void {
    trade.status = 'TRADE_SUCCESS';
    trade.paidAt = new Date();
    log.info({ outTradeNo: trade.outTradeNo, tradeNo: trade.tradeNo }, 'Alipay trade paid');
    notify(trade);
  }

  /** The signed return_url the browser is sent to after paying (Alipay signs it like a notification). */
  function returnUrlOf(trade: AlipayTrade): string | null {
    if (!trade.returnUrl) return null;
    const params = signedByAlipay(
      {
        app_id: trade.appId,
        auth_app_id: trade.appId,
        charset: 'utf-8',
        method: 'alipay.trade.page.pay.return',
        out_trade_no: trade.outTradeNo,
        seller_id: credentials.sellerId,
        timestamp: beijingTime(new Date()),
        total_amount: fenToYuan(trade.totalFen),
        trade_no: trade.tradeNo,
        version: '1.0',
      },
      alipayPrivateKey,
    );
    const url = new URL(trade.returnUrl);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url.toString();
  }

  /** Alipay answers gateway calls as `{"<method>_response": {...}, "sign": "..."}`, the sign over the inner JSON text. */
  function answer(ctx: Context, method: string, body: Record<string, string>): void {
    const inner = JSON.stringify(body);
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = `{"${method.replaceAll('.', '_')}_response":${inner},"sign":${JSON.stringify(rsa2Sign(inner, alipayPrivateKey))}}`;
  }
  const ok = (extra: Record<string, string>) => ({ code: '10000', msg: 'Success', ...extra });
  const failed = (subCode: string, subMsg: string) => ({ code: '40004', msg: 'Business Failed', sub_code: subCode, sub_msg: subMsg });
  /** Gateway-level refusals (公共错误码): 40001 Missing Required Arguments, 40002 Invalid Arguments. */
  const invalid = (code: '40001' | '40002', subCode: string, subMsg: string) => ({ code, msg: code === '40001' ? 'Missing Required Arguments' : 'Invalid Arguments', sub_code: subCode, sub_msg: subMsg });

  // The empty icon: without one the browser asks for /favicon.ico, and its 404 is a console error the browser tests count.
  function page(title: string, body: string): string {
    return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="data:,"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;background:#f5f5f5;margin:0;padding:24px}main{max-width:420px;margin:0 auto;background:#fff;border-radius:12px;padding:24px;text-align:center}
h1{color:#1677ff;font-size:20px}.amount{font-size:32px;margin:16px 0}button{display:block;width:100%;padding:12px;margin-top:12px;border:0;border-radius:8px;font-size:16px}
.pay{background:#1677ff;color:#fff}.cancel{background:#eee}</style></head><body><main>${body}</main></body></html>`;
  }

  function cashier(trade: AlipayTrade): string {
    const base = `/alipay/cashier/${encodeURIComponent(trade.outTradeNo)}`;
    return page(
      '支付宝收银台（模拟）',
      `<h1 data-testid="alipay-cashier">支付宝收银台（模拟）</h1><div>${escapeHtml(trade.subject)}</div>
<div class="amount" data-testid="alipay-amount">¥${fenToYuan(trade.totalFen)}</div><div>订单号 ${escapeHtml(trade.outTradeNo)}</div>
<form method="post" action="${base}/pay"><button class="pay" data-testid="alipay-pay" type="submit">确认付款</button></form>
<form method="post" action="${base}/cancel"><button class="cancel" data-testid="alipay-cancel" type="submit">取消</button></form>`,
    );
  }

  /** alipay.trade.page.pay: verify the merchant's form, open (or reopen) the trade, show the cashier. */
  function pagePay(ctx: Context, params: Record<string, string>): void {
    ctx.type = 'html';
    const biz = parseBiz(params.biz_content);
    const totalFen = yuanToFen(biz?.total_amount ?? '');
    // alipay.trade.page.pay's parameters: out_trade_no, total_amount, subject and product_code are required,
    // return_url is optional (公共请求参数: "HTTP/HTTPS开头字符串", 否); notify_url is needed for the notification.
    if (!biz?.out_trade_no || totalFen === null || !biz.subject || biz.product_code !== 'FAST_INSTANT_TRADE_PAY' || !params.notify_url) {
      ctx.status = 400;
      ctx.body = page('参数错误', '<p data-testid="alipay-error">ACQ.INVALID_PARAMETER: out_trade_no, total_amount, subject, product_code and notify_url are required</p>');
      return;
    }
    // total_amount: "单位为元，精确到小数点后两位，取值范围为 [0.01,100000000]".
    if (totalFen < MIN_TOTAL_FEN || totalFen > MAX_TOTAL_FEN) {
      ctx.status = 400;
      ctx.body = page('参数错误', '<p data-testid="alipay-error">ACQ.INVALID_PARAMETER: total_amount must be within [0.01, 100000000]</p>');
      return;
    }
    let trade = current(biz.out_trade_no);
    if (trade && trade.totalFen !== totalFen) {
      ctx.status = 400;
      ctx.body = page('交易信息被篡改', '<p data-testid="alipay-error">TRADE_HAS_CHANGE: the same out_trade_no was sent with another amount</p>');
      return;
    }
    if (!trade) {
      trade = {
        outTradeNo: biz.out_trade_no,
        tradeNo: `${beijingTime(new Date()).replace(/\D/g, '').slice(0, 8)}22001${String(randomInt(10 ** 9, 10 ** 10))}${String(randomInt(10 ** 5, 10 ** 6))}`,
        appId: params.app_id ?? '',
        totalFen,
        subject: biz.subject,
        status: 'WAIT_BUYER_PAY',
        notifyUrl: params.notify_url,
        returnUrl: params.return_url ?? null,
        closedAt: null,
        timeExpire: fromBeijingTime(biz.time_expire),
        createdAt: new Date(),
        paidAt: null,
        refunds: new Map(),
        queries: 0,
      };
      trades.set(trade.outTradeNo, trade);
      current(trade.outTradeNo);
    }
    if (trade.status !== 'WAIT_BUYER_PAY') {
      ctx.status = 400;
      ctx.body = page('交易已结束', `<p data-testid="alipay-error">${trade.status === 'TRADE_CLOSED' ? 'TRADE_HAS_CLOSE: 交易已关闭' : 'TRADE_HAS_SUCCESS: 交易已支付'}</p>`);
      return;
    }
    ctx.body = cashier(trade);
  }

  function api(ctx: Context, method: string, params: Record<string, string>): void {
    const biz = parseBiz(params.biz_content) ?? {};
    const trade = biz.out_trade_no ? current(biz.out_trade_no) : undefined;
    if (!trade) {
      answer(ctx, method, failed('ACQ.TRADE_NOT_EXIST', '交易不存在'));
      return;
    }
    const tradeFields = { trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo };
    switch (method) {
      case 'alipay.trade.query':
        trade.queries += 1;
        answer(ctx, method, ok({
          ...tradeFields,
          trade_status: trade.status,
          total_amount: fenToYuan(trade.totalFen),
          buyer_logon_id: BUYER_LOGON_ID,
          buyer_user_id: '2088102177846880',
          ...(trade.paidAt ? { send_pay_date: beijingTime(trade.paidAt) } : {}),
        }));
        return;
      case 'alipay.trade.close':
        if (trade.status !== 'WAIT_BUYER_PAY') {
          answer(ctx, method, failed('ACQ.TRADE_STATUS_ERROR', '交易状态不合法'));
          return;
        }
        trade.status = 'TRADE_CLOSED';
        trade.closedAt = new Date();
        answer(ctx, method, ok(tradeFields));
        // A closed trade is reported as TRADE_CLOSED to notify_url (for apps subscribed to it; see README).
        notify(trade);
        return;
      case 'alipay.trade.refund': {
        const amountFen = yuanToFen(biz.refund_amount ?? '');
        const requestNo = biz.out_request_no ?? trade.outTradeNo;
        const existing = trade.refunds.get(requestNo);
        const refundedFen = () => [...trade.refunds.values()].reduce((sum, refund) => sum + refund.amountFen, 0);
        if (amountFen === null || amountFen <= 0) {
          answer(ctx, method, failed('ACQ.INVALID_PARAMETER', 'refund_amount'));
        } else if (existing) {
          // The same out_request_no is the same refund: no second money movement. With other content it is
          // ACQ.DISCORDANT_REPEAT_REQUEST ("请求信息不一致", alipay.trade.refund's error table).
          answer(ctx, method, existing.amountFen === amountFen
            ? ok({ ...tradeFields, buyer_logon_id: BUYER_LOGON_ID, fund_change: 'N', refund_fee: fenToYuan(refundedFen()) })
            : failed('ACQ.DISCORDANT_REPEAT_REQUEST', '请求信息不一致'));
        } else if (!trade.paidAt) {
          answer(ctx, method, failed('ACQ.TRADE_STATUS_ERROR', '交易状态不合法'));
        } else if (refundedFen() + amountFen > trade.totalFen) {
          // "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL 退款金额超限: 请检查退款金额是否正确".
          answer(ctx, method, failed('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限'));
        } else {
          const at = new Date();
          trade.refunds.set(requestNo, { amountFen, at });
          if (refundedFen() === trade.totalFen) {
            trade.status = 'TRADE_CLOSED';
            trade.closedAt = at;
          }
          answer(ctx, method, ok({ ...tradeFields, buyer_logon_id: BUYER_LOGON_ID, fund_change: 'Y', refund_fee: fenToYuan(refundedFen()) }));
          // The refund is reported to the pay call's notify_url: TRADE_SUCCESS while money remains, TRADE_CLOSED once all is back.
          notify(trade, { outRequestNo: requestNo, at });
        }
        return;
      }
      case 'alipay.trade.fastpay.refund.query': {
        const requestNo = biz.out_request_no ?? trade.outTradeNo;
        const refund = trade.refunds.get(requestNo);
        answer(ctx, method, refund
          ? ok({ ...tradeFields, out_request_no: requestNo, refund_amount: fenToYuan(refund.amountFen), total_amount: fenToYuan(trade.totalFen), refund_status: 'REFUND_SUCCESS' })
          : ok(tradeFields));
        return;
      }
      default:
        answer(ctx, method, invalid('40002', 'isv.invalid-method', '不存在的方法名'));
    }
  }

  /**
   * The gateway's own checks, in 公共错误码 order: app_id known (isv.invalid-app-id), timestamp present and
   * "yyyy-MM-dd HH:mm:ss" near now (isv.missing-timestamp / isv.invalid-timestamp), then the RSA2 signature over
   * every parameter but `sign` (isv.invalid-signature).
   */
  function gatewayRefusal(params: Record<string, string>): ReturnType<typeof invalid> | null {
    if (!params.app_id) return invalid('40001', 'isv.missing-app-id', '缺少AppID参数');
    if (params.app_id !== credentials.appId) return invalid('40002', 'isv.invalid-app-id', '无效的AppID参数');
    if (!params.timestamp) return invalid('40001', 'isv.missing-timestamp', '缺少时间戳参数');
    const sentAt = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(params.timestamp) ? fromBeijingTime(params.timestamp) : null;
    if (!sentAt || Math.abs(sentAt.getTime() - Date.now()) > TIMESTAMP_SKEW_MS) return invalid('40002', 'isv.invalid-timestamp', '非法的时间戳参数');
    const signed = params.sign !== undefined && params.sign_type === 'RSA2' && rsa2Verify(signContent(params, false), params.sign, appPublicKey);
    return signed ? null : invalid('40002', 'isv.invalid-signature', '验签出错');
  }

  const router = new Router();

  router.all('/alipay/gateway.do', async (ctx) => {
    const body = ctx.method === 'POST' ? Object.fromEntries(new URLSearchParams(await readText(ctx))) : {};
    const params: Record<string, string> = { ...stringsOf(ctx.query), ...body };
    const method = params.method ?? '';
    const refusal = gatewayRefusal(params);
    if (refusal) {
      log.warn({ method, appId: params.app_id, subCode: refusal.sub_code }, 'Alipay request refused at the gateway');
      if (method === 'alipay.trade.page.pay') {
        ctx.status = 400;
        ctx.type = 'html';
        ctx.body = page('参数错误', `<p data-testid="alipay-error">${escapeHtml(refusal.sub_code)}: ${escapeHtml(refusal.sub_msg)}</p>`);
      } else {
        answer(ctx, method, refusal);
      }
      return;
    }
    if (method === 'alipay.trade.page.pay') pagePay(ctx, params);
    else if (API_METHODS.has(method)) api(ctx, method, params);
    // An unknown method has no `<method>_response` to answer in: error_response, as the gateway answers.
    else answer(ctx, 'error', invalid('40002', 'isv.invalid-method', '不存在的方法名'));
  });

  router.post('/alipay/cashier/:outTradeNo/:choice', (ctx) => {
    const trade = current(ctx.params.outTradeNo ?? '');
    ctx.type = 'html';
    if (!trade || trade.status !== 'WAIT_BUYER_PAY') {
      ctx.status = 400;
      ctx.body = page('交易已结束', `<p data-testid="alipay-error">${trade ? trade.status : 'TRADE_NOT_EXIST'}</p>`);
      return;
    }
    if (ctx.params.choice === 'pay') {
      pay(trade);
      const back = returnUrlOf(trade);
      if (back) ctx.redirect(back);
      else ctx.body = page('支付成功', '<p data-testid="alipay-paid">支付成功</p>');
      return;
    }
    // Cancelling leaves the trade open, as closing Alipay's cashier does: the shop can still be paid.
    ctx.body = page('已取消', '<p data-testid="alipay-cancelled">支付已取消，可返回商户继续支付</p><button class="cancel" onclick="history.go(-2)">返回商户</button>');
  });

  router.get('/sim/alipay/info', (ctx) => {
    ctx.body = { appId: credentials.appId, sellerId: credentials.sellerId };
  });

  router.get('/sim/alipay/trades/:outTradeNo', (ctx) => {
    const trade = current(ctx.params.outTradeNo ?? '');
    if (!trade) {
      ctx.status = 404;
      ctx.body = { code: 'TRADE_NOT_EXIST' };
      return;
    }
    ctx.body = { ...trade, refunds: Object.fromEntries(trade.refunds) };
  });

  /** Pays an opened trade without a browser; `notify: false` pays without notifying (a notification lost for good). */
  router.post('/sim/alipay/pay', async (ctx) => {
    const { outTradeNo, returnUrl } = z.object({ outTradeNo: z.string().min(1), returnUrl: z.boolean().default(false) }).parse(JSON.parse((await readText(ctx)) || '{}'));
    const trade = current(outTradeNo);
    if (!trade || trade.status !== 'WAIT_BUYER_PAY') {
      ctx.status = 409;
      ctx.body = { code: trade ? trade.status : 'TRADE_NOT_EXIST' };
      return;
    }
    pay(trade);
    ctx.body = { tradeNo: trade.tradeNo, ...(returnUrl ? { returnUrl: returnUrlOf(trade) } : {}) };
  });

  router.post('/sim/alipay/faults', async (ctx) => {
    const fault = faultSchema.parse(JSON.parse((await readText(ctx)) || '{}'));
    faults.push({ ...fault, remaining: fault.count });
    ctx.body = { faults: faults.filter((entry) => entry.remaining > 0) };
  });

  router.delete('/sim/alipay/faults', (ctx) => {
    faults.length = 0;
    ctx.status = 204;
  });

  router.get('/sim/alipay/notifications', (ctx) => {
    const outTradeNo = typeof ctx.query.outTradeNo === 'string' ? ctx.query.outTradeNo : null;
    ctx.body = { deliveries: deliveries.filter((delivery) => !outTradeNo || delivery.outTradeNo === outTradeNo) };
  });

  return {
    router,
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...inFlight]);
    },
  };
}

function parseBiz(text: string | undefined): Record<string, string> | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, String(field)]));
  } catch {
    return null;
  }
}

function stringsOf(query: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
