import { ruleError } from '../domain-error';

export const RefundExceedsRefundable = ruleError('CONFLICT', 'REFUND_EXCEEDS_REFUNDABLE');
export const RefundUnitsInvalid = ruleError('INVALID', 'REFUND_UNITS_INVALID');
/** A support member's refund above CONSOLE_SUPPORT_REFUND_LIMIT_FEN: the owner gives it. */
export const RefundOverRoleLimit = ruleError('FORBIDDEN', 'REFUND_OVER_ROLE_LIMIT');
