import { z } from 'zod';
import type { PaymentTransaction, RefundResult } from './gateway';

// WeChat adds fields over time; unknown ones are kept in `raw` and otherwise ignored.
const optionalText = z
  .string()
  .nullish()
  .transform((value) => (value ? value : null));

const timestamp = z
  .string()
  .nullish()
  .transform((value, ctx) => {
    if (!value) return null;
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: 'custom', message: `not an RFC 3339 time: ${value}` });
      return z.NEVER;
    }
    return date;
  });

const transactionSchema = z.looseObject({
  appid: z.string(),
  mchid: z.string(),
  out_trade_no: z.string(),
  transaction_id: optionalText,
  trade_type: optionalText,
  trade_state: z.enum(['SUCCESS', 'REFUND', 'NOTPAY', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR']),
  attach: optionalText,
  success_time: timestamp,
  payer: z.looseObject({ openid: optionalText }).nullish(),
  amount: z.looseObject({ total: z.number().int().min(0), currency: optionalText }),
});

// Query and create answers call the state `status`; the refund callback resource calls it `refund_status`.
const refundStatus = z.enum(['PROCESSING', 'SUCCESS', 'CLOSED', 'ABNORMAL']);
const refundSchema = z
  .looseObject({
    refund_id: z.string(),
    out_refund_no: z.string(),
    out_trade_no: z.string(),
    status: refundStatus.optional(),
    refund_status: refundStatus.optional(),
    amount: z.looseObject({ refund: z.number().int().min(0) }),
  })
  .transform((refund, ctx) => {
    const status = refund.status ?? refund.refund_status;
    if (!status) {
      ctx.addIssue({ code: 'custom', message: 'status or refund_status required' });
      return z.NEVER;
    }
    return { ...refund, status };
  });

export function toPaymentTransaction(json: unknown): PaymentTransaction {
  const parsed = transactionSchema.parse(json);
  return {
    appid: parsed.appid,
    mchid: parsed.mchid,
    outTradeNo: parsed.out_trade_no,
    transactionId: parsed.transaction_id,
    tradeType: parsed.trade_type,
    tradeState: parsed.trade_state,
    amountFen: parsed.amount.total,
    currency: parsed.amount.currency,
    payerOpenid: parsed.payer?.openid ?? null,
    successTime: parsed.success_time,
    attach: parsed.attach,
    raw: json as Record<string, unknown>,
  };
}

export function toRefundResult(json: unknown): RefundResult {
  const parsed = refundSchema.parse(json);
  return {
    outRefundNo: parsed.out_refund_no,
    outTradeNo: parsed.out_trade_no,
    refundId: parsed.refund_id,
    status: parsed.status,
    refundFen: parsed.amount.refund,
    raw: json as Record<string, unknown>,
  };
}

const BEIJING_OFFSET_MS = 8 * 3600_000;

/** RFC 3339 in China Standard Time, second precision, e.g. 2026-11-22T20:15:00+08:00. */
export function formatBeijingTime(date: Date): string {
  return `${new Date(date.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 19)}+08:00`;
}
