import { ruleError } from '../domain-error';

export const AgeNotDeclared = ruleError('REFUSED', 'AGE_NOT_DECLARED');
export const UnderAge = ruleError('REFUSED', 'AGE_RESTRICTED');
export const GuardianConsentRequired = ruleError('REFUSED', 'GUARDIAN_CONSENT_REQUIRED');
export const AgeAlreadyDeclared = ruleError('CONFLICT', 'AGE_ALREADY_DECLARED');
