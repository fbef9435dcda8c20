import { Schema } from 'mongoose';
import { defineModel } from '../db/define-model';

export type FindingKind = 'PAID_NOT_FULFILLED' | 'MISSING_FROM_BILL' | 'AMOUNT_MISMATCH' | 'STATUS_MISMATCH' | 'UNKNOWN_OUT_TRADE_NO';

export const FINDING_KINDS: readonly FindingKind[] = ['PAID_NOT_FULFILLED', 'MISSING_FROM_BILL', 'AMOUNT_MISMATCH', 'STATUS_MISMATCH', 'UNKNOWN_OUT_TRADE_NO'];

/** One difference between the bill and the shop. */
export interface Finding {
  kind: FindingKind;
  outTradeNo: string;
  orderId: string | null;
  transactionId: string | null;
  outRefundNo: string | null;
  /** Amounts in fen as the bill and as the shop have them, where the finding is about an amount. */
  billFen: number | null;
  shopFen: number | null;
  detail: string;
  /** PAID_NOT_FULFILLED only: what applying the payment through the guarded path did. */
  applied: string | null;
}

/** The outcome of reconciling one day's bill (_id = the Beijing day, YYYY-MM-DD); a re-run replaces it. */
export interface TradeBillReport {
  _id: string;
  status: 'DONE' | 'FAILED';
  /** Why the bill was not used (FAILED): nothing was applied. */
  error: string | null;
  rows: number;
  payments: number;
  refunds: number;
  matched: number;
  counts: Partial<Record<FindingKind, number>>;
  /** At most FINDINGS_KEPT, so one bad day cannot outgrow a document; `counts` has them all. */
  findings: Finding[];
  findingsTruncated: boolean;
  startedAt: Date;
  finishedAt: Date;
  actor: string;
}

export const FINDINGS_KEPT = 2_000;

const tradeBillReportSchema = new Schema<TradeBillReport>(
  {
    _id: { type: String, required: true },
    status: { type: String, enum: ['DONE', 'FAILED'], required: true },
    error: { type: String, default: null },
    rows: Number,
    payments: Number,
    refunds: Number,
    matched: Number,
    counts: { type: Schema.Types.Mixed, default: {} },
    findings: { type: Schema.Types.Mixed, default: [] },
    findingsTruncated: { type: Boolean, default: false },
    startedAt: Date,
    finishedAt: Date,
    actor: String,
  },
  { versionKey: false, minimize: false },
);

// The console's bill list and dashboard: the reports of the last weeks (an _id range is not pushed down).
tradeBillReportSchema.index({ finishedAt: 1 });

export const tradeBillReportModel = defineModel<TradeBillReport>('TradeBillReport', tradeBillReportSchema);
