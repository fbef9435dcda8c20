/** /sim/*: drives the simulator from tests, scripts and the H5 cashier pages. No merchant auth. */
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import type { SimContext } from '../context';
import { WxError } from '../errors';
import { faultsSchema } from '../faults';
import { parseJson, readText, validate } from '../http';
import { refundView, transactionView, type TransactionRecord } from '../model';
import { beijingTime } from '../time';
import { payAsUser } from '../user-payment';
import { PREPAY_ID_TTL_MS } from './transactions';

const paySchema = z
  .object({
    prepayId: z.string().min(1).optional(),
    outTradeNo: z.string().min(1).optional(),
    codeUrl: z.string().min(1).optional(),
    result: z.enum(['SUCCESS', 'CANCEL', 'PAYERROR']),
    openid: z.string().min(1).optional(),
  })
  .refine((body) => body.prepayId ?? body.outTradeNo ?? body.codeUrl, 'one of prepayId, outTradeNo, codeUrl is required');

/** The H5 build of the mini-program calls these from a browser page on another origin. */
export const corsForControl: Middleware = async (ctx, next) => {
  if (!ctx.path.startsWith('/sim/')) return next();
  ctx.set({
    'Access-Control-Allow-Origin': ctx.get('origin') || '*',
    'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
    'Access-Control-Allow-Headers': ctx.get('access-control-request-headers') || 'Content-Type',
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
  });
  if (ctx.method === 'OPTIONS') {
    ctx.status = 204;
    return;
  }
  await next();
};

/** `extend` adds other simulated products' control routes (complaints) under the same parsing and errors. */
export function controlRoutes(sim: SimContext, extend: (router: Router) => void = () => undefined): Router {
  const router = new Router({ prefix: '/sim' });
  const { store, keys, notifier, faults } = sim;

  router.use(async (ctx, next) => {
    try {
      if (ctx.method === 'POST') ctx.state.json = parseJson(await readText(ctx));
      await next();
    } catch (error) {
      if (!(error instanceof WxError)) throw error;
      ctx.status = error.status;
      ctx.body = error.toBody();
    }
  });

  router.get('/info', (ctx) => {
    ctx.body = {
      appid: keys.credentials.appid,
      mchid: keys.credentials.mchid,
      signingMode: keys.signingMode,
      signingSerial: keys.signer().serial,
      platformSerials: keys.listedPlatformCertificates().map((cert) => cert.serialNo),
      publicKeyId: keys.credentials.publicKeyId,
      timeScale: sim.timeScale,
    };
  });

  router.post('/pay', (ctx) => {
    const input = validate(paySchema, ctx.state.json);
    const tx = findForPayment(input);
    payAsUser(sim, tx, input.result, input.openid);
    ctx.body = transactionView(tx);
  });

  router.get('/transactions/:outTradeNo', (ctx) => {
    const tx = store.transaction(ctx.params.outTradeNo ?? '');
    if (!tx) throw new WxError(404, 'ORDER_NOT_EXIST', '订单不存在');
    ctx.body = {
      ...transactionView(tx),
      sim: {
        description: tx.description,
        notifyUrl: tx.notifyUrl,
        prepayId: tx.prepayId,
        codeUrl: tx.codeUrl,
        createdAt: beijingTime(tx.createdAt),
        expiresAt: beijingTime(tx.expiresAt),
        refunds: Object.values(store.state.refunds).filter((r) => r.outTradeNo === tx.outTradeNo).map(refundView),
      },
    };
  });

  router.get('/notifications', (ctx) => {
    const outTradeNo = typeof ctx.query.outTradeNo === 'string' ? ctx.query.outTradeNo : undefined;
    const matches = (record: { outTradeNo: string | null }) => outTradeNo === undefined || record.outTradeNo === outTradeNo;
    ctx.body = {
      deliveries: store.state.deliveries.filter(matches).map((delivery) => ({
        ...delivery,
        createdAt: beijingTime(delivery.createdAt),
        lastAttemptAt: delivery.lastAttemptAt === null ? null : beijingTime(delivery.lastAttemptAt),
        nextAttemptAt: delivery.nextAttemptAt === null ? null : beijingTime(delivery.nextAttemptAt),
      })),
      attempts: store.state.attempts.filter(matches),
    };
  });

  router.post('/notifications/flush', async (ctx) => {
    await notifier.flush();
    ctx.body = { pending: store.state.deliveries.filter((d) => d.status === 'pending').length };
  });

  router.post('/faults', (ctx) => {
    faults.set(validate(faultsSchema, ctx.state.json));
    ctx.body = faults.snapshot();
  });

  router.delete('/faults', (ctx) => {
    faults.clear();
    ctx.body = faults.snapshot();
  });

  router.post('/time-scale', (ctx) => {
    sim.timeScale = validate(z.object({ scale: z.number().positive().max(1000) }), ctx.state.json).scale;
    notifier.rescale();
    ctx.body = { timeScale: sim.timeScale };
  });

  router.post('/rotate-platform-certificate', async (ctx) => {
    const created = await keys.rotatePlatformCertificate();
    ctx.body = {
      serialNo: created.serialNo,
      signingSerial: keys.signer().serial,
      listed: keys.listedPlatformCertificates().map((cert) => cert.serialNo),
    };
  });

  router.post('/signing-mode', (ctx) => {
    const schema = z.object({ mode: z.enum(['platform-certificate', 'public-key']) });
    keys.signingMode = validate(schema, ctx.state.json).mode;
    ctx.body = { mode: keys.signingMode, serial: keys.signer().serial };
  });

  router.post('/signtest', async (ctx) => {
    const { notifyUrl } = validate(z.object({ notifyUrl: z.url() }), ctx.state.json);
    ctx.body = await notifier.probe(notifyUrl);
  });

  router.post('/reset', (ctx) => {
    sim.refunds.stop();
    notifier.reset();
    store.reset();
    keys.seedPlatformCertificates();
    faults.clear();
    ctx.body = { ok: true };
  });

  extend(router);

  function findForPayment(input: z.infer<typeof paySchema>): TransactionRecord {
    const now = Date.now();
    if (input.outTradeNo) {
      const tx = store.transaction(input.outTradeNo, now);
      if (tx) return tx;
    } else if (input.prepayId) {
      const tx = store.findTransaction((t) => t.prepayId === input.prepayId);
      if (tx && now - tx.prepayIssuedAt >= PREPAY_ID_TTL_MS) throw new WxError(400, 'PREPAY_EXPIRED', 'prepay_id 已过期');
      if (tx) return tx;
    } else if (input.codeUrl) {
      const tx = store.findTransaction((t) => t.codeUrl === input.codeUrl);
      if (tx) return tx;
    }
    throw new WxError(404, 'ORDER_NOT_EXIST', '找不到对应的订单');
  }

  return router;
}
