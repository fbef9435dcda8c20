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
