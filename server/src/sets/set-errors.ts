import { ruleError } from '../domain-error';

/** Another order holds or bought one of the picked positions: the grid has changed, pick again. */
export const PositionTaken = ruleError('CONFLICT', 'POSITION_TAKEN');
/** The set is sold out or retired: the shopper moves on to the next set. */
export const SetNotOnSale = ruleError('CONFLICT', 'SET_NOT_ON_SALE');
/** Every set of the box is sold out or retired: nothing to pick until the merchant makes more (`admin sets create`). */
export const SetsSoldOut = ruleError('CONFLICT', 'SETS_SOLD_OUT');
/** A whole-set line without a pick, a pick on a weighted box, positions outside the set, or a quantity that is not the positions'. */
export const InvalidSetPick = ruleError('INVALID', 'INVALID_SET_PICK');
/** A set with positions held for unpaid orders cannot be retired (its arrangement would show them their design). */
export const SetBusy = ruleError('CONFLICT', 'SET_BUSY');
/**
 * The set holds its block's secret design and that position is not sold: retiring it would withdraw the secret
 * the block promised (docs/fairness.md "Whole sets": a set holding an unsold secret is never retired).
 */
export const SetSecretUnsold = ruleError('CONFLICT', 'SET_SECRET_UNSOLD');
/** The box is not sold as whole sets, or its designs cannot make one. */
export const NotASetBox = ruleError('INVALID', 'NOT_A_SET_BOX');
