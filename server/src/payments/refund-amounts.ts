import type { OrderDoc, RefundDoc } from '../orders/order.model';

/**
 * What an order's own payment has given back or holds back for refunds, and what is left: the one place
 * these amounts are computed (the console, the CLI and the refund service all ask here).
 */

type RefundsOf = Pick<OrderDoc, 'refunds' | 'payment'>;

/** Refunds of the transaction that paid the order (not of a second payment that was refunded as such). */
export const ownRefunds = (order: RefundsOf): RefundDoc[] => order.refunds.filter((refund) => refund.transactionId === order.payment.transactionId);

/** CLOSED: the channel did not refund (the money is still the shop's). ABNORMAL money did leave, to a failing account. */
const holdsMoney = (refund: Pick<RefundDoc, 'status'>) => refund.status !== 'CLOSED';

/** Asked for or given back of the order's own payment. */
export const heldForRefundsFen = (order: RefundsOf): number => ownRefunds(order).filter(holdsMoney).reduce((sum, refund) => sum + refund.amountFen, 0);

/**
 * Splits an order-level amount (what was paid, what was refunded) over its lines by their share of the subtotal,
 * in integer fen: each line gets the floor of its share and the last line the remainder, so the lines add up to
 * the amount exactly (a coupon's discount is carried by every line in proportion).
 */
export function splitOverLines(amountFen: number, order: Pick<OrderDoc, 'items' | 'subtotalFen'>): number[] {
  let left = amountFen;
  return order.items.map((item, index) => {
    if (index === order.items.length - 1) return left;
    const share = Math.floor((amountFen * item.priceFen * item.quantity) / order.subtotalFen);
    left -= share;
    return share;
  });
}

/** Units of each line already refunded by unit (refunds that hold money). */
export function refundedUnitsByLine(order: Pick<OrderDoc, 'items' | 'refunds' | 'payment'>): number[] {
  const units = order.items.map(() => 0);
  for (const refund of ownRefunds(order).filter(holdsMoney)) {
    for (const line of refund.units ?? []) units[line.itemIndex] = (units[line.itemIndex] ?? 0) + line.quantity;
  }
  return units;
}

/**
 * What refunding `quantity` more units of line `index` gives back: its share of what was paid, unit by unit,
 * the line's last units taking the rounding remainder, so refunding every unit gives back exactly the line's share.
 */
export function unitsRefundFen(order: Pick<OrderDoc, 'items' | 'subtotalFen' | 'totalFen'>, index: number, alreadyRefunded: number, quantity: number): number {
  const item = order.items[index]!;
  const lineFen = splitOverLines(order.totalFen, order)[index] ?? 0;
  const upTo = (units: number) => (units >= item.quantity ? lineFen : Math.floor((lineFen * units) / item.quantity));
  return upTo(alreadyRefunded + quantity) - upTo(alreadyRefunded);
}

export interface Refundable {
  amountFen: number;
  units: Array<{ itemIndex: number; quantity: number; unitFen: number }>;
}

export function refundableOf(order: Pick<OrderDoc, 'items' | 'subtotalFen' | 'totalFen' | 'refunds' | 'payment'>): Refundable {
  const amountFen = Math.max(0, order.totalFen - heldForRefundsFen(order));
  const refunded = refundedUnitsByLine(order);
  return {
    amountFen,
    units: order.items.map((item, itemIndex) => {
      const left = Math.max(0, item.quantity - (refunded[itemIndex] ?? 0));
      return { itemIndex, quantity: left, unitFen: left > 0 ? Math.min(amountFen, unitsRefundFen(order, itemIndex, refunded[itemIndex] ?? 0, 1)) : 0 };
    }),
  };
}

/** A REFUNDING order is REFUNDED once every refund of its own payment succeeded. */
export const ownRefundsSucceeded = (order: RefundsOf): boolean => {
  const own = ownRefunds(order);
  return own.length > 0 && own.every((refund) => refund.status === 'SUCCESS');
};
