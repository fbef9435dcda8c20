/**
 * Trade bills (交易账单): GET /v3/bill/tradebill (signed JSON: hash and download URL) and the file itself at
 * GET /v3/billdownload/file (signed request, unsigned answer: raw CSV or gzip). The bill is made from the
 * simulator's own store, so it says exactly what this WeChat recorded. /sim/bill-faults corrupts the file
 * or the hash, for testing the merchant's integrity check.
 */
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import Router from '@koa/router';
import { z } from 'zod';
import type { SimContext } from '../context';
import { WxError, paramError } from '../errors';
import { parseJson, readText, validate } from '../http';
import type { RefundRecord, TransactionRecord } from '../model';
import { beijingTime } from '../time';

const HEADER =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
const SUMMARY_HEADER = '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';
/** The fee rate printed in each row, and charged: 0.60%; fen × 6 is the fee in 0.00001 yuan, the unit WeChat prints fees in. */
const FEE_RATE_PERMILLE = 6;
/** Download URLs stop working after this, like WeChat's (30 s there; longer here so slow test machines keep up). */
const DOWNLOAD_TTL_MS = 5 * 60_000;

const querySchema = z.object({
  bill_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '格式为 YYYY-MM-DD'),
  bill_type: z.enum(['ALL', 'SUCCESS', 'REFUND']).default('ALL'),
  tar_type: z.literal('GZIP').optional(),
  sub_mchid: z.string().optional(),
});

const faultSchema = z.object({ corrupt: z.enum(['none', 'file', 'hash']) }).strict();

/** One line of a bill: a paid transaction, or one of its refunds. */
export interface BillRowSource {
  at: number;
  tx: TransactionRecord;
  refund: RefundRecord | null;
}

export function billRoutes(sim: SimContext): Router {
  const router = new Router();
  const files = new Map<string, { bytes: Buffer; expiresAt: number }>();
  let corrupt: 'none' | 'file' | 'hash' = 'none';

  router.get('/v3/bill/tradebill', (ctx) => {
    const input = validate(querySchema, ctx.query);
    const start = Date.parse(`${input.bill_date}T00:00:00+08:00`);
    if (Number.isNaN(start)) throw paramError('bill_date 不是合法日期', 'bill_date');
    // Unlike WeChat (yesterday's bill after 10:00), today's bill is served too, so a test can pay and reconcile at once.
    if (start > Date.now()) throw new WxError(400, 'NO_STATEMENT_EXIST', '账单日期不能晚于今天');
    const sources = billRows(sim, start, start + 24 * 3600_000, input.bill_type);
    if (sources.length === 0) throw new WxError(400, 'NO_STATEMENT_EXIST', '当日无交易，账单文件不存在');
    const csv = Buffer.from(tradeBillCsv(sources));
    const bytes = input.tar_type === 'GZIP' ? gzipSync(csv) : csv;
    const token = randomBytes(24).toString('base64url');
    const hash = createHash('sha1').update(corrupt === 'hash' ? Buffer.concat([bytes, Buffer.from('x')]) : bytes).digest('hex');
    files.set(token, { bytes: corrupt === 'file' ? corrupted(bytes) : bytes, expiresAt: Date.now() + DOWNLOAD_TTL_MS });
    ctx.body = { hash_type: 'SHA1', hash_value: hash, download_url: `${ctx.protocol}://${ctx.host}/v3/billdownload/file?token=${token}` };
  });

  router.get('/v3/billdownload/file', (ctx) => {
    const file = files.get(typeof ctx.query.token === 'string' ? ctx.query.token : '');
    if (!file || file.expiresAt < Date.now()) throw new WxError(400, 'INVALID_REQUEST', '下载链接已失效，请重新申请账单');
    // A Buffer body leaves the API envelope unsigned: WeChat does not sign bill files either.
    ctx.body = file.bytes;
  });

  router.post('/sim/bill-faults', async (ctx) => {
    try {
      corrupt = validate(faultSchema, parseJson(await readText(ctx))).corrupt;
      ctx.body = { corrupt };
    } catch (error) {
      if (!(error instanceof WxError)) throw error;
      ctx.status = error.status;
      ctx.body = error.toBody();
    }
  });

  return router;
}

function billRows(sim: SimContext, start: number, end: number, type: 'ALL' | 'SUCCESS' | 'REFUND'): BillRowSource[] {
  const inDay = (at: number | null): at is number => at !== null && at >= start && at < end;
  const rows: BillRowSource[] = [];
  if (type !== 'REFUND') {
    for (const tx of Object.values(sim.store.state.transactions)) if (tx.transactionId && inDay(tx.successTime)) rows.push({ at: tx.successTime, tx, refund: null });
  }
  if (type !== 'SUCCESS') {
    for (const refund of Object.values(sim.store.state.refunds)) {
      const tx = sim.store.state.transactions[refund.outTradeNo];
      if (tx && inDay(refund.createdAt)) rows.push({ at: refund.createdAt, tx, refund });
    }
  }
  return rows.sort((a, b) => a.at - b.at);
}

/** The bill file as WeChat writes it (bill_type ALL), CRLF line ends. */
export function tradeBillCsv(rows: BillRowSource[]): string {
  const totals = { settlement: 0, refund: 0, fee: 0, order: 0, requested: 0 };
  const lines = rows.map(({ at, tx, refund }) => {
    const refundFen = refund?.refund ?? 0;
    const orderFen = refund ? 0 : tx.total;
    const feeMilli = (refund ? -refundFen : tx.total) * FEE_RATE_PERMILLE;
    totals.settlement += orderFen;
    totals.refund += refundFen;
    totals.fee += feeMilli;
    totals.order += orderFen;
    totals.requested += refundFen;
    return backticked([
      beijingTime(at).slice(0, 19).replace('T', ' '),
      tx.appid,
      tx.mchid,
      '0',
      '',
      tx.transactionId ?? '',
      tx.outTradeNo,
      tx.payerOpenid ?? '',
      tx.tradeType,
      refund ? 'REFUND' : 'SUCCESS',
      'OTHERS',
      tx.currency,
      yuan(orderFen),
      '0.00',
      refund?.refundId ?? '0',
      refund?.outRefundNo ?? '0',
      yuan(refundFen),
      '0.00',
      refund ? 'ORIGINAL' : '',
      refund?.status ?? '',
      tx.description,
      tx.attach ?? '',
      fee(feeMilli),
      '0.60%',
      yuan(orderFen),
      yuan(refundFen),
      '',
    ]);
  });
  const summary = backticked([
    String(rows.length),
    yuan(totals.settlement - totals.refund),
    yuan(totals.refund),
    '0.00',
    fee(totals.fee),
    yuan(totals.order),
    yuan(totals.requested),
  ]);
  return `${[HEADER, ...lines, SUMMARY_HEADER, summary].join('\r\n')}\r\n`;
}

const backticked = (fields: string[]) => fields.map((field) => `\`${field}`).join(',');

function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Fees are printed with five decimals of a yuan. */
function fee(milliFen: number): string {
  const sign = milliFen < 0 ? '-' : '';
  const abs = Math.abs(milliFen);
  return `${sign}${Math.trunc(abs / 100_000)}.${String(abs % 100_000).padStart(5, '0')}`;
}

/** Changes one digit of the file, so it still looks like a bill (or a gzip stream) but is not the one hashed. */
function corrupted(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  const at = Math.floor(copy.length / 2);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}
