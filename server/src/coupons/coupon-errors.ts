import { DomainError } from '../domain-error';

export class CouponUnavailable extends DomainError {
  readonly kind = 'CONFLICT';
  readonly code = 'COUPON_UNAVAILABLE';
}

export class CouponExpired extends DomainError {
  readonly kind = 'CONFLICT';
  readonly code = 'COUPON_EXPIRED';
}

export class CouponMinSpend extends DomainError {
  readonly kind = 'CONFLICT';
  readonly code = 'COUPON_MIN_SPEND';
}
