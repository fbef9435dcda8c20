import { ruleError } from '../domain-error';

/** The mini-program reported a template the shop does not use (an old build, or a forged request). */
export const UnknownTemplate = ruleError('INVALID', 'UNKNOWN_TEMPLATE');
/** 开售提醒 asked for a box that has no drop to come (already open, cancelled, or never scheduled). */
export const NoDropToRemind = ruleError('CONFLICT', 'NO_DROP_TO_REMIND');
