/** Domestic refunds: /v3/refund/domestic/refunds */
import Router from '@koa/router';
import { z } from 'zod';
import type { SimContext } from '../context';
import { WxError, paramError } from '../errors';
import { checkNotifyUrl, validate } from '../http';
import { newRefundId } from '../ids';
import { refundView, type RefundRecord } from '../model';
import { REFUND_SETTLE_MS } from '../refund-completion';

const refundSchema = z.object({
  transaction_id: z.string().min(1).max(32).optional(),
  out_trade_no: z.string().min(1).max(32).optional(),
  out_refund_no: z.string().regex(/^[A-Za-z0-9_\-|*@]{1,64}$/, '须为1-64位数字、大小写字母或_-|*@'),
  reason: z.string().max(80).optional(),
  notify_url: z.string().min(1).max(256).optional(),
  funds_account: z.string().optional(),
  amount: z.object({
    refund: z.number().int().positive(),
    total: z.number().int().positive(),
    currency: z.literal('CNY'),
  }),
});

/** Refunds that no longer hold money back from the refundable balance. */
const RELEASED_STATUSES = new Set(['CLOSED', 'ABNORMAL']);

export function refundRoutes(sim: SimContext): Router {
  const router = new Router({ prefix: '/v3/refund/domestic/refunds' });
  const { store } = sim;

  router.post('/', (ctx) => {
    const input = validate(refundSchema, ctx.state.json);
    if (!input.transaction_id && !input.out_trade_no) throw paramError('transaction_id 和 out_trade_no 须二选一', 'out_trade_no');
    if (input.notify_url !== undefined) checkNotifyUrl(input.notify_url);

    const tx = input.transaction_id
      ? store.findTransaction((t) => t.transactionId === input.transaction_id)
      : store.transaction(input.out_trade_no ?? '');
    if (!tx || (input.out_trade_no && tx.outTradeNo !== input.out_trade_no)) {
      throw new WxError(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
    }

    const existing = store.state.refunds[input.out_refund_no];
    if (existing) {
      if (existing.outTradeNo !== tx.outTradeNo || existing.refund !== input.amount.refund) {
        throw new WxError(400, 'INVALID_REQUEST', '商户退款单号已使用，且与本次请求的订单或金额不一致');
      }
      ctx.body = refundView(existing);
      return;
    }

    if (tx.transactionId === null || (tx.tradeState !== 'SUCCESS' && tx.tradeState !== 'REFUND')) {
      throw new WxError(400, 'INVALID_REQUEST', '订单未支付，不能退款');
    }
    if (input.amount.total !== tx.total) throw paramError('amount.total 与原订单金额不一致', 'amount.total');
    const refunded = Object.values(store.state.refunds)
      .filter((r) => r.outTradeNo === tx.outTradeNo && !RELEASED_STATUSES.has(r.status))
      .reduce((sum, r) => sum + r.refund, 0);
    if (input.amount.refund > tx.total - refunded) {
      throw new WxError(400, 'INVALID_REQUEST', `退款金额超过可退金额（剩余 ${tx.total - refunded} 分）`);
    }

    const now = Date.now();
    const refund: RefundRecord = {
      refundId: newRefundId(),
      outRefundNo: input.out_refund_no,
      outTradeNo: tx.outTradeNo,
      transactionId: tx.transactionId,
      reason: input.reason ?? null,
      notifyUrl: input.notify_url ?? null,
      refund: input.amount.refund,
      total: tx.total,
      currency: input.amount.currency,
      status: 'PROCESSING',
      createdAt: now,
      completesAt: now + REFUND_SETTLE_MS * sim.timeScale,
      successTime: null,
    };
    store.state.refunds[refund.outRefundNo] = refund;
    tx.tradeState = 'REFUND';
    store.save();
    sim.refunds.schedule(refund);
    sim.logger.info({ outTradeNo: tx.outTradeNo, outRefundNo: refund.outRefundNo, refund: refund.refund }, 'refund created');
    ctx.body = refundView(refund);
  });

  router.get('/:outRefundNo', (ctx) => {
    const refund = store.state.refunds[ctx.params.outRefundNo ?? ''];
    if (!refund) throw new WxError(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
    ctx.body = refundView(refund);
  });

  return router;
}
