import { ruleError } from '../domain-error';

export const AgeNotDeclared = ruleError('REFUSED', 'AGE_NOT_DECLARED');
export const UnderAge = ruleError('REFUSED', 'AGE_RESTRICTED');
export const GuardianConsentRequired = ruleError('REFUSED', 'GUARDIAN_CONSENT_REQUIRED');
export const AgeAlreadyDeclared = ruleError('CONFLICT', 'AGE_ALREADY_DECLARED');
/** The consent in force was given to an older declaration, or to lower limits than the shop's now. */
export const GuardianConsentOutdated = ruleError('REFUSED', 'GUARDIAN_CONSENT_OUTDATED');
/** Only a shopper who declared 8–17 needs (or can be given) a guardian's consent. */
export const GuardianConsentNotApplicable = ruleError('CONFLICT', 'GUARDIAN_CONSENT_NOT_APPLICABLE');
export const GuardianConsentExists = ruleError('CONFLICT', 'GUARDIAN_CONSENT_EXISTS');
/** The form showed another declaration or other limits than the shop's now: show it again. */
export const GuardianDeclarationChanged = ruleError('CONFLICT', 'GUARDIAN_DECLARATION_CHANGED');
