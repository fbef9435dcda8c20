import { spawnSync } from 'node:child_process';
import { loadDotEnv } from '../src/env-file';
import { demoServerEnv } from './demo-env';
import { repoRoot } from './paths';

/**
 * `npm run admin:demo -- <command> …`: the admin CLI against the shop `npm start` runs (same engine, same dev
 * credentials), with no environment to set by hand. The exit code is the CLI's.
 */
async function main(): Promise<number> {
  loadDotEnv();
  const { env } = await demoServerEnv();
  const cli = spawnSync(process.execPath, ['--import', 'tsx', 'server/src/admin/cli.ts', ...process.argv.slice(2)], {
    cwd: repoRoot,
    env: { ...process.env, ...env, LOG_PRETTY: 'false' },
    stdio: 'inherit',
  });
  return cli.status ?? 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
