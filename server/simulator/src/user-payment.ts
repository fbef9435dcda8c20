/** What happens when the payer confirms, cancels or fails in the WeChat cashier. */
import type { SimContext } from './context';
import { WxError } from './errors';
import { newTransactionId } from './ids';
import { transactionView, type TransactionRecord } from './model';
import { openidForCode } from './routes/login';

export type PayResult = 'SUCCESS' | 'CANCEL' | 'PAYERROR';

export function payAsUser(sim: SimContext, tx: TransactionRecord, result: PayResult, openid?: string): void {
  if (tx.tradeState === 'SUCCESS' || tx.tradeState === 'REFUND') throw new WxError(400, 'ORDERPAID', '订单已支付');
  if (tx.tradeState === 'CLOSED' || tx.tradeState === 'REVOKED') {
    throw new WxError(400, 'ORDER_CLOSED', '订单已关闭或已过期，无法支付');
  }
  if (result === 'CANCEL') return;
  if (result === 'PAYERROR') {
    tx.tradeState = 'PAYERROR';
    sim.store.save();
    return;
  }
  tx.tradeState = 'SUCCESS';
  tx.transactionId = newTransactionId();
  tx.successTime = Date.now();
  tx.payerOpenid ??= openid ?? openidForCode(tx.appid, 'sim-native-payer');
  sim.store.save();
  sim.logger.info({ outTradeNo: tx.outTradeNo, transactionId: tx.transactionId }, 'transaction paid');
  sim.notifier.enqueue({
    kind: 'transaction',
    eventType: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    outTradeNo: tx.outTradeNo,
    outRefundNo: null,
    notifyUrl: tx.notifyUrl,
    resource: transactionView(tx),
  });
}
