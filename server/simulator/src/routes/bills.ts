/**
 * Trade bills (交易账单): GET /v3/bill/tradebill (signed JSON: hash and download URL) and the file itself at
 * GET /v3/billdownload/file (signed request, unsigned answer: raw CSV or gzip). The bill is made from the
 * simulator's own store, so it says exactly what this WeChat recorded. /sim/bill-faults corrupts the file
 * or the hash, for testing the merchant's integrity check.
 */
import { createHash, randomBytes } from 'node:crypto';
import { crc32, deflateRawSync } from 'node:zlib';
import Router from '@koa/router';
import { z } from 'zod';
import type { SimContext } from '../context';
import { WxError, paramError } from '../errors';
import { parseJson, readText, validate } from '../http';
import type { RefundRecord, TransactionRecord } from '../model';
import { beijingTime } from '../time';

/**
 * The three layouts WeChat documents (交易账单文件格式说明, https://pay.weixin.qq.com/docs/merchant/products/bill-download/format-trade.html):
 * ALL has every column; SUCCESS drops the refund columns (and their totals); REFUND adds 退款申请时间 and 退款成功时间
 * after 代金券金额. Each layout's columns and summary are listed by name and filled from one row's values below.
 */
const LAYOUTS = {
  ALL: {
    header: '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注',
    summary: '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额',
  },
  SUCCESS: {
    header: '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注',
    summary: '总交易单数,应结订单总金额,手续费总金额,订单总金额',
  },
  REFUND: {
    header: '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注',
    summary: '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额',
  },
} as const;
export type BillType = keyof typeof LAYOUTS;
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
    const original = Buffer.from(tradeBillCsv(sources, input.bill_type));
    // hash_value: "原始账单(gzip需要解压缩)的摘要值" (申请交易账单, https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter7_9_1.shtml):
    // the SHA1 of the bill before compression, whatever tar_type is (wechatpay-java's BillDownloadServiceExtension
    // digests the GZIPInputStream). The `file` fault changes the bill itself, so a gzip one still unzips.
    const hash = createHash('sha1').update(corrupt === 'hash' ? Buffer.concat([original, Buffer.from('x')]) : original).digest('hex');
    const served = corrupt === 'file' ? corrupted(original) : original;
    const bytes = input.tar_type === 'GZIP' ? wechatGzip(served, `${input.bill_date.replaceAll('-', '')}_${input.bill_type}.csv`, Date.now()) : served;
    const token = randomBytes(24).toString('base64url');
    files.set(token, { bytes, expiresAt: Date.now() + DOWNLOAD_TTL_MS });
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

function billRows(sim: SimContext, start: number, end: number, type: BillType): BillRowSource[] {
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

/**
 * The bill file as WeChat writes it, in the layout of `type`, CRLF line ends. A refund line settles nothing
 * (应结订单金额 0.00), so 应结订单总金额 is the day's gross takings, not net of refunds, as in WeChat's bills.
 */
export function tradeBillCsv(rows: BillRowSource[], type: BillType = 'ALL'): string {
  const layout = LAYOUTS[type];
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
    const values: Record<string, string> = {
      交易时间: billTime(at),
      公众账号ID: tx.appid,
      商户号: tx.mchid,
      特约商户号: '0',
      设备号: '',
      微信订单号: tx.transactionId ?? '',
      商户订单号: tx.outTradeNo,
      用户标识: tx.payerOpenid ?? '',
      交易类型: tx.tradeType,
      交易状态: refund ? 'REFUND' : 'SUCCESS',
      付款银行: 'OTHERS',
      货币种类: tx.currency,
      应结订单金额: yuan(orderFen),
      代金券金额: '0.00',
      退款申请时间: refund ? billTime(refund.createdAt) : '',
      退款成功时间: refund?.successTime ? billTime(refund.successTime) : '',
      微信退款单号: refund?.refundId ?? '0',
      商户退款单号: refund?.outRefundNo ?? '0',
      退款金额: yuan(refundFen),
      充值券退款金额: '0.00',
      退款类型: refund ? 'ORIGINAL' : '',
      退款状态: refund?.status ?? '',
      商品名称: tx.description,
      商户数据包: tx.attach ?? '',
      手续费: fee(feeMilli),
      费率: '0.60%',
      订单金额: yuan(orderFen),
      申请退款金额: yuan(refundFen),
      费率备注: '',
    };
    return backticked(layout.header.split(',').map((name) => values[name] ?? ''));
  });
  const summaryValues: Record<string, string> = {
    总交易单数: String(rows.length),
    应结订单总金额: yuan(totals.settlement),
    退款总金额: yuan(totals.refund),
    充值券退款总金额: '0.00',
    手续费总金额: fee(totals.fee),
    订单总金额: yuan(totals.order),
    申请退款总金额: yuan(totals.requested),
  };
  const summary = backticked(layout.summary.split(',').map((name) => summaryValues[name] ?? ''));
  return `${[layout.header, ...lines, layout.summary, summary].join('\r\n')}\r\n`;
}

/**
 * A bill compressed the way a download of a named .gzip file comes: a gzip member whose header carries the file
 * name and time (FNAME, MTIME), so its bytes depend on more than the bill. That is why WeChat hashes the bill,
 * not the archive.
 */
export function wechatGzip(bill: Buffer, fileName: string, at: number): Buffer {
  const header = Buffer.alloc(10);
  header.set([0x1f, 0x8b, 0x08, 0x08]); // magic, deflate, FLG.FNAME
  header.writeUInt32LE(Math.floor(at / 1000), 4);
  header[9] = 0x03; // OS: Unix
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(bill), 0);
  trailer.writeUInt32LE(bill.length % 2 ** 32, 4);
  return Buffer.concat([header, Buffer.from(`${fileName}\0`, 'latin1'), deflateRawSync(bill), trailer]);
}

const billTime = (at: number) => beijingTime(at).slice(0, 19).replace('T', ' ');

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

/** Changes one digit of the bill, so it still reads as a bill but is not the one hashed. */
function corrupted(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  const at = Math.floor(copy.length / 2);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}
