import fs from 'node:fs';
import path from 'node:path';
import type { Middleware } from 'koa';
import { badRequest, notFound } from './app-error';

/**
 * Development only: serves the mini-program's H5 build from the API's own origin so the browser needs
 * no CORS for /api. Unknown paths get index.html (the H5 router's entry).
 */
export function serveH5(dir: string): Middleware {
  const root = path.resolve(dir);
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.path.startsWith('/api/')) return next();
    let decoded: string;
    try {
      decoded = decodeURIComponent(ctx.path);
    } catch {
      throw badRequest('BAD_PATH', 'malformed percent-encoding in the path');
    }
    if (decoded.includes('\0')) throw badRequest('BAD_PATH', 'NUL in the path');
    const wanted = path.resolve(root, `.${decoded}`);
    // A path that climbs out of the build (%2e%2e, encoded slashes) is not the router's business either.
    if (wanted !== root && !wanted.startsWith(root + path.sep)) throw notFound('file');
    const isFile = isPlainFile(wanted);
    const file = isFile ? wanted : path.join(root, 'index.html');
    if (!fs.existsSync(file)) return next();
    ctx.type = path.extname(file);
    ctx.body = fs.createReadStream(file);
  };
}

// ENOENT is not the only way a shopper's path fails to name a file (ENOTDIR under a file, ENAMETOOLONG).
function isPlainFile(file: string): boolean {
  try {
    return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}
