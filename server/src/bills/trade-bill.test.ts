import { Types } from 'mongoose';
import { startTestServer, type TestServer } from '../../test/support/test-server';
import { payAtSimulator, prepayIdOf, shopper, simulatorControl } from '../../test/support/shop';
import { clearFaults, orderDoc, setFaults } from '../../test/support/job-test-support';
import { orderModel } from '../orders/order.model';
import { runAdminCommand } from '../admin/run-admin-command';
import { TradeBillIntegrityError } from './trade-bill';
import { InvalidBillDate, beijingDay, previousBeijingDay } from './bill-reconciliation';
import { FINDING_KINDS } from './trade-bill-report.model';

let server: TestServer;
const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
const admin = (...argv: string[]) => runAdminCommand(server.container, argv);

beforeAll(async () => {
  server = await startTestServer();
  // No callback ever arrives: whether an order is paid here is decided by each test, through the normal query path.
  await setFaults(server.simulatorUrl, { dropNext: 1_000_000 });
});
afterAll(async () => {
  await clearFaults(server.simulatorUrl);
  await server.stop();
});

/** A shopper pays at WeChat; with `recorded` the shop learns of it the normal way (a status query). */
async function paidOrder(code: string, recorded: boolean): Promise<string> {
  const buyer = await shopper(server, code);
  const order = await buyer.placeOrder();
  const params = await buyer.payJsapi(order.id);
  await payAtSimulator(server.simulatorUrl, prepayIdOf(params.package));
  if (recorded) {
    const synced = await server.container.payments.syncWithChannel(await orderDoc(server, order.id), 'test');
    expect(synced.status).toBe('TO_BE_DELIVERED');
  }
  return order.id;
}

const billFaults = (corrupt: 'none' | 'file' | 'hash') => simulatorControl(server.simulatorUrl, 'POST', '/sim/bill-faults', { corrupt });

let matchedPaid: string;
let missedAtShop: string;

test('a bill that agrees with the shop gives zero findings', async () => {
  matchedPaid = await paidOrder('dev-bill-alice', true);
  const refunded = await paidOrder('dev-bill-bob', true);
  await server.container.refunds.refundOrder(new Types.ObjectId(refunded), 'test', 'changed my mind');
  await server.container.refunds.processRefunds(new Types.ObjectId(refunded), 'test');

  const report = await server.container.tradeBills.reconcileDay(today(), 'test');
  expect(report).toMatchObject({ status: 'DONE', rows: 3, payments: 2, refunds: 1, matched: 3, findings: [], counts: {} });
});

test('a bill whose hash or file is wrong is refused before any row is read, and nothing is applied', async () => {
  missedAtShop = await paidOrder('dev-bill-carol', false);
  for (const corrupt of ['hash', 'file'] as const) {
    await billFaults(corrupt);
    const failed = server.container.tradeBills.reconcileDay(today(), 'test');
    await expect(failed).rejects.toThrow(TradeBillIntegrityError);
    await expect(failed).rejects.toThrow(/SHA1 of the downloaded bill is [0-9a-f]{40}, WeChat said [0-9a-f]{40}; nothing was read/);
    expect((await orderDoc(server, missedAtShop)).status).toBe('TO_BE_PAID');
    const stored = await server.container.tradeBills.show(today());
    expect(stored).toMatchObject({ status: 'FAILED', findings: [], matched: 0 });
    expect(stored?.error).toMatch(/SHA1/);
  }
  await billFaults('none');
  const shown = await admin('bill', 'show', today());
  expect(shown.exitCode).toBe(1);
  expect(shown.output).toMatch(/FAILED[\s\S]*SHA1[\s\S]*nothing was applied/);
});

test('each kind of difference becomes a finding, and money the shop missed is applied through the guarded path', async () => {
  // Amount: the shop expects more than WeChat took.
  const amountOff = await paidOrder('dev-bill-dave', true);
  await orderModel(server.container.db).updateOne({ _id: new Types.ObjectId(amountOff) }, { $inc: { totalFen: 1 } });
  // Paid here by a transaction WeChat never had.
  const ghost = await shopper(server, 'dev-bill-erin');
  const ghostOrder = await ghost.placeOrder();
  await ghost.payJsapi(ghostOrder.id);
  await orderModel(server.container.db).updateOne(
    { _id: new Types.ObjectId(ghostOrder.id) },
    { $set: { status: 'TO_BE_DELIVERED', 'payment.transactionId': '4200000000000000000000000001', 'payment.successTime': new Date(), paidAt: new Date() } },
  );
  // A payment for an out_trade_no the shop never opened, and a refund made in the merchant platform.
  const outside = 'ELSEWHERE0000001';
  await server.container.channels.get('wechatpay').prepay({ kind: 'NATIVE', outTradeNo: outside, description: 'paid elsewhere', amountFen: 500, timeExpire: new Date(Date.now() + 3600_000), attach: 'x', payerOpenid: '' });
  await simulatorControl(server.simulatorUrl, 'POST', '/sim/pay', { outTradeNo: outside, result: 'SUCCESS' });
  const matched = await orderDoc(server, matchedPaid);
  await server.container.channels.get('wechatpay').refund({ outTradeNo: matched.payment.outTradeNo!, outRefundNo: 'MCHPLATFORM0001', refundFen: 1, totalFen: matched.totalFen, reason: 'made by hand' });

  const report = await server.container.tradeBills.reconcileDay(today(), 'test');
  expect(report.status).toBe('DONE');
  expect(report.counts).toEqual(Object.fromEntries(FINDING_KINDS.map((kind) => [kind, 1])));
  const byKind = Object.fromEntries(report.findings.map((finding) => [finding.kind, finding]));
  expect(byKind.PAID_NOT_FULFILLED).toMatchObject({ orderId: missedAtShop, applied: 'FULFILLED' });
  expect(byKind.AMOUNT_MISMATCH).toMatchObject({ orderId: amountOff, billFen: matched.totalFen, shopFen: matched.totalFen + 1 });
  expect(byKind.MISSING_FROM_BILL).toMatchObject({ orderId: ghostOrder.id, transactionId: '4200000000000000000000000001', shopFen: ghostOrder.totalFen });
  expect(byKind.UNKNOWN_OUT_TRADE_NO).toMatchObject({ outTradeNo: outside, orderId: null });
  expect(byKind.STATUS_MISMATCH).toMatchObject({ orderId: matchedPaid, outRefundNo: 'MCHPLATFORM0001' });

  const applied = await orderDoc(server, missedAtShop);
  expect(applied.status).toBe('TO_BE_DELIVERED');
  expect(applied.audit.at(-1)?.actor).toBe('test');
  // The amount mismatch is reported, never applied.
  expect((await orderDoc(server, amountOff)).payment.extraTransactionIds).toEqual([]);

  // A second run finds the applied payment matched and the others again.
  const again = await server.container.tradeBills.reconcileDay(today(), 'test');
  expect(again.counts.PAID_NOT_FULFILLED).toBeUndefined();
  expect(again.matched).toBe(report.matched + 1);

  const list = await admin('bill', 'list');
  expect(list.output).toContain(today());
  const shown = await admin('bill', 'show', today());
  for (const kind of ['AMOUNT_MISMATCH', 'MISSING_FROM_BILL', 'UNKNOWN_OUT_TRADE_NO', 'STATUS_MISMATCH']) expect(shown.output).toContain(kind);
});

test('a day on which WeChat recorded nothing (NO_STATEMENT_EXIST) is an empty bill, not an error', async () => {
  const report = await server.container.tradeBills.reconcileDay('2026-01-01', 'test');
  expect(report).toMatchObject({ status: 'DONE', rows: 0, matched: 0, findings: [] });
});

test('the daily run reconciles the Beijing calendar day before, cut at Beijing midnight', () => {
  expect(previousBeijingDay(new Date('2026-12-01T02:30:00Z'))).toBe('2026-11-30');
  expect(previousBeijingDay(new Date('2026-11-30T16:30:00Z'))).toBe('2026-11-30');
  expect(previousBeijingDay(new Date('2026-11-30T15:30:00Z'))).toBe('2026-11-29');
  expect(beijingDay('2026-11-30')).toEqual({ start: new Date('2026-11-29T16:00:00Z'), end: new Date('2026-11-30T16:00:00Z') });
  for (const bad of ['20261130', '2026-13-01', '']) expect(() => beijingDay(bad)).toThrow(InvalidBillDate);
});
