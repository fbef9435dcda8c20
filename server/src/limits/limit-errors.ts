import { ruleError } from '../domain-error';

export const DailySpendLimitReached = ruleError('CONFLICT', 'DAILY_SPEND_LIMIT_REACHED');
export const DailyDrawLimitReached = ruleError('CONFLICT', 'DAILY_DRAW_LIMIT_REACHED');
