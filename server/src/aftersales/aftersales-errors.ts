import { ruleError } from '../domain-error';

/** The order is not delivered (or was refunded): there is nothing to ask after-sales about. */
export const AftersalesNotAllowed = ruleError('CONFLICT', 'AFTERSALES_NOT_ALLOWED');
/** The order line has a request in progress: the shopper adds to its thread instead. */
export const AftersalesAlreadyOpen = ruleError('CONFLICT', 'AFTERSALES_ALREADY_OPEN');
/** The request was resolved: its thread is closed (a new problem is a new request). */
export const AftersalesClosed = ruleError('CONFLICT', 'AFTERSALES_CLOSED');
/** Staff resolved it already (a second click, or a colleague): nothing more is done. */
export const AftersalesAlreadyResolved = ruleError('CONFLICT', 'AFTERSALES_ALREADY_RESOLVED');
export const AftersalesThreadFull = ruleError('CONFLICT', 'AFTERSALES_THREAD_FULL');
/** A refund above the line's share of what was paid, or above what is left to refund. */
export const AftersalesRefundOverCap = ruleError('CONFLICT', 'AFTERSALES_REFUND_OVER_CAP');
/** A photo id that is not an upload of this shopper. */
export const AftersalesPhotoUnknown = ruleError('INVALID', 'AFTERSALES_PHOTO_UNKNOWN');
