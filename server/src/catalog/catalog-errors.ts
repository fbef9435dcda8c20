import type { Types } from 'mongoose';
import { DomainError, ruleError } from '../domain-error';

export class BoxNotFound extends DomainError {
  readonly kind = 'NOT_FOUND';
  readonly code = 'BOX_NOT_FOUND';
  constructor(boxId: Types.ObjectId) {
    super(`box ${boxId.toHexString()} not found`);
  }
}

export const QuantityTooLarge = ruleError('INVALID', 'QUANTITY_TOO_LARGE');

/** Nothing left; `availableAgainAt` says when the first unit held for an unpaid order may come back. */
export class SoldOut extends DomainError {
  readonly kind = 'CONFLICT';
  readonly code = 'SOLD_OUT';
  constructor(boxId: Types.ObjectId, availableAgainAt: Date | null) {
    super(
      availableAgainAt
        ? `box ${boxId.toHexString()} is sold out; units held for unpaid orders may return from ${availableAgainAt.toISOString()}`
        : `box ${boxId.toHexString()} is sold out`,
      availableAgainAt ? { availableAgainAt: availableAgainAt.toISOString() } : {},
    );
  }
}

export const OutOfStock = ruleError('CONFLICT', 'OUT_OF_STOCK');

/**
 * The one rule for a box with fewer units than asked: none left is sold out (with when held units may come
 * back), some left is short (with how many).
 */
export function shortOfUnits(boxId: Types.ObjectId, left: number, availableAgainAt: Date | null): DomainError {
  return left > 0 ? new OutOfStock(`only ${left} left of box ${boxId.toHexString()}`) : new SoldOut(boxId, availableAgainAt);
}
export const PurchaseLimitReached = ruleError('CONFLICT', 'PURCHASE_LIMIT_REACHED');

/** A scheduled drop has not opened yet; `onSaleAt` says when it does, by the server's clock. */
export class NotOnSaleYet extends DomainError {
  readonly kind = 'CONFLICT';
  readonly code = 'NOT_ON_SALE_YET';
  constructor(boxId: Types.ObjectId, onSaleAt: Date) {
    super(`box ${boxId.toHexString()} goes on sale at ${onSaleAt.toISOString()}`, { onSaleAt: onSaleAt.toISOString() });
  }
}

/** The box's drop was cancelled: nothing to buy until a new one is scheduled. */
export const NotOnSale = ruleError('CONFLICT', 'NOT_ON_SALE');

/** `admin box retire`: the series takes no new orders (paid ones are still served). */
export const BoxRetired = ruleError('CONFLICT', 'BOX_RETIRED');

/** `admin box import` refused by a rule (the message says which); nothing of the import is written. */
export const ImportRefused = ruleError('CONFLICT', 'IMPORT_REFUSED');

/** A catalog zip from the console that could write outside its folder or fill the disk; the message says why, in Chinese. */
export const CatalogZipRefused = ruleError('INVALID', 'CATALOG_ZIP_REFUSED');

/** Catalog files with errors (the message lists each by file and line); nothing of the import is written. */
export const CatalogFilesInvalid = ruleError('INVALID', 'CATALOG_FILES_INVALID');

/** A box the price and value checks (compliance-checks.ts) do not let be published; `details.rules` names them. */
export const NotCompliant = ruleError('CONFLICT', 'NOT_COMPLIANT');
