/** JSAPI / Native prepay, query and close: /v3/pay/transactions/... */
import Router from '@koa/router';
import { z } from 'zod';
import type { SimContext } from '../context';
import { WxError, paramError } from '../errors';
import { checkNotifyUrl, validate } from '../http';
import { newCodeUrl, newPrepayId } from '../ids';
import { transactionView, type TradeType, type TransactionRecord } from '../model';
import { isUnpaid } from '../store';
import { parseRfc3339 } from '../time';

/** A prepay_id can be used for 2 hours; asking again afterwards yields a fresh one for the same order. */
export const PREPAY_ID_TTL_MS = 2 * 3600_000;
/** Without time_expire an order can be paid for 7 days. */
const DEFAULT_ORDER_LIFETIME_MS = 7 * 24 * 3600_000;
/** time_expire is moved to at least this long after the order (scaled by the time scale). */
const MIN_ORDER_LIFETIME_MS = 60_000;

const prepaySchema = z.object({
  appid: z.string().min(1).max(32),
  mchid: z.string().min(1).max(32),
  description: z.string().min(1).max(127),
  out_trade_no: z.string().regex(/^[A-Za-z0-9_\-|*]{6,32}$/, '须为6-32位数字、大小写字母或_-|*'),
  time_expire: z.string().optional(),
  attach: z.string().max(128).optional(),
  notify_url: z.string().min(1).max(256),
  amount: z.object({ total: z.number().int().positive(), currency: z.literal('CNY').optional() }),
  payer: z.object({ openid: z.string().min(1).max(128) }).optional(),
});

const closeSchema = z.object({ mchid: z.string().min(1) });

export function transactionRoutes(sim: SimContext): Router {
  const router = new Router({ prefix: '/v3/pay/transactions' });
  const { store } = sim;
  const credentials = sim.keys.credentials;

  router.post('/jsapi', (ctx) => {
    ctx.body = { prepay_id: prepay(ctx.state.json, 'JSAPI').prepayId };
  });

  router.post('/native', (ctx) => {
    ctx.body = { code_url: prepay(ctx.state.json, 'NATIVE').codeUrl };
  });

  router.get('/out-trade-no/:outTradeNo', (ctx) => {
    checkMchid(ctx.query.mchid);
    const tx = store.transaction(ctx.params.outTradeNo ?? '');
    if (!tx) throw orderNotExist();
    ctx.body = transactionView(tx);
  });

  router.get('/id/:transactionId', (ctx) => {
    checkMchid(ctx.query.mchid);
    const tx = store.findTransaction((t) => t.transactionId === ctx.params.transactionId);
    if (!tx) throw orderNotExist();
    ctx.body = transactionView(tx);
  });

  router.post('/out-trade-no/:outTradeNo/close', (ctx) => {
    checkMchid(validate(closeSchema, ctx.state.json).mchid);
    const tx = store.transaction(ctx.params.outTradeNo ?? '');
    if (tx?.tradeState === 'SUCCESS' || tx?.tradeState === 'REFUND') throw new WxError(403, 'ORDERPAID', '订单已支付');
    // Closing an unknown or already closed order answers 204 at WeChat too.
    if (tx && isUnpaid(tx)) {
      tx.tradeState = 'CLOSED';
      tx.closedAt = Date.now();
      store.save();
    }
    ctx.status = 204;
  });

  function prepay(body: unknown, tradeType: TradeType): TransactionRecord {
    const input = validate(prepaySchema, body);
    if (input.mchid !== credentials.mchid) throw new WxError(400, 'MCH_NOT_EXISTS', '商户号不存在');
    if (input.appid !== credentials.appid) throw new WxError(400, 'APPID_MCHID_NOT_MATCH', 'appid和mchid不匹配');
    if (tradeType === 'JSAPI' && !input.payer) throw paramError('JSAPI下单须传 payer.openid', 'payer.openid');
    checkNotifyUrl(input.notify_url);
    const requestedExpiry = input.time_expire === undefined ? null : parseRfc3339(input.time_expire);
    if (input.time_expire !== undefined && requestedExpiry === null) {
      throw paramError('time_expire 须为 RFC 3339 格式，如 2018-06-08T10:34:56+08:00', 'time_expire');
    }
    const payerOpenid = tradeType === 'JSAPI' ? (input.payer?.openid ?? null) : null;
    const currency = input.amount.currency ?? 'CNY';
    // time_expire is left out: it only counts on the first call, later calls may send anything.
    const fingerprint = JSON.stringify([
      tradeType, input.appid, input.mchid, input.description, input.attach ?? null, input.notify_url,
      input.amount.total, currency, payerOpenid,
    ]);
    const now = Date.now();

    const existing = store.transaction(input.out_trade_no, now);
    if (existing) {
      if (existing.fingerprint !== fingerprint) throw new WxError(403, 'OUT_TRADE_NO_USED', '商户订单号重复');
      if (existing.tradeState === 'SUCCESS' || existing.tradeState === 'REFUND') {
        throw new WxError(403, 'ORDERPAID', '该订单已支付');
      }
      if (!isUnpaid(existing)) throw new WxError(400, 'ORDER_CLOSED', '订单已关闭，请使用新的商户订单号');
      if (tradeType === 'JSAPI' && now - existing.prepayIssuedAt >= PREPAY_ID_TTL_MS) {
        existing.prepayId = newPrepayId(now);
        existing.prepayIssuedAt = now;
        store.save();
      }
      return existing;
    }

    const minimumExpiry = now + MIN_ORDER_LIFETIME_MS * sim.timeScale;
    const tx: TransactionRecord = {
      appid: input.appid,
      mchid: input.mchid,
      outTradeNo: input.out_trade_no,
      tradeType,
      description: input.description,
      attach: input.attach ?? null,
      notifyUrl: input.notify_url,
      total: input.amount.total,
      currency,
      payerOpenid,
      fingerprint,
      createdAt: now,
      expiresAt: requestedExpiry === null ? now + DEFAULT_ORDER_LIFETIME_MS : Math.max(requestedExpiry, minimumExpiry),
      prepayId: tradeType === 'JSAPI' ? newPrepayId(now) : null,
      prepayIssuedAt: now,
      codeUrl: tradeType === 'NATIVE' ? newCodeUrl() : null,
      tradeState: 'NOTPAY',
      transactionId: null,
      successTime: null,
      closedAt: null,
    };
    store.state.transactions[tx.outTradeNo] = tx;
    store.save();
    sim.logger.info({ outTradeNo: tx.outTradeNo, tradeType, total: tx.total }, 'prepay created');
    return tx;
  }

  function checkMchid(mchid: unknown): void {
    if (typeof mchid !== 'string' || mchid === '') throw paramError('缺少 mchid', 'mchid');
    if (mchid !== credentials.mchid) throw new WxError(400, 'MCH_NOT_EXISTS', '商户号不存在');
  }

  return router;
}

function orderNotExist(): WxError {
  return new WxError(404, 'ORDER_NOT_EXIST', '订单不存在');
}
