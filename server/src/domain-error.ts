/**
 * What went wrong, in the shop's terms (REFUSED: a well-formed request the shop's rules forbid for this
 * shopper, such as the age gate; LIMITED: too many of something, such as SMS codes to one number; UNAUTHENTICATED / FORBIDDEN / LOCKED: a staff login or role refused). Domain code throws these and knows nothing of HTTP: the one mapping
 * at the HTTP edge (http/error-handler.ts) turns a kind into a status, the admin CLI into an exit code,
 * and the jobs decide from the kind whether trying again can help.
 */
export type DomainErrorKind = 'NOT_FOUND' | 'INVALID' | 'CONFLICT' | 'REFUSED' | 'UNAVAILABLE' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'LOCKED' | 'LIMITED';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  /** Stable, shown to clients (the mini-program picks its message by it). */
  abstract readonly code: string;

  constructor(
    message: string,
    /** Extra facts a client can act on, e.g. when a sold-out box may have units again. */
    readonly details: Record<string, string | number> = {},
  ) {
    // An answer, not a fault: no stack (nothing logs one for a domain error, and capturing it was a tenth of the
    // CPU of a drop's sold-out answer).
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = new.target.name || 'DomainError';
  }
}

/** A domain error that needs nothing but its message: `export const CouponExpired = ruleError('CONFLICT', 'COUPON_EXPIRED')`. */
export function ruleError<const C extends string>(kind: DomainErrorKind, code: C) {
  return class extends DomainError {
    readonly kind = kind;
    readonly code = code;
  };
}

/** Something named by the request does not exist (or is not the caller's). */
export class NotFound extends DomainError {
  readonly kind = 'NOT_FOUND';
  readonly code: string = 'NOT_FOUND';
  constructor(what: string) {
    super(`${what} not found`);
  }
}
