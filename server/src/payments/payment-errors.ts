import { ruleError } from '../domain-error';

/**
 * The payment channel did not open the transaction; the shopper may try again. The code predates a second
 * channel: clients already show a message for it.
 */
export const ChannelUnavailable = ruleError('CONFLICT', 'WECHATPAY_UNAVAILABLE');

/** One order, one open payment: it is already in another combined payment still open at the channel. */
export const OrderInOpenPayment = ruleError('CONFLICT', 'ORDER_IN_OPEN_PAYMENT');
