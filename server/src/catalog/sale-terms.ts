import type { Config } from '../config';
import type { Types } from 'mongoose';
import type { BoxDoc } from './box.model';
import { NotOnSale, NotOnSaleYet } from './catalog-errors';

export type SaleDefaults = Pick<Config, 'PURCHASE_LIMIT_PER_BOX' | 'ORDER_EXPIRY_MINUTES'>;

export interface SaleTerms {
  purchaseLimit: number;
  paymentWindowMinutes: number;
}

/** A box's own limit and payment window where it sets them (a drop does), the shop's defaults otherwise. */
export function saleTermsOf(box: Pick<BoxDoc, 'purchaseLimit' | 'paymentWindowMinutes'>, defaults: SaleDefaults): SaleTerms {
  return {
    purchaseLimit: box.purchaseLimit ?? defaults.PURCHASE_LIMIT_PER_BOX,
    paymentWindowMinutes: box.paymentWindowMinutes ?? defaults.ORDER_EXPIRY_MINUTES,
  };
}

export type SaleOpening = { state: 'OPEN' } | { state: 'SCHEDULED'; onSaleAt: Date } | { state: 'CANCELLED' };

/** Whether a box can be ordered at `now` (the server's clock): open from its drop's exact time, never a millisecond before. */
export function saleOpeningOf(box: Pick<BoxDoc, 'onSaleAt' | 'dropCancelledAt'>, now: Date): SaleOpening {
  if (box.dropCancelledAt) return { state: 'CANCELLED' };
  if (box.onSaleAt && box.onSaleAt.getTime() > now.getTime()) return { state: 'SCHEDULED', onSaleAt: box.onSaleAt };
  return { state: 'OPEN' };
}

/** Refuses an order line of a box whose drop has not opened at `now`, or was cancelled. */
export function refuseUnlessOpen(boxId: Types.ObjectId, box: Pick<BoxDoc, 'onSaleAt' | 'dropCancelledAt'>, now: Date): void {
  const opening = saleOpeningOf(box, now);
  if (opening.state === 'SCHEDULED') throw new NotOnSaleYet(boxId, opening.onSaleAt);
  if (opening.state === 'CANCELLED') throw new NotOnSale(`the drop of box ${boxId.toHexString()} was cancelled`);
}
