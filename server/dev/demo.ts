import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { loadDotEnv } from '../src/env-file';
import { demoPorts, demoServerEnv, demoServerUrl, demoSimulatorUrl } from './demo-env';
import { devAlipayCredentialsDir, repoRoot } from './paths';
import { runToEnd, runTs, waitForHttp } from './processes';

/**
 * `npm start`: the whole loop on a laptop — embedded engine, WeChat Pay simulator, seeded catalog,
 * the server (with jobs) and the mini-program's H5 build served by the server.
 */
loadDotEnv();
const serverUrl = demoServerUrl;
const simulatorUrl = demoSimulatorUrl;
const h5Dir = path.join(repoRoot, 'miniapp', 'dist', 'h5');

async function main(): Promise<void> {
  const { env: serverEnv, engine } = await demoServerEnv();
  console.log(`database: ${engine ? `embedded engine at ${engine.uri}${engine.reused ? ' (reused)' : ''}` : 'MONGODB_URI'}`);
  await runToEnd(process.execPath, ['--import', 'tsx', 'server/src/catalog/seed-cli.ts'], serverEnv);

  if (process.env.SKIP_H5_BUILD !== '1') {
    console.log('building the mini-program for H5 (set SKIP_H5_BUILD=1 to reuse the last build)…');
    await runToEnd('npm', ['run', 'build:h5', '-w', 'miniapp']);
  }

  const children: ChildProcess[] = [
    runTs('server/simulator/src/main.ts', { SIM_PORT: demoPorts.simulator, SIM_ALIPAY_CREDENTIALS_DIR: devAlipayCredentialsDir }, 'simulator'),
  ];
  await waitForHttp(`${simulatorUrl}/sim/notifications`, 30_000);
  children.push(runTs('server/src/main.ts', { ...serverEnv, ...(fs.existsSync(h5Dir) ? { H5_DIR: h5Dir } : {}) }, 'server'));
  await waitForHttp(`${serverUrl}/readyz`, 30_000);

  console.log(`
  Blindbox Pay is running
    shop (H5 build):     ${fs.existsSync(h5Dir) ? `${serverUrl}/` : '(no H5 build)'}
    API:                 ${serverUrl}/api/boxes
    WeChat Pay simulator ${simulatorUrl}/sim/notifications
    Alipay simulator     ${simulatorUrl}/sim/alipay/notifications
    database:            ${serverEnv.MONGODB_URI}
    admin CLI:           npm run admin:demo -- --help
  Ctrl+C stops the server and simulator (the engine keeps running; \`npm run engine -- stop\` stops it).
`);
  const stop = () => {
    for (const child of children) child.kill('SIGTERM');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await Promise.all(children.map((child) => new Promise((resolve) => child.once('exit', resolve))));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
