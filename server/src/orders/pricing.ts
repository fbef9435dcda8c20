import { multiplyFen, sumFen, type Fen } from '@blindbox/shared';

export interface PricedLine {
  priceFen: Fen;
  quantity: number;
}

export interface Price {
  subtotalFen: Fen;
  discountFen: Fen;
  totalFen: Fen;
}

/**
 * Order total from database prices. A coupon never takes the total below 1 fen, because WeChat Pay
 * refuses zero-amount transactions and a free order would need a path that skips payment.
 */
export function priceOrder(lines: readonly PricedLine[], couponAmountOffFen: Fen | null): Price {
  const subtotalFen = sumFen(lines.map((line) => multiplyFen(line.priceFen, line.quantity)));
  const discountFen = couponAmountOffFen === null ? 0 : Math.min(couponAmountOffFen, subtotalFen - 1);
  return { subtotalFen, discountFen, totalFen: subtotalFen - discountFen };
}

/** What a coupon takes off, before priceOrder's 1-fen floor. */
export interface CouponTerms {
  amountOffFen: Fen;
  percentOffBp?: number | null;
  maxOffFen?: Fen | null;
}

/**
 * An amount coupon takes its amount; a percentage coupon takes `subtotal × bp / 10000` rounded **down** to whole
 * fen (the shopper never gets more off than the rate says, and no float ever touches money), then its cap.
 */
export function couponDiscountFen(coupon: CouponTerms, subtotalFen: Fen): Fen {
  // Falsy, not just null: coupons stored before percentages existed have neither field.
  if (!coupon.percentOffBp) return coupon.amountOffFen;
  const off = Math.floor((subtotalFen * coupon.percentOffBp) / 10_000);
  return coupon.maxOffFen ? Math.min(off, coupon.maxOffFen) : off;
}
