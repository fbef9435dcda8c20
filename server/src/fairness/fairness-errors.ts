import { ruleError } from '../domain-error';

/** Another order of the same shopper and box is being drawn and did not finish in time: try again shortly. */
export const GuaranteeCounterBusy = ruleError('UNAVAILABLE', 'GUARANTEE_COUNTER_BUSY');
