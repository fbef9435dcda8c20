import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../../server/test/support/test-server';
import { h5Dir, launchChromium } from './page-checks';

export interface H5Stack {
  server: TestServer;
  browser: Browser;
}

/**
 * A browser test file's stack: the test server serving the H5 build and one Chromium, started before the file's
 * tests (then `ready` runs, for the file's own setup) and stopped after them. `env` adds to the server's settings.
 */
export function useH5Stack(ready: (stack: H5Stack) => void | Promise<void>, options: { env?: Record<string, string> } = {}): void {
  let stack: H5Stack | null = null;
  beforeAll(async () => {
    if (!fs.existsSync(path.join(h5Dir, 'index.html'))) throw new Error('no H5 build: run `npm run build:h5 -w miniapp` (npm test does)');
    const server = await startTestServer({ env: { H5_DIR: h5Dir, ...options.env } });
    try {
      stack = { server, browser: await launchChromium() };
    } catch (error) {
      await server.stop();
      throw error;
    }
    await ready(stack);
  }, 60_000);
  afterAll(async () => {
    await stack?.browser.close();
    await stack?.server.stop();
  });
}
