import { ruleError } from '../domain-error';

/** Another order of the same shopper and box is being drawn and did not finish in time: try again shortly. */
export const GuaranteeCounterBusy = ruleError('UNAVAILABLE', 'GUARANTEE_COUNTER_BUSY');

/**
 * The shopper's guarantee (保底) for this box could fall due within this order and no item of its rarity is
 * left: the order is not taken (docs/fairness.md "The guarantee"), so the promise on the page stays true.
 */
export const GuaranteeUnavailable = ruleError('CONFLICT', 'GUARANTEE_UNAVAILABLE');

/** Two seed rotations fell inside one order's request: no seed committed before it began is in use. Try again. */
export const SeedNotReady = ruleError('UNAVAILABLE', 'SEED_NOT_READY');
