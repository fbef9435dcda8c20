import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TradeBillIntegrityError } from '../../bills/trade-bill';
import { parseTradeBillCsv } from './trade-bill-csv';

const HEADER =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
const SUMMARY = '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';
const row = (fields: string[]) => fields.map((field) => `\`${field}`).join(',');
const paymentFields = [
  '2026-11-30 23:59:59', 'wxappid', '1900000001', '0', '', '4200000001', '6561a0c1e2f3a4b5c6d7e8f9_1', 'openid-1', 'JSAPI', 'SUCCESS', 'OTHERS', 'CNY',
  '0.29', '0.00', '0', '0', '0.00', '0.00', '', '', '盲盒, 限定款', '', '0.00174', '0.60%', '0.29', '0.00', '',
];
const payment = row(paymentFields);
const refund = row([
  '2026-11-30 10:00:00', 'wxappid', '1900000001', '0', '', '4200000001', '6561a0c1e2f3a4b5c6d7e8f9_1', 'openid-1', 'JSAPI', 'REFUND', 'OTHERS', 'CNY',
  '0.00', '0.00', '50000001', 'R1', '0.10', '0.00', 'ORIGINAL', 'SUCCESS', '盲盒, 限定款', '', '-0.00060', '0.60%', '0.00', '0.10', '',
]);
const bill = (lines: string[], summary: string[]) => [HEADER, ...lines, SUMMARY, row(summary)].join('\r\n') + '\r\n';

test('reads WeChat\'s bill format: backticked fields, commas inside a field, amounts as exact fen, Beijing times', () => {
  const parsed = parseTradeBillCsv('2026-11-30', `\uFEFF${bill([payment, refund], ['2', '0.19', '0.10', '0.00', '0.00114', '0.29', '0.10'])}`);
  expect(parsed.rows).toHaveLength(2);
  expect(parsed.rows[0]).toMatchObject({ kind: 'PAYMENT', outTradeNo: '6561a0c1e2f3a4b5c6d7e8f9_1', transactionId: '4200000001', totalFen: 29, refund: null, attach: null });
  expect(parsed.rows[0]?.tradeTime.toISOString()).toBe('2026-11-30T15:59:59.000Z');
  expect(parsed.rows[1]).toMatchObject({ kind: 'REFUND', totalFen: 0, refund: { outRefundNo: 'R1', refundId: '50000001', refundFen: 10, status: 'SUCCESS' } });
});

test('a bill whose summary disagrees with its rows, or that lost its summary, is refused whole', () => {
  const cases = [
    bill([payment, refund], ['3', '0.19', '0.10', '0.00', '0.00114', '0.29', '0.10']),
    bill([payment, refund], ['2', '0.19', '0.10', '0.00', '0.00114', '0.30', '0.10']),
    bill([payment, refund], ['2', '0.19', '0.10', '0.00', '0.00114', '0.29', '0.09']),
    [HEADER, payment].join('\r\n'),
    bill([row(paymentFields.map((field, i) => (i === 24 ? '0.2x' : field)))], ['1', '0.29', '0.00', '0.00', '0.00174', '0.29', '0.00']),
    bill([payment.slice(1)], ['1', '0.29', '0.00', '0.00', '0.00174', '0.29', '0.00']),
    bill([payment], ['1', '0.29', '0.00', '0.00', '0.00174', '0.29', '0.00']).replace('商户订单号', '订单号'),
  ];
  const accepted = cases.flatMap((text, i) => {
    try {
      parseTradeBillCsv('2026-11-30', text);
      return [i];
    } catch (error) {
      expect(error).toBeInstanceOf(TradeBillIntegrityError);
      return [];
    }
  });
  expect(accepted).toEqual([]);
});

test("reads WeChat's own published sample bill, whose summary writes the row count as a decimal (`1.0`, `45.0`)", () => {
  const sample = readFileSync(path.join(__dirname, 'fixtures', 'wechat-sample-bill-all.csv'), 'utf8');
  const parsed = parseTradeBillCsv('2022-03-21', sample);
  expect(parsed.rows).toEqual([
    expect.objectContaining({
      kind: 'PAYMENT',
      appid: 'wxfdc955f7104ad557',
      mchid: '180023671',
      transactionId: '420000612032130748613220688',
      outTradeNo: '2021WERUN1647840687637',
      payerOpenid: 'oZWaCKXip5njeEiloC4oeOV1TTsk',
      tradeType: 'JSAPI',
      totalFen: 1,
      refund: null,
    }),
  ]);
  expect(parsed.rows[0]?.tradeTime.toISOString()).toBe('2022-03-21T05:51:31.000Z');
  // A decimal count is still checked: 2.0 rows is not one.
  expect(() => parseTradeBillCsv('2022-03-21', sample.replace('`1.0,', '`2.0,'))).toThrow(TradeBillIntegrityError);
  expect(() => parseTradeBillCsv('2022-03-21', sample.replace('`1.0,', '`1.5,'))).toThrow(TradeBillIntegrityError);
});
