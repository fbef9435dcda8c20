import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../../server/test/support/test-server';
import { h5Dir, launchChromium } from './page-checks';

/** A browser test's stack: the test server serving the H5 build, and one Chromium. */
export async function startH5Stack(): Promise<{ server: TestServer; browser: Browser }> {
  if (!fs.existsSync(path.join(h5Dir, 'index.html'))) throw new Error('no H5 build: run `npm run build:h5 -w miniapp` (npm test does)');
  const server = await startTestServer({ env: { H5_DIR: h5Dir } });
  try {
    return { server, browser: await launchChromium() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
