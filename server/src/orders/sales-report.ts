import { beijingTime } from '@blindbox/shared';
import type { Connection, Types } from 'mongoose';
import { boxModel } from '../catalog/box.model';
import { refundedUnitsByLine, splitOverLines } from '../payments/refund-amounts';
import { orderModel, type OrderDoc } from './order.model';

/** One box on one Beijing day of payment. */
export interface SalesLine {
  day: string;
  boxId: Types.ObjectId;
  units: number;
  revenueFen: number;
  refundedUnits: number;
  refundsFen: number;
}

export interface SalesReport {
  /** By day, then box id. */
  lines: SalesLine[];
  /** Slug and name of every box in the lines (the box id where the box is gone). */
  boxes: Map<string, { slug: string; name: string }>;
}

type SoldOrder = Pick<OrderDoc, 'items' | 'subtotalFen' | 'totalFen' | 'paidAt' | 'refunds' | 'payment'>;

/**
 * Refunds of the order's own payment that are not failed. A refund of a second payment of an already paid order
 * gives back money that was never revenue (the order counts once), so it is no refund of a sale either.
 */
function refundedFen(order: Pick<OrderDoc, 'refunds' | 'payment'>): number {
  return order.refunds
    .filter((refund) => refund.transactionId === order.payment.transactionId && refund.status !== 'CLOSED' && refund.status !== 'ABNORMAL')
    .reduce((sum, refund) => sum + refund.amountFen, 0);
}

/**
 * Units, revenue and refunds per day (Asia/Shanghai, of the payment) and box. Revenue is what was paid, spread
 * over the lines by their share (a coupon's discount with it); refunds count on the day the order was paid, so a
 * day's net is what that day's sales finally brought.
 */
export function salesLines(orders: readonly SoldOrder[], onlyBox: Types.ObjectId | null): SalesLine[] {
  const lines = new Map<string, SalesLine>();
  for (const order of orders) {
    if (!order.paidAt) continue;
    const day = beijingTime(order.paidAt).slice(0, 10);
    const refunded = refundedFen(order);
    const revenue = splitOverLines(order.totalFen, order);
    const refunds = splitOverLines(Math.min(refunded, order.totalFen), order);
    const unitsBack = refundedUnitsByLine(order);
    order.items.forEach((item, index) => {
      if (onlyBox && !item.boxId.equals(onlyBox)) return;
      const key = `${day} ${item.boxId.toHexString()}`;
      const line = lines.get(key) ?? { day, boxId: item.boxId, units: 0, revenueFen: 0, refundedUnits: 0, refundsFen: 0 };
      line.units += item.quantity;
      line.revenueFen += revenue[index] ?? 0;
      line.refundsFen += refunds[index] ?? 0;
      // A whole refund returns every unit; a partial one the units it named (an amount refund names none).
      line.refundedUnits += refunded >= order.totalFen ? item.quantity : (unitsBack[index] ?? 0);
      lines.set(key, line);
    });
  }
  return [...lines.values()].sort((a, b) => a.day.localeCompare(b.day) || a.boxId.toHexString().localeCompare(b.boxId.toHexString()));
}

/**
 * The sales of orders paid in [from, to): one indexed range on `paidAt` (unpaid orders, whose paidAt is null,
 * are never read, nor are orders paid outside the range), summed here. Both engines run it alike: no
 * aggregation stage, only the range and a projection of what the sums need.
 */
export async function salesReport(db: Connection, range: { from: Date; to: Date | null; boxId: Types.ObjectId | null }): Promise<SalesReport> {
  const paidAt = range.to ? { $gte: range.from, $lt: range.to } : { $gte: range.from };
  const orders = await orderModel(db)
    .find({ paidAt })
    .select({ items: 1, subtotalFen: 1, totalFen: 1, paidAt: 1, refunds: 1, payment: 1 })
    .lean<SoldOrder[]>();
  const lines = salesLines(orders, range.boxId);
  const boxIds = [...new Map(lines.map((line) => [line.boxId.toHexString(), line.boxId])).values()];
  const found = boxIds.length === 0 ? [] : await boxModel(db).find({ _id: { $in: boxIds } }).select({ slug: 1, name: 1 }).lean();
  const boxes = new Map(boxIds.map((id) => [id.toHexString(), { slug: id.toHexString(), name: id.toHexString() }]));
  for (const box of found) boxes.set(box._id.toHexString(), { slug: box.slug, name: box.name });
  return { lines, boxes };
}
