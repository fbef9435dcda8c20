/**
 * Trade-bill benchmark: a day's bill of `rows` lines (nine payments to one refund), written by the simulator's
 * bill writer and gzipped, goes through the WeChat Pay adapter's download path (gunzip, SHA1 check, parse)
 * and is compared with as many orders. No network or database: this measures our code, which must stay far
 * below WeChat's 10:00 → next-day window (target: 10,000 rows in under 5 s).
 *
 * `npm run bench` can add it as: const { rows, ms } = await benchTradeBill(); (`tsx server/bench/trade-bill.ts` prints it alone.)
 */
import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { tradeBillCsv, wechatGzip, type BillRowSource } from '../simulator/src/routes/bills';
import type { RefundRecord, TransactionRecord } from '../simulator/src/model';
import { wechatPayTradeBills } from '../src/payments/wechatpay/trade-bill-download';
import { compareBill, type BillOrder } from '../src/bills/bill-reconciliation';

export interface TradeBillBench {
  rows: number;
  ms: number;
  findings: number;
  matched: number;
}

export async function benchTradeBill(rowCount = 10_000): Promise<TradeBillBench> {
  const day = '2026-11-30';
  const dayStart = Date.parse(`${day}T00:00:00+08:00`);
  const sources: BillRowSource[] = [];
  const orders = new Map<string, BillOrder>();
  for (let i = 0; sources.length < rowCount; i++) {
    const id = new Types.ObjectId();
    const at = dayStart + Math.floor((i * 86_400_000) / rowCount);
    const total = 1990 + (i % 7) * 1000;
    const tx = transaction(`${id.toHexString()}_1`, `42000${String(i).padStart(23, '0')}`, total, at);
    sources.push({ at, tx, refund: null });
    const refunded = i % 9 === 8 && sources.length < rowCount;
    const refunds: BillOrder['refunds'] = [];
    if (refunded) {
      const refund = refundOf(tx, `R${i}`, at + 1000);
      sources.push({ at: at + 1000, tx, refund });
      refunds.push({ outRefundNo: refund.outRefundNo, amountFen: refund.refund, status: 'SUCCESS' });
    }
    orders.set(id.toHexString(), {
      _id: id,
      status: refunded ? 'REFUNDED' : 'TO_BE_DELIVERED',
      totalFen: total,
      payment: { attemptCount: 1, transactionId: tx.transactionId, outTradeNo: tx.outTradeNo, extraTransactionIds: [], successTime: new Date(at) },
      refunds,
    });
  }
  const csv = Buffer.from(tradeBillCsv(sources));
  const file = wechatGzip(csv, `${day.replaceAll('-', '')}_ALL.csv`, dayStart);
  const source = wechatPayTradeBills({
    // WeChat's hash is of the bill, not of the gzip around it.
    applyTradeBill: async () => ({ hashType: 'SHA1', hashValue: createHash('sha1').update(csv).digest('hex'), downloadUrl: 'https://api.mch.weixin.qq.com/v3/billdownload/file?token=bench' }),
    downloadBillFile: async () => file,
  });

  const started = performance.now();
  const bill = await source.downloadTradeBill(day);
  const comparison = compareBill(bill, orders, orders.values());
  const ms = performance.now() - started;
  return { rows: bill.rows.length, ms, findings: comparison.findings.length, matched: comparison.matched };
}

function transaction(outTradeNo: string, transactionId: string, total: number, at: number): TransactionRecord {
  return {
    appid: 'wx0000000000000000',
    mchid: '1900000001',
    outTradeNo,
    tradeType: 'JSAPI',
    description: '盲盒, 限定款',
    attach: null,
    notifyUrl: 'https://shop.example/notify',
    total,
    currency: 'CNY',
    payerOpenid: 'o0000000000000000000000000',
    fingerprint: '',
    createdAt: at - 60_000,
    expiresAt: at + 600_000,
    prepayId: null,
    prepayIssuedAt: at - 60_000,
    codeUrl: null,
    tradeState: 'SUCCESS',
    transactionId,
    successTime: at,
    closedAt: null,
  };
}

function refundOf(tx: TransactionRecord, outRefundNo: string, at: number): RefundRecord {
  return {
    refundId: `50${outRefundNo.padStart(27, '0')}`,
    outRefundNo,
    outTradeNo: tx.outTradeNo,
    transactionId: tx.transactionId!,
    reason: null,
    notifyUrl: null,
    refund: tx.total,
    total: tx.total,
    currency: 'CNY',
    status: 'SUCCESS',
    createdAt: at,
    completesAt: at,
    successTime: at,
  };
}

if (require.main === module) {
  benchTradeBill()
    .then((result) => console.log(JSON.stringify(result)))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
