import { formatFen } from './money';

/**
 * One kind of line in an order's history: the reason the server writes (English, with the ids support needs: it
 * is what the order's audit keeps, and what the logs and older orders say), how it is read back, and how staff
 * read it (Chinese). Writing and reading sit side by side, so the console never guesses at the server's words.
 */
interface HistoryReason<Parts extends string[]> {
  write(...parts: Parts): string;
  read: RegExp;
  words(...parts: Parts): string;
}

const reason = <Parts extends string[]>(kind: HistoryReason<Parts>) => kind;

/** Every reason an order's history line can give. The server writes through `write`; the console reads with `historyReasonText`. */
export const ORDER_HISTORY = {
  placed: reason({ write: () => 'order placed', read: /^order placed$/, words: () => '顾客下单' }),
  paidUndrawable: reason({
    write: (transactionId: string) => `paid by transaction ${transactionId}; guarantee items sold out, refunding`,
    read: /^paid by transaction (\S+); guarantee items sold out, refunding$/,
    words: (transactionId) => `已付款（交易号 ${transactionId}），保底款已售罄，全额退款`,
  }),
  paidAfterClose: reason({
    write: (transactionId: string) => `paid by transaction ${transactionId} after close; refunding`,
    read: /^paid by transaction (\S+) after close; refunding$/,
    words: (transactionId) => `订单关闭后才付款（交易号 ${transactionId}），全额退款`,
  }),
  paid: reason({ write: (transactionId: string) => `paid by transaction ${transactionId}`, read: /^paid by transaction (\S+)$/, words: (transactionId) => `已付款（交易号 ${transactionId}）` }),
  expired: reason({ write: () => 'expired', read: /^expired$/, words: () => '超时未付款，自动关闭' }),
  cancelledByShopper: reason({ write: () => 'cancelled by the user', read: /^cancelled by the user$/, words: () => '顾客取消' }),
  cancelledByStaff: reason({ write: (why: string) => `cancelled by staff: ${why}`, read: /^cancelled by staff: ([\s\S]*)$/, words: (why) => `员工取消：${why}` }),
  addressChanged: reason({ write: () => 'address changed', read: /^address changed$/, words: () => '顾客修改收货地址' }),
  addressChangedByStaff: reason({ write: (why: string) => `address changed by staff: ${why}`, read: /^address changed by staff: ([\s\S]*)$/, words: (why) => `员工修改收货地址：${why}` }),
  shipped: reason({ write: () => 'shipped', read: /^shipped$/, words: () => '发货' }),
  receiptConfirmed: reason({ write: () => 'receipt confirmed', read: /^receipt confirmed$/, words: () => '顾客确认收货' }),
  receiptConfirmedAtWechat: reason({
    write: (how: 'automatically' | 'by the shopper') => `receipt confirmed at WeChat (${how})`,
    read: /^receipt confirmed at WeChat \((automatically|by the shopper)\)$/,
    words: (how) => (how === 'automatically' ? '微信到期自动确认收货' : '顾客在微信确认收货'),
  }),
  refundSucceeded: reason({ write: (outRefundNo: string) => `refund ${outRefundNo} succeeded`, read: /^refund (\S+) succeeded$/, words: (outRefundNo) => `退款 ${outRefundNo} 成功` }),
  everyRefundSucceeded: reason({ write: () => 'every refund of the payment succeeded', read: /^every refund of the payment succeeded$/, words: () => '全部退款成功' }),
  partialRefund: reason({
    write: (outRefundNo: string, amountFen: string, why: string) => `partial refund ${outRefundNo} of ${amountFen} fen: ${why}`,
    read: /^partial refund (\S+) of (\d+) fen: ([\s\S]*)$/,
    words: (outRefundNo, amountFen, why) => `部分退款 ${outRefundNo}，${formatFen(Number(amountFen))}：${why}`,
  }),
  finding: reason({ write: (finding: string) => `finding: ${finding}`, read: /^finding: ([\s\S]*)$/, words: (finding) => `渠道核对发现：${finding}` }),
};

/** A history line's reason in words staff read; one this version does not know (or a staff member typed) as written. */
export function historyReasonText(text: string): string {
  for (const kind of Object.values(ORDER_HISTORY) as Array<HistoryReason<string[]>>) {
    const parts = kind.read.exec(text);
    if (parts) return kind.words(...parts.slice(1));
  }
  return text;
}
