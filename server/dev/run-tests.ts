import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildEngine } from './engine';
import { repoRoot } from './paths';
import { runToEnd } from './processes';

/**
 * `npm test`: everything the suite needs, then one Jest run. Building the engine and both mini-program builds
 * up front keeps their minutes out of any test's timeout; Chromium (for the browser test) comes from Debian.
 */
function ensureChromium(): void {
  if (fs.existsSync('/usr/bin/chromium')) return;
  if (process.getuid?.() !== 0) throw new Error('the browser test needs Chromium: run `sudo apt-get install -y chromium`');
  console.log('installing Chromium from Debian for the browser test…');
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed`);
  }
}

async function main(): Promise<void> {
  if (!process.env.MONGODB_URI) buildEngine();
  ensureChromium();
  await runToEnd('npm', ['run', 'build:h5', '-w', 'miniapp']);
  await runToEnd('npm', ['run', 'build:weapp', '-w', 'miniapp']);
  await runToEnd(process.execPath, [path.join(repoRoot, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', ...process.argv.slice(2)]);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
