import type { Context, Middleware } from 'koa';
import getRawBody from 'raw-body';
import { badRequest } from './app-error';

/**
 * Reads the body once as raw bytes (WeChat Pay signs the exact bytes, so re-serialised JSON would not
 * verify), keeps them on ctx.state.rawBody and parses JSON bodies into ctx.request.body. Form bodies are
 * taken only on `formPaths` (Alipay's notifications, which their route verifies and parses from the raw
 * bytes); `rawPaths` are read but left unparsed (their route verifies the raw bytes); `filePaths` are left to their
 * routes (fileBody); everywhere else anything but JSON is refused. raw-body rejects bodies over the limit with a 413.
 */
export function jsonBody(limitBytes: number, formPaths: readonly string[] = [], rawPaths: readonly string[] = [], filePaths: readonly string[] = []): Middleware {
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
