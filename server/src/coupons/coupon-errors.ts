import { ruleError } from '../domain-error';

export const CouponUnavailable = ruleError('CONFLICT', 'COUPON_UNAVAILABLE');
export const CouponExpired = ruleError('CONFLICT', 'COUPON_EXPIRED');
export const CouponMinSpend = ruleError('CONFLICT', 'COUPON_MIN_SPEND');
