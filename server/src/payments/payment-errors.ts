import { DomainError } from '../domain-error';

/** The payment channel did not open the transaction; the shopper may try again. */
export class ChannelUnavailable extends DomainError {
  readonly kind = 'CONFLICT';
  // Kept from before there was a second channel: clients already show a message for this code.
  readonly code = 'WECHATPAY_UNAVAILABLE';
}
