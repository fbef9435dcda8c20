/**
 * The envelope around every /v3 call: merchant signature check, injected faults, error shape, and the signed
 * Wechatpay-* headers on every answer, errors included.
 */
import type { Middleware } from 'koa';
import type { SimContext } from './context';
import { WxError } from './errors';
import { parseJson, readText } from './http';
import { requestId, verifyMerchantRequest, wechatpayHeaders } from './signing';

/** Longest an answer is held back by the apiTimeout fault; far beyond any sane client timeout. */
const HOLD_ANSWER_MS = 120_000;

export function wechatPayApi(sim: SimContext): Middleware {
  return async (ctx, next) => {
    try {
      const raw = await readText(ctx);
      const injected = sim.faults.takeApiError();
      if (injected) throw new WxError(500, injected, '系统繁忙，请稍后重试（模拟故障）');
      verifyMerchantRequest(
        { method: ctx.method, url: ctx.originalUrl, body: raw, authorization: ctx.get('authorization') || undefined },
        sim.keys,
      );
      ctx.state.json = parseJson(raw);
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new WxError(404, 'NOT_FOUND', `${ctx.method} ${ctx.path} 不存在`);
    } catch (error) {
      if (error instanceof WxError) {
        ctx.status = error.status;
        ctx.body = error.toBody();
      } else {
        sim.logger.error({ err: error, path: ctx.path }, 'simulator API failure');
        ctx.status = 500;
        ctx.body = { code: 'SYSTEM_ERROR', message: '系统错误' };
      }
    }

    // A file download (the trade bill) goes out as it is, unsigned, as WeChat sends it.
    if (Buffer.isBuffer(ctx.body)) {
      ctx.set('Request-ID', requestId());
      ctx.type = 'application/octet-stream';
      return;
    }
    const text = ctx.status === 204 ? '' : JSON.stringify(ctx.body);
    ctx.set({ ...wechatpayHeaders(text, sim.keys.signer()), 'Request-ID': requestId() });
    if (ctx.status === 204) {
      ctx.body = null;
      ctx.status = 204;
    } else {
      ctx.body = text;
      ctx.type = 'application/json; charset=utf-8';
    }

    // The request was handled; only the answer goes missing, which is the ambiguous case clients must survive.
    if (sim.faults.takeApiTimeout()) {
      await new Promise<void>((resolve) => {
        const release = () => {
          clearTimeout(timer);
          sim.heldAnswers.delete(release);
          resolve();
        };
        const timer = setTimeout(release, HOLD_ANSWER_MS);
        sim.heldAnswers.add(release);
        ctx.req.once('close', release);
      });
      ctx.respond = false;
      ctx.req.socket.destroy();
    }
  };
}
