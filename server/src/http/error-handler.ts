import type { Middleware } from 'koa';
import { ZodError } from 'zod';
import { AppError } from './app-error';
import { DomainError, type DomainErrorKind } from '../domain-error';

/** The one place a domain error becomes an HTTP status. */
const STATUS_OF_KIND: Record<DomainErrorKind, number> = { NOT_FOUND: 404, INVALID: 400, CONFLICT: 409, REFUSED: 422, UNAVAILABLE: 503, UNAUTHENTICATED: 401, FORBIDDEN: 403, LOCKED: 423, LIMITED: 429 };
import { isDuplicateKeyError } from '../db/duplicate-key-error';
import { isDatabaseUnavailable } from '../db/database-unavailable';

/** How long a client (or WeChat's retry schedule, which has its own) is asked to wait while a dependency is down. */
export const RETRY_AFTER_SECONDS = 5;

interface ErrorBody {
  status: number;
  code: string;
  message: string;
  details?: Record<string, string | number>;
}

function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : undefined;
}

/** Maps anything thrown below to the public `{code, message}` shape; stacks go to the log only. */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof DomainError) return { status: STATUS_OF_KIND[error.kind], code: error.code, message: error.message, details: error.details };
  if (error instanceof AppError) return { status: error.status, code: error.code, message: error.message };
  if (error instanceof ZodError) {
    const message = error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
    // The top-level fields at fault, so a client can mark them in its own words (the message is for developers).
    const fields = [...new Set(error.issues.map((issue) => String(issue.path[0] ?? '')).filter(Boolean))].join(',');
    return { status: 400, code: 'VALIDATION_ERROR', message, details: fields ? { fields } : undefined };
  }
  if (isDatabaseUnavailable(error)) return { status: 503, code: 'DATABASE_UNAVAILABLE', message: 'the database is unreachable; try again shortly' };
  if (isDuplicateKeyError(error)) {
    const fields = Object.keys(error.keyValue ?? {}).join(', ');
    return { status: 409, code: 'CONFLICT', message: fields ? `duplicate value for ${fields}` : 'duplicate value' };
  }
  const status = httpStatusOf(error);
  if (status === 413) return { status, code: 'PAYLOAD_TOO_LARGE', message: 'request body too large' };
  if (status === 429) return { status, code: 'RATE_LIMITED', message: 'too many requests, slow down' };
  if (status === 405) return { status, code: 'METHOD_NOT_ALLOWED', message: 'method not allowed on this path' };
  if (status === 501) return { status, code: 'NOT_IMPLEMENTED', message: 'unknown method' };
  if (status !== undefined && status < 500 && (error as { expose?: boolean }).expose) {
    return { status, code: 'BAD_REQUEST', message: (error as Error).message };
  }
  return { status: 500, code: 'INTERNAL', message: 'internal server error' };
}

export function errorHandler(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new AppError(404, 'NOT_FOUND', `no route for ${ctx.method} ${ctx.path}`);
      }
    } catch (error) {
      const body = toErrorBody(error);
      // A rule asking the caller to come back (a busy counter) is expected under load, not a fault to page on.
      if (error instanceof DomainError && error.kind === 'UNAVAILABLE') ctx.state.log.warn({ code: body.code, reason: body.message }, 'request deferred');
      else if (body.status >= 500) ctx.state.log.error({ err: error }, 'request failed');
      if (body.status === 503) ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
      ctx.status = body.status;
      ctx.body = { ...body.details, code: body.code, message: body.message };
    }
  };
}
