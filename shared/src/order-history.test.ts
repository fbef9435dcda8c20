import { ORDER_HISTORY, historyReasonText } from './order-history';

test('every reason the server writes reads back as staff words, with its ids and amounts', () => {
  const read = {
    placed: historyReasonText(ORDER_HISTORY.placed.write()),
    paid: historyReasonText(ORDER_HISTORY.paid.write('4200001')),
    paidUndrawable: historyReasonText(ORDER_HISTORY.paidUndrawable.write('4200002')),
    paidAfterClose: historyReasonText(ORDER_HISTORY.paidAfterClose.write('4200003')),
    expired: historyReasonText(ORDER_HISTORY.expired.write()),
    cancelledByShopper: historyReasonText(ORDER_HISTORY.cancelledByShopper.write()),
    cancelledByStaff: historyReasonText(ORDER_HISTORY.cancelledByStaff.write('顾客电话要求取消; 已核实')),
    addressChanged: historyReasonText(ORDER_HISTORY.addressChanged.write()),
    addressChangedByStaff: historyReasonText(ORDER_HISTORY.addressChangedByStaff.write('顾客来电：搬家了')),
    shipped: historyReasonText(ORDER_HISTORY.shipped.write()),
    receiptConfirmed: historyReasonText(ORDER_HISTORY.receiptConfirmed.write()),
    automatically: historyReasonText(ORDER_HISTORY.receiptConfirmedAtWechat.write('automatically')),
    byTheShopper: historyReasonText(ORDER_HISTORY.receiptConfirmedAtWechat.write('by the shopper')),
    refundSucceeded: historyReasonText(ORDER_HISTORY.refundSucceeded.write('RF1')),
    everyRefundSucceeded: historyReasonText(ORDER_HISTORY.everyRefundSucceeded.write()),
    partialRefund: historyReasonText(ORDER_HISTORY.partialRefund.write('RF2', String(123456), '手办破损\n第二行')),
    finding: historyReasonText(ORDER_HISTORY.finding.write('amount differs: 5900 at WeChat')),
  };
  expect(read).toEqual({
    placed: '顾客下单',
    paid: '已付款（交易号 4200001）',
    paidUndrawable: '已付款（交易号 4200002），保底款已售罄，全额退款',
    paidAfterClose: '订单关闭后才付款（交易号 4200003），全额退款',
    expired: '超时未付款，自动关闭',
    cancelledByShopper: '顾客取消',
    cancelledByStaff: '员工取消：顾客电话要求取消; 已核实',
    addressChanged: '顾客修改收货地址',
    addressChangedByStaff: '员工修改收货地址：顾客来电：搬家了',
    shipped: '发货',
    receiptConfirmed: '顾客确认收货',
    automatically: '微信到期自动确认收货',
    byTheShopper: '顾客在微信确认收货',
    refundSucceeded: '退款 RF1 成功',
    everyRefundSucceeded: '全部退款成功',
    partialRefund: '部分退款 RF2，¥1,234.56：手办破损\n第二行',
    finding: '渠道核对发现：amount differs: 5900 at WeChat',
  });
  // Every kind is covered above.
  expect(Object.keys(ORDER_HISTORY)).toHaveLength(16);
});

test('a reason this version does not know is shown as written', () => {
  expect(historyReasonText('merged into another account')).toBe('merged into another account');
});
