import type { Types } from 'mongoose';
import { DomainError } from '../domain-error';

export class BoxNotFound extends DomainError {
  readonly kind = 'NOT_FOUND';
  readonly code = 'BOX_NOT_FOUND';
  constructor(boxId: Types.ObjectId) {
    super(`box ${boxId.toHexString()} not found`);
  }
}

export class QuantityTooLarge extends DomainError {
  readonly kind = 'INVALID';
  readonly code = 'QUANTITY_TOO_LARGE';
}

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

export class OutOfStock extends DomainError {
  readonly kind = 'CONFLICT';
  readonly code = 'OUT_OF_STOCK';
}

export class PurchaseLimitReached extends DomainError {
  readonly kind = 'CONFLICT';
  readonly code = 'PURCHASE_LIMIT_REACHED';
}
