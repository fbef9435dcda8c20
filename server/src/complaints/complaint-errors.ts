import { ruleError } from '../domain-error';

/** WeChat marked the complaint handled (or the shopper withdrew it): nothing more can be said or done in it. */
export const ComplaintClosed = ruleError('CONFLICT', 'COMPLAINT_CLOSED');
/** The complaint's payment is not one of this shop's orders (or names none): a refund cannot be linked. */
export const ComplaintWithoutOrder = ruleError('CONFLICT', 'COMPLAINT_WITHOUT_ORDER');
/** WeChat Pay could not be reached or failed (retry later). */
export const ComplaintChannelUnavailable = ruleError('UNAVAILABLE', 'WECHATPAY_UNAVAILABLE');
/** WeChat Pay refused the request (its message says why). */
export const ComplaintChannelRefused = ruleError('REFUSED', 'WECHATPAY_REFUSED');
/** A refund from this complaint is on its way already (a second click would refund twice). */
export const ComplaintBusy = ruleError('CONFLICT', 'COMPLAINT_BUSY');
