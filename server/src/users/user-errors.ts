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
/** This account has a number already; changing it is not offered (a number signs in its account). */
export const PhoneAlreadyBound = ruleError('CONFLICT', 'PHONE_ALREADY_BOUND');
/** The number signs in another WeChat account: one number, one WeChat account. */
export const PhoneBoundElsewhere = ruleError('CONFLICT', 'PHONE_BOUND_ELSEWHERE');
/** Both this account and the number's already have orders: merging them could game limits and guarantees. */
export const AccountsNotMergeable = ruleError('CONFLICT', 'ACCOUNTS_NOT_MERGEABLE');
/** This session's account was folded into another: sign in again to reach it. */
export const AccountMerged = ruleError('UNAUTHENTICATED', 'ACCOUNT_MERGED');
/** WeChat refused the getPhoneNumber code (invalid, used, or older than five minutes). */
export const InvalidPhoneCode = ruleError('INVALID', 'INVALID_PHONE_CODE');
