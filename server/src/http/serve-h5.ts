import fs from 'node:fs';
import path from 'node:path';
import type { Middleware } from 'koa';

/**
 * Development only: serves the mini-program's H5 build from the API's own origin so the browser needs
 * no CORS for /api. Unknown paths get index.html (the H5 router's entry).
 */
export function serveH5(dir: string): Middleware {
  const root = path.resolve(dir);
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.path.startsWith('/api/')) return next();
    const wanted = path.resolve(root, `.${decodeURIComponent(ctx.path)}`);
    const isFile = wanted.startsWith(root + path.sep) && fs.statSync(wanted, { throwIfNoEntry: false })?.isFile();
    const file = isFile ? wanted : path.join(root, 'index.html');
    if (!fs.existsSync(file)) return next();
    ctx.type = path.extname(file);
    ctx.body = fs.createReadStream(file);
  };
}
