import { rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from './paths';
import { runToEnd } from './processes';

/**
 * `npm run build`: the server's entry points and the shared code they import, compiled to CommonJS in
 * server/dist/ for plain `node`. Everything the server lists as a dependency stays an import (installed with
 * `npm install --omit=dev`); only our own TypeScript is bundled, so no dev tool is needed at run time.
 */
const serverDir = path.join(repoRoot, 'server');
export const distDir = path.join(serverDir, 'dist');

export const ENTRY_POINTS = {
  main: 'src/main.ts',
  worker: 'src/jobs/worker.ts',
  admin: 'src/admin/cli.ts',
  seed: 'src/catalog/seed-cli.ts',
  migrate: 'src/migrations/migrate-cli.ts',
  door: 'src/door/main.ts',
};

export async function buildServer(): Promise<void> {
  rmSync(distDir, { recursive: true, force: true });
  const { dependencies } = (await import(path.join(serverDir, 'package.json'))) as { dependencies: Record<string, string> };
  await build({
    absWorkingDir: serverDir,
    entryPoints: Object.fromEntries(Object.entries(ENTRY_POINTS)),
    outdir: distDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20.19',
    sourcemap: true,
    // Subpaths too (zod/v4, pino/file): every dependency is resolved by node from node_modules at run time.
    external: Object.keys(dependencies).flatMap((name) => [name, `${name}/*`]),
    logLevel: 'warning',
  });
}

if (require.main === module) {
  // The staff console ships with the server (served from server/console/dist under /console).
  buildServer()
    .then(() => runToEnd('npm', ['run', 'build', '-w', 'server/console']))
    .then(
      () => console.log(`built ${Object.keys(ENTRY_POINTS).map((name) => `server/dist/${name}.js`).join(', ')} and the staff console in server/console/dist`),
      (error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exit(1);
      },
    );
}
