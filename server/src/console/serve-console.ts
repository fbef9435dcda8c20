import fs from 'node:fs';
import path from 'node:path';
import type { Middleware } from 'koa';
import send from 'koa-send';

export const CONSOLE_PATH = '/console';

/**
 * The console's pages may run only the console's own scripts, talk only to its own origin, and never be framed
 * (clickjacking an admin's clicks). Styles allow 'unsafe-inline' because Ant Design injects its CSS-in-JS as
 * <style> elements at run time; scripts stay strictly 'self'. Images: the shop's own and https (product images).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Vite puts content-hashed files under assets/: a changed file gets a new name, so they are cached for a year. */
const HASHED = /^\/assets\//;

/**
 * Serves the built console (server/console/dist) under /console: files as they are, any other path the SPA's
 * index.html (its router's entry), never cached, so a deploy is picked up at the next load.
 */
export function serveConsole(dir: string): Middleware {
  const root = path.resolve(dir);
  return async (ctx, next) => {
    if (ctx.path !== CONSOLE_PATH && !ctx.path.startsWith(`${CONSOLE_PATH}/`)) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === CONSOLE_PATH) {
      ctx.redirect(`${CONSOLE_PATH}/`);
      return;
    }
    ctx.set('Content-Security-Policy', CONSOLE_CSP);
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    const relative = ctx.path.slice(CONSOLE_PATH.length) || '/';
    const file = relative === '/' ? null : await existingFile(root, relative);
    if (file) {
      ctx.set('Cache-Control', HASHED.test(relative) ? 'public, max-age=31536000, immutable' : 'no-cache');
      await send(ctx, file, { root });
      return;
    }
    // A missing hashed asset is a 404, not the page: a stale tab asking for an old bundle must not get HTML.
    if (HASHED.test(relative) || !fs.existsSync(path.join(root, 'index.html'))) return next();
    ctx.set('Cache-Control', 'no-cache');
    await send(ctx, 'index.html', { root });
  };
}

/** The file under root this path names, or null (koa-send itself refuses paths leaving root). */
async function existingFile(root: string, relative: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = path.resolve(root, `.${decoded}`);
  if (!full.startsWith(`${root}${path.sep}`)) return null;
  const stat = await fs.promises.stat(full).catch(() => null);
  return stat?.isFile() ? path.relative(root, full) : null;
}
