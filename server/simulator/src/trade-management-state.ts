import type { SimContext } from './context';

/**
 * What the platform knows of receipts and settlements beyond the shipment (routes/trade-management.ts): shared
 * with get_order (routes/mini-program.ts), which reports a confirmed receipt as order_state 3 and a settled one as 4.
 */
export interface TradeManagementState {
  /** Set by routes/mini-program.ts: whether the transaction's shipment is complete (所有包裹已发货). */
  isShipped: (transactionId: string) => boolean;
  /** When the last parcel's upload said it was sent (epoch ms), null before. */
  shippedAt: (transactionId: string) => number | null;
  confirmations: Map<string, { at: number; method: 1 | 2 }>;
  settlements: Map<string, number>;
  /** Reminders WeChat accepted per transaction (it accepts one), and every notify_confirm_receive call made. */
  reminders: Map<string, { receivedTime: number; at: number }>;
  reminderCalls: number;
  jumpPath: string | null;
  tradeManaged: boolean;
  pushConfig: { url: string; token: string; encodingAesKey: string | null; format: 'json' | 'xml' } | null;
}

const states = new WeakMap<SimContext, TradeManagementState>();

export function tradeManagementOf(sim: SimContext): TradeManagementState {
  let state = states.get(sim);
  if (!state) {
    state = {
      isShipped: () => false,
      shippedAt: () => null,
      confirmations: new Map(),
      settlements: new Map(),
      reminders: new Map(),
      reminderCalls: 0,
      jumpPath: null,
      tradeManaged: true,
      pushConfig: null,
    };
    states.set(sim, state);
  }
  return state;
}

/** get_order's order_state once the receipt is confirmed: 3 确认收货, 4 交易完成 after settlement; null before. */
export function receiptOrderState(sim: SimContext, transactionId: string): number | null {
  const state = tradeManagementOf(sim);
  if (state.settlements.has(transactionId)) return 4;
  return state.confirmations.has(transactionId) ? 3 : null;
}
