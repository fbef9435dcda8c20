import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildEngine } from './engine';
import { repoRoot } from './paths';
import { runToEnd } from './processes';
import { RELEASE_TEST_API_BASE } from '../../miniapp/config/api-base';

/**
 * `npm test`: everything the suite needs, then one Jest run. Building the engine, both mini-program builds and
 * the staff console up front keeps their minutes out of any test's timeout. The browser test needs Chromium and a CJK font
 * (without one every Chinese character renders as an empty box); both come from Debian when missing.
 */
const DEBIAN_PACKAGES = [
  { pkg: 'chromium', file: '/usr/bin/chromium' },
  { pkg: 'fonts-noto-cjk', file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc' },
];

function ensureDebianPackages(): void {
  const missing = DEBIAN_PACKAGES.filter(({ file }) => !fs.existsSync(file)).map(({ pkg }) => pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`the browser test needs ${missing.join(' and ')}: run \`sudo apt-get install -y ${missing.join(' ')}\``);
  console.log(`installing ${missing.join(' and ')} from Debian for the browser test…`);
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...missing]]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed`);
  }
}

async function main(): Promise<void> {
  if (!process.env.MONGODB_URI) buildEngine();
  ensureDebianPackages();
  await runToEnd('npm', ['run', 'build:h5', '-w', 'miniapp']);
  // The release H5 build too (phone sign-in only, Alipay and desktop QR), for the browser test that serves it as a shop.
  await runToEnd('npm', ['run', 'release:h5', '-w', 'miniapp'], { TARO_APP_API_BASE: RELEASE_TEST_API_BASE });
  await runToEnd('npm', ['run', 'build:weapp', '-w', 'miniapp']);
  await runToEnd('npm', ['run', 'build', '-w', 'server/console']);
  await runToEnd(process.execPath, [path.join(repoRoot, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', ...process.argv.slice(2)]);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
