import { z } from 'zod';
import { consoleIsoDate } from './common';

export const FINDING_KIND_LABELS = {
  PAID_NOT_FULFILLED: '已付款未履约',
  MISSING_FROM_BILL: '账单缺少',
  AMOUNT_MISMATCH: '金额不符',
  STATUS_MISMATCH: '状态不符',
  UNKNOWN_OUT_TRADE_NO: '未知商户订单号',
} as const;

export const billSummarySchema = z.object({
  day: z.string(),
  status: z.enum(['DONE', 'FAILED']),
  error: z.string().nullable(),
  rows: z.number().int(),
  payments: z.number().int(),
  refunds: z.number().int(),
  matched: z.number().int(),
  findings: z.number().int(),
  counts: z.record(z.string(), z.number().int()),
  finishedAt: consoleIsoDate,
  actor: z.string(),
});
export const billListResponseSchema = z.object({ items: z.array(billSummarySchema) });

export const billFindingSchema = z.object({
  kind: z.string(),
  outTradeNo: z.string(),
  orderId: z.string().nullable(),
  transactionId: z.string().nullable(),
  outRefundNo: z.string().nullable(),
  billFen: z.number().int().nullable(),
  shopFen: z.number().int().nullable(),
  detail: z.string(),
  applied: z.string().nullable(),
});
export const billDetailResponseSchema = billSummarySchema.extend({ findingsList: z.array(billFindingSchema), findingsTruncated: z.boolean() });
