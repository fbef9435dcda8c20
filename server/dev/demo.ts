import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { loadDotEnv } from '../src/env-file';
import { startEngine } from './engine';
import { ensureDevCredentials } from './credentials';
import { devAlipayEnv, ensureDevAlipayCredentials } from './alipay-credentials';
import { devSessionSecret } from './dev-secrets';
import { dataDir, devAlipayCredentialsDir, devCredentialsDir, repoRoot } from './paths';
import { runToEnd, runTs, waitForHttp } from './processes';

/**
 * `npm start`: the whole loop on a laptop — embedded engine, WeChat Pay simulator, seeded catalog,
 * the server (with jobs) and the mini-program's H5 build served by the server.
 */
loadDotEnv();
const serverPort = process.env.PORT || '3000';
const simulatorPort = process.env.SIM_PORT || '9090';
const serverUrl = `http://127.0.0.1:${serverPort}`;
const simulatorUrl = `http://127.0.0.1:${simulatorPort}`;
const h5Dir = path.join(repoRoot, 'miniapp', 'dist', 'h5');

async function main(): Promise<void> {
  const engine = process.env.MONGODB_URI ? null : await startEngine({ dataDir: path.join(dataDir, 'engine'), detached: true });
  const mongodbUri = process.env.MONGODB_URI || engine!.uri;
  console.log(`database: ${engine ? `embedded engine at ${mongodbUri}${engine.reused ? ' (reused)' : ''}` : 'MONGODB_URI'}`);
  await ensureDevCredentials(devCredentialsDir);
  const alipayCredentials = await ensureDevAlipayCredentials(devAlipayCredentialsDir);

  const serverEnv = {
    NODE_ENV: 'development',
    PORT: serverPort,
    MONGODB_URI: mongodbUri,
    SESSION_SECRET: process.env.SESSION_SECRET || devSessionSecret(),
    WECHATPAY_BASE_URL: simulatorUrl,
    WECHAT_LOGIN_BASE_URL: simulatorUrl,
    WECHATPAY_CREDENTIALS_DIR: devCredentialsDir,
    WECHATPAY_NOTIFY_URL: `${serverUrl}/api/payments/wechat/notify`,
    SIMULATOR_PUBLIC_URL: simulatorUrl,
    ...devAlipayEnv(devAlipayCredentialsDir, alipayCredentials, simulatorUrl, serverUrl),
    LOG_PRETTY: process.env.LOG_PRETTY || 'true',
  };
  await runToEnd(process.execPath, ['--import', 'tsx', 'server/src/catalog/seed-cli.ts'], serverEnv);

  if (process.env.SKIP_H5_BUILD !== '1') {
    console.log('building the mini-program for H5 (set SKIP_H5_BUILD=1 to reuse the last build)…');
    await runToEnd('npm', ['run', 'build:h5', '-w', 'miniapp']);
  }

  const children: ChildProcess[] = [
    runTs('server/simulator/src/main.ts', { SIM_PORT: simulatorPort, SIM_ALIPAY_CREDENTIALS_DIR: devAlipayCredentialsDir }, 'simulator'),
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
    database:            ${mongodbUri}
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
