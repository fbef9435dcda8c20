import fs from 'node:fs';
import path from 'node:path';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { loadDotEnv } from '../src/env-file';
import { demoPorts, demoServerEnv, demoServerUrl, demoSimulatorUrl } from './demo-env';
import { devAlipayCredentialsDir, devSmsCredentialsDir, repoRoot } from './paths';
import { runToEnd, runTs, waitForHttp } from './processes';

/**
 * `npm start`: the whole loop on a laptop — embedded engine, WeChat Pay simulator, seeded catalog,
 * the server (with jobs) and the mini-program's H5 build served by the server.
 */
loadDotEnv();
const serverUrl = demoServerUrl;
const simulatorUrl = demoSimulatorUrl;
const h5Dir = path.join(repoRoot, 'miniapp', 'dist', 'h5');
const consoleDir = path.join(repoRoot, 'server', 'console', 'dist');
/** The demo's owner account (development only: production owners are created with `admin staff create`). */
const DEMO_OWNER = { username: 'demo-owner', password: 'demo-owner-pass' };

/** Creates the demo owner through the admin CLI, password on stdin; already there (a reused engine) is fine. */
function ensureDemoOwner(env: Record<string, string>): void {
  const created = spawnSync(process.execPath, ['--import', 'tsx', 'server/src/admin/cli.ts', 'staff', 'create', DEMO_OWNER.username, '--role', 'owner', '--password-stdin', '--as', 'demo'], {
    cwd: repoRoot,
    env: { ...process.env, ...env, LOG_PRETTY: 'false' },
    input: `${DEMO_OWNER.password}\n`,
    encoding: 'utf8',
  });
  if (created.status !== 0 && !created.stderr.includes('STAFF_NAME_TAKEN')) throw new Error(`demo owner not created: ${created.stderr}`);
}

async function main(): Promise<void> {
  const { env: serverEnv, engine } = await demoServerEnv();
  console.log(`database: ${engine ? `embedded engine at ${engine.uri}${engine.reused ? ' (reused)' : ''}` : 'MONGODB_URI'}`);
  await runToEnd(process.execPath, ['--import', 'tsx', 'server/src/catalog/seed-cli.ts'], serverEnv);
  ensureDemoOwner(serverEnv);

  if (process.env.SKIP_H5_BUILD !== '1') {
    console.log('building the mini-program for H5 (set SKIP_H5_BUILD=1 to reuse the last build)…');
    await runToEnd('npm', ['run', 'build:h5', '-w', 'miniapp']);
  }
  // Seconds, not minutes: always rebuilt, so the console shown is the one in the working tree.
  console.log('building the staff console…');
  await runToEnd('npm', ['run', 'build', '-w', 'server/console']);

  const children: ChildProcess[] = [
    runTs('server/simulator/src/main.ts', { SIM_PORT: demoPorts.simulator, SIM_ALIPAY_CREDENTIALS_DIR: devAlipayCredentialsDir, SIM_SMS_CREDENTIALS_DIR: devSmsCredentialsDir }, 'simulator'),
  ];
  await waitForHttp(`${simulatorUrl}/sim/notifications`, 30_000);
  children.push(runTs('server/src/main.ts', { ...serverEnv, ...(fs.existsSync(h5Dir) ? { H5_DIR: h5Dir } : {}) }, 'server'));
  await waitForHttp(`${serverUrl}/readyz`, 30_000);

  console.log(`
  Blindbox Pay is running
    shop (H5 build):     ${fs.existsSync(h5Dir) ? `${serverUrl}/` : '(no H5 build)'}
    API:                 ${serverUrl}/api/boxes
    staff console:       ${fs.existsSync(path.join(consoleDir, 'index.html')) ? `${serverUrl}/console/` : '(not built: server/console/dist)'}  login ${DEMO_OWNER.username} / ${DEMO_OWNER.password}
    WeChat Pay simulator ${simulatorUrl}/sim/notifications
    Alipay simulator     ${simulatorUrl}/sim/alipay/notifications
    SMS codes (sign-in)  ${simulatorUrl}/sim/sms/page
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
