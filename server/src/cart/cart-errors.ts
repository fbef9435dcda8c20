import { ruleError } from '../domain-error';

export const CartEmpty = ruleError('CONFLICT', 'CART_EMPTY');
/** An order takes at most MAX_CART_LINES lines, so a cart holds no more boxes than that. */
export const CartFull = ruleError('CONFLICT', 'CART_FULL');
