import { ruleError } from '../domain-error';

export const InvalidCredentials = ruleError('UNAUTHENTICATED', 'INVALID_CREDENTIALS');
export const TotpRequired = ruleError('UNAUTHENTICATED', 'TOTP_REQUIRED');
export const TotpInvalid = ruleError('UNAUTHENTICATED', 'TOTP_INVALID');
export const AccountDisabled = ruleError('UNAUTHENTICATED', 'ACCOUNT_DISABLED');
export const Unauthenticated = ruleError('UNAUTHENTICATED', 'UNAUTHENTICATED');
export const SessionExpired = ruleError('UNAUTHENTICATED', 'SESSION_EXPIRED');
export const AccountLocked = ruleError('LOCKED', 'ACCOUNT_LOCKED');
export const Forbidden = ruleError('FORBIDDEN', 'FORBIDDEN');
export const CsrfRejected = ruleError('FORBIDDEN', 'CSRF_REJECTED');
export const TotpEnrolmentRequired = ruleError('FORBIDDEN', 'TOTP_ENROLMENT_REQUIRED');
export const PasswordChangeRequired = ruleError('FORBIDDEN', 'PASSWORD_CHANGE_REQUIRED');
export const TotpAlreadyEnabled = ruleError('CONFLICT', 'TOTP_ALREADY_ENABLED');
export const TotpNotStarted = ruleError('CONFLICT', 'TOTP_NOT_STARTED');
export const StaffNameTaken = ruleError('CONFLICT', 'STAFF_NAME_TAKEN');
export const LastOwner = ruleError('CONFLICT', 'LAST_OWNER');
export const CannotChangeSelf = ruleError('CONFLICT', 'CANNOT_CHANGE_SELF');
