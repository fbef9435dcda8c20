import { parseYuan } from '@blindbox/shared';
import { TradeBillIntegrityError, type TradeBill, type TradeBillRow } from '../../bills/trade-bill';

/**
 * WeChat Pay's trade bill (交易账单, bill_type ALL): a header line, one line per payment or refund with every
 * field prefixed by a backtick (so spreadsheets keep long numbers), then a summary header and one summary
 * line. Columns are found by their header names, which WeChat says may change order.
 */
const COLUMNS = {
  tradeTime: '交易时间',
  appid: '公众账号ID',
  mchid: '商户号',
  transactionId: '微信订单号',
  outTradeNo: '商户订单号',
  openid: '用户标识',
  tradeType: '交易类型',
  tradeState: '交易状态',
  refundId: '微信退款单号',
  outRefundNo: '商户退款单号',
  refundFen: '退款金额',
  refundStatus: '退款状态',
  attach: '商户数据包',
  totalFen: '订单金额',
  requestedRefundFen: '申请退款金额',
} as const;

const SUMMARY = { count: '总交易单数', totalFen: '订单总金额', requestedRefundFen: '申请退款总金额' } as const;

/** Throws TradeBillIntegrityError for anything but a well-formed bill whose summary agrees with its rows. */
export function parseTradeBillCsv(billDate: string, text: string): TradeBill {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((line) => line !== '');
  const [headerLine, ...rest] = lines;
  if (!headerLine) throw new TradeBillIntegrityError(`bill ${billDate}: empty file`);
  const summaryAt = rest.findIndex((line) => line.startsWith(SUMMARY.count));
  if (summaryAt < 0 || summaryAt !== rest.length - 2) throw new TradeBillIntegrityError(`bill ${billDate}: no summary block at the end`);

  const index = columnIndex(billDate, headerLine.split(','), Object.values(COLUMNS));
  const field = (cells: string[], name: string) => cells[index.get(name)!]!;
  const amount = (cells: string[], name: string, line: number) => {
    try {
      return parseYuan(field(cells, name));
    } catch {
      throw new TradeBillIntegrityError(`bill ${billDate}, line ${line}: ${name} is not an amount: ${JSON.stringify(field(cells, name))}`);
    }
  };

  let totalFen = 0;
  let requestedRefundFen = 0;
  const rows = rest.slice(0, summaryAt).map((line, i): TradeBillRow => {
    const lineNo = i + 2;
    const cells = backtickCells(billDate, line, lineNo);
    if (cells.length !== index.size) throw new TradeBillIntegrityError(`bill ${billDate}, line ${lineNo}: ${cells.length} fields, the header has ${index.size}`);
    const state = field(cells, COLUMNS.tradeState);
    if (state !== 'SUCCESS' && state !== 'REFUND') throw new TradeBillIntegrityError(`bill ${billDate}, line ${lineNo}: unexpected trade state ${state}`);
    const rowTotal = amount(cells, COLUMNS.totalFen, lineNo);
    const requested = amount(cells, COLUMNS.requestedRefundFen, lineNo);
    totalFen += rowTotal;
    requestedRefundFen += requested;
    const attach = field(cells, COLUMNS.attach);
    return {
      kind: state === 'SUCCESS' ? 'PAYMENT' : 'REFUND',
      tradeTime: new Date(`${field(cells, COLUMNS.tradeTime).replace(' ', 'T')}+08:00`),
      appid: field(cells, COLUMNS.appid),
      mchid: field(cells, COLUMNS.mchid),
      transactionId: field(cells, COLUMNS.transactionId),
      outTradeNo: field(cells, COLUMNS.outTradeNo),
      payerOpenid: field(cells, COLUMNS.openid),
      tradeType: field(cells, COLUMNS.tradeType),
      totalFen: rowTotal,
      attach: attach === '' ? null : attach,
      refund:
        state === 'REFUND'
          ? {
              outRefundNo: field(cells, COLUMNS.outRefundNo),
              refundId: field(cells, COLUMNS.refundId),
              refundFen: amount(cells, COLUMNS.refundFen, lineNo),
              status: field(cells, COLUMNS.refundStatus),
            }
          : null,
    };
  });

  const summaryHeader = rest[summaryAt]!.split(',');
  const summaryIndex = columnIndex(billDate, summaryHeader, Object.values(SUMMARY));
  const summary = backtickCells(billDate, rest[summaryAt + 1]!, lines.length);
  const summaryValue = (name: string) => summary[summaryIndex.get(name)!] ?? '';
  const agrees = (name: string, actualFen: number) => {
    const stated = summaryValue(name);
    if (!/^\d+(\.\d{1,2})?$/.test(stated) || parseYuan(stated) !== actualFen) {
      throw new TradeBillIntegrityError(`bill ${billDate}: summary says ${name} ${stated}, the rows add up to ${yuan(actualFen)}`);
    }
  };
  // WeChat's own sample bill writes the count as a spreadsheet number (`45.0`): the same count.
  const count = summaryValue(SUMMARY.count);
  if (!/^\d+(\.0+)?$/.test(count) || Number(count) !== rows.length) {
    throw new TradeBillIntegrityError(`bill ${billDate}: summary says ${count} rows, the file has ${rows.length}`);
  }
  agrees(SUMMARY.totalFen, totalFen);
  agrees(SUMMARY.requestedRefundFen, requestedRefundFen);
  return { billDate, rows };
}

function columnIndex(billDate: string, header: string[], required: readonly string[]): Map<string, number> {
  const index = new Map(header.map((name, i) => [name.trim(), i]));
  const missing = required.filter((name) => !index.has(name));
  if (missing.length > 0) throw new TradeBillIntegrityError(`bill ${billDate}: header lacks ${missing.join(', ')}`);
  return index;
}

/** Fields are split at ",`": a comma inside a field (a product name) is not followed by a backtick. */
function backtickCells(billDate: string, line: string, lineNo: number): string[] {
  if (!line.startsWith('`')) throw new TradeBillIntegrityError(`bill ${billDate}, line ${lineNo}: fields must start with a backtick`);
  return line.slice(1).split(',`');
}

function yuan(fen: number): string {
  return `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}
