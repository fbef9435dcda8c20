import type { Config } from '../config';
import type { BoxDoc } from './box.model';

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
