import { DomainError, ruleError } from '../domain-error';

/** The order is not in a state that allows what was asked; `code` says which rule refused it. */
export class OrderStateConflict extends DomainError {
  readonly kind = 'CONFLICT';
  constructor(
    readonly code: 'ORDER_NOT_PAYABLE' | 'ORDER_EXPIRED' | 'ORDER_ALREADY_PAID' | 'ORDER_NOT_CANCELLABLE' | 'ORDER_NOT_DELIVERED' | 'ORDER_NOT_SHIPPABLE' | 'ORDER_NOT_REFUNDABLE' | 'ADDRESS_NOT_CHANGEABLE',
    message: string,
  ) {
    super(message);
  }
}

export const TrackingNoteRequired = ruleError('INVALID', 'TRACKING_NOTE_REQUIRED');

/** An order without an address chosen (a drop's one-tap claim) from a shopper who has none: the confirm page asks for one. */
export const AddressRequired = ruleError('INVALID', 'ADDRESS_REQUIRED');
