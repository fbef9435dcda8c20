import type { Context, Middleware } from 'koa';
import getRawBody from 'raw-body';
import { badRequest } from './app-error';

/**
 * Reads the body once as raw bytes (WeChat Pay signs the exact bytes, so re-serialised JSON would not
 * verify), keeps them on ctx.state.rawBody and parses JSON bodies into ctx.request.body. Anything but JSON is
 * refused except on the BodyPaths named for it. raw-body rejects bodies over the limit with a 413.
 */
/** Paths whose bodies are not JSON: each is read by the route that verifies it. */
export interface BodyPaths {
  /** Form bodies (Alipay's notifications, verified and parsed from the raw bytes). */
  form?: readonly string[];
  /** JSON or XML taken raw (the mini-program's message push, verified and parsed by its route). */
  raw?: readonly string[];
  /** File uploads: not read here at all; the route reads its own body (fileBody) after checking who is asking. */
  file?: readonly string[];
}

export function jsonBody(limitBytes: number, { form: formPaths = [], raw: rawPaths = [], file: filePaths = [] }: BodyPaths = {}): Middleware {
  return async (ctx, next) => {
    if (ctx.method === 'GET' || ctx.method === 'HEAD' || ctx.method === 'DELETE') return next();
    // A file upload's route reads its own body (fileBody), after it has checked who is asking.
    if (filePaths.includes(ctx.path)) return next();
    const raw = await getRawBody(ctx.req, { limit: limitBytes, length: ctx.get('content-length') || undefined });
    ctx.state.rawBody = raw;
    if (raw.length === 0 || rawPaths.includes(ctx.path)) {
      // rawPaths (the mini-program's message push, JSON or XML) are verified and parsed from the raw bytes by their route.
      ctx.request.body = {};
    } else if (ctx.is('application/json') || !ctx.get('content-type')) {
      try {
        ctx.request.body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw badRequest('INVALID_JSON', 'request body is not valid JSON');
      }
    } else if (ctx.is('application/x-www-form-urlencoded') && formPaths.includes(ctx.path)) {
      ctx.request.body = {};
    } else {
      throw badRequest('UNSUPPORTED_CONTENT_TYPE', 'send application/json');
    }
    return next();
  };
}

/**
 * A file upload's bytes, of any declared type (its route checks what they really are), up to `limitBytes`:
 * past it raw-body stops reading and answers 413.
 */
export function fileBody(ctx: Context, limitBytes: number): Promise<Buffer> {
  return getRawBody(ctx.req, { limit: limitBytes, length: ctx.get('content-length') || undefined });
}
