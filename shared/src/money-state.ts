import { z } from 'zod';

/**
 * Where an order's money stands (server shipping/receipt-state.ts decides): UNPAID; PAID (ours, not held by
 * WeChat: Native QR, Alipay); FROZEN (a mini-program payment WeChat holds until the receipt is confirmed);
 * SETTLED (WeChat released it); REFUNDED (being or been given back).
 */
export const MONEY_STATES = ['UNPAID', 'PAID', 'FROZEN', 'SETTLED', 'REFUNDED'] as const;
export const moneyStateSchema = z.enum(MONEY_STATES);
export type MoneyState = z.infer<typeof moneyStateSchema>;

export const MONEY_STATE_LABELS: Record<MoneyState, string> = {
  UNPAID: '未支付',
  PAID: '已到账',
  FROZEN: '冻结中（待确认收货）',
  SETTLED: '已结算',
  REFUNDED: '已退款',
};
