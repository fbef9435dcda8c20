import type { TradeBillReport } from '../bills/trade-bill-report.model';
import { line } from './format';

const yuan = (fen: number | null) => (fen === null ? '-' : `¥${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`);
const counts = (report: TradeBillReport) =>
  Object.entries(report.counts)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ') || 'no findings';

export function formatBillList(reports: TradeBillReport[]): string {
  if (reports.length === 0) return 'no trade-bill reports';
  return reports
    .map((r) => `${r._id}  ${r.status.padEnd(6)}  rows ${String(r.rows).padStart(6)}  matched ${String(r.matched).padStart(6)}  ${r.status === 'FAILED' ? line`error: ${r.error ?? ''}` : counts(r)}`)
    .join('\n');
}

export function formatBillReport(report: TradeBillReport): string {
  const lines = [
    `trade bill ${report._id}  ${report.status}  by ${report.actor} at ${new Date(report.finishedAt).toISOString()}`,
    report.status === 'FAILED'
      ? line`  error: ${report.error ?? ''} (nothing was applied)`
      : `  rows ${report.rows} (payments ${report.payments}, refunds ${report.refunds}), matched ${report.matched}; ${counts(report)}`,
  ];
  for (const f of report.findings) {
    lines.push(
      line`  ${f.kind}  ${f.outTradeNo || '-'}  order ${f.orderId ?? '-'}  transaction ${f.transactionId ?? '-'}` +
        (f.outRefundNo ? line`  refund ${f.outRefundNo}` : '') +
        line`  bill ${yuan(f.billFen)} shop ${yuan(f.shopFen)}  ${f.detail}` +
        (f.applied ? line`  → applied: ${f.applied}` : ''),
    );
  }
  if (report.findingsTruncated) lines.push('  … more findings than kept; counts above are complete');
  return lines.join('\n');
}
