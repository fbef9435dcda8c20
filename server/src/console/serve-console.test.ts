import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer, type TestServer } from '../../test/support/test-server';

let server: TestServer;
let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-dist-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/console/assets/app-1a2b3c.js"></script>');
  fs.writeFileSync(path.join(dir, 'assets', 'app-1a2b3c.js'), 'console.log("console")');
  fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  server = await startTestServer({ seed: false, env: { CONSOLE_DIR: dir } });
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const get = (pathname: string) => fetch(`${server.url}${pathname}`, { redirect: 'manual' });

test('the console page: CSP with frame-ancestors none, never framed, never cached', async () => {
  const page = await get('/console/');
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('id="root"');
  const csp = page.headers.get('content-security-policy')!;
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toMatch(/script-src[^;]*unsafe/);
  expect(page.headers.get('x-frame-options')).toBe('DENY');
  expect(page.headers.get('cache-control')).toBe('no-cache');
});

test('any other console path is the SPA (its router decides); /console redirects to /console/', async () => {
  const deep = await get('/console/orders/665f00000000000000000000');
  expect(deep.status).toBe(200);
  expect(deep.headers.get('content-type')).toContain('text/html');
  expect(deep.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  const bare = await get('/console');
  expect(bare.status).toBe(302);
  expect(bare.headers.get('location')).toBe('/console/');
});

test('hashed assets are cached for a year; a missing one is a 404, not the page; nothing outside the folder', async () => {
  const asset = await get('/console/assets/app-1a2b3c.js');
  expect(asset.status).toBe(200);
  expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  expect((await get('/console/assets/app-old.js')).status).toBe(404);
  expect((await get('/console/favicon.svg')).headers.get('cache-control')).toBe('no-cache');
  const escape = await get('/console/..%2f..%2fpackage.json');
  expect(await escape.text()).not.toContain('"workspaces"');
});
