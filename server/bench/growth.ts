import mongoose, { Types } from 'mongoose';
import { orderModel } from '../src/orders/order.model';

export interface GrowthRow {
  historical: number;
  pending: number;
  medianMs: number;
  plan: string;
}

const SIZES = [1_000, 10_000, 100_000];
/** Bulk loading is the slow part on FerretDB; a size whose projected load exceeds this is skipped. */
const LOAD_BUDGET_MS = 20_000;
const BATCH = 1_000;

function historicalOrder(n: number, userId: Types.ObjectId) {
  const at = new Date(Date.now() - 30 * 86_400_000 + n * 1000);
  return {
    _id: new Types.ObjectId(),
    userId,
    openid: 'o-bench-history',
    status: 'COMPLETED',
    items: [],
    subtotalFen: 1990,
    discountFen: 0,
    totalFen: 1990,
    expiresAt: at,
    paidAt: at,
    draws: [],
    payment: { attemptCount: 1, current: null, transactionId: `hist-${n}`, extraTransactionIds: [] },
    refunds: [],
    releasedAt: null,
    audit: [],
    createdAt: at,
    updatedAt: at,
  };
}

function pendingOrder(n: number, userId: Types.ObjectId) {
  const at = new Date(Date.now() - 3_600_000 + n * 1000);
  return {
    ...historicalOrder(n, userId),
    status: 'TO_BE_PAID',
    paidAt: null,
    payment: { attemptCount: 1, current: { outTradeNo: `P${n}`, kind: 'JSAPI', timeExpire: at, createdAt: at, prepayId: `wx${n}`, codeUrl: null }, transactionId: null, extraTransactionIds: [] },
  };
}

/**
 * Times the reconciliation job's selection query (same filter, sort and limit as reconcile-payments.job.ts)
 * as paid history grows, with the real model's indexes in place.
 */
export async function measureGrowth(uri: string, log: (line: string) => void): Promise<GrowthRow[]> {
  const db = mongoose.createConnection(uri, { dbName: `bench_growth_${Date.now()}` });
  await db.asPromise();
  try {
    const Order = orderModel(db);
    await Order.init();
    const orders = db.collection('orders');
    const userId = new Types.ObjectId();
    await orders.insertMany(Array.from({ length: 100 }, (_, n) => pendingOrder(n, userId)));
    const rows: GrowthRow[] = [];
    let loaded = 0;
    let msPerDoc = 0;
    for (const size of SIZES) {
      const projected = (size - loaded) * msPerDoc;
      if (projected > LOAD_BUDGET_MS) {
        log(`growth: skipping ${size} (projected load ${(projected / 1000).toFixed(0)} s)`);
        break;
      }
      const t0 = performance.now();
      while (loaded < size) {
        const count = Math.min(BATCH, size - loaded);
        await orders.insertMany(Array.from({ length: count }, (_, i) => historicalOrder(loaded + i, userId)), { ordered: false });
        loaded += count;
      }
      msPerDoc = (performance.now() - t0) / Math.max(1, size - (rows.at(-1)?.historical ?? 0));
      const now = Date.now();
      const filter: Record<string, unknown> = {
        status: 'TO_BE_PAID',
        'payment.current.createdAt': { $lte: new Date(now - 60_000) },
        $or: [{ 'payment.lastCheckedAt': null }, { 'payment.lastCheckedAt': { $lt: new Date(now - 59_999) } }],
      };
      const timings: number[] = [];
      let found = 0;
      for (let run = 0; run < 7; run++) {
        const t = performance.now();
        found = (await Order.find(filter).sort({ 'payment.current.createdAt': 1 }).limit(100).lean()).length;
        timings.push(performance.now() - t);
      }
      timings.sort((a, b) => a - b);
      const explained = (await Order.find(filter).sort({ 'payment.current.createdAt': 1 }).limit(100).explain()) as unknown;
      const plan = JSON.stringify(explained).includes('IXSCAN') || JSON.stringify(explained).includes('"pushdown":true') ? 'index' : 'no index in plan';
      if (found !== 100) throw new Error(`reconciliation query found ${found} of 100 pending orders`);
      rows.push({ historical: size, pending: 100, medianMs: timings[Math.floor(timings.length / 2)] ?? 0, plan });
      log(`growth: ${size} historical → ${rows.at(-1)!.medianMs.toFixed(1)} ms`);
    }
    return rows;
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await db.close();
  }
}
