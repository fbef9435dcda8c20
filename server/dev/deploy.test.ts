import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type RunningSimulator } from '../simulator/src/simulator';
import { testEnv, uniqueDbName } from '../test/support/test-env';
import { merchantCredentials } from '../test/support/merchant-credentials';
import { waitUntil } from '../test/support/wechatpay-harness';
import { buildServer, distDir } from './build';
import { freePort } from './free-port';
import { repoRoot } from './paths';
import { PRODUCTION_NODE_FLAGS } from './production-node-flags';
import { runToEnd } from './processes';

// The deploy path of docs/deploy.md: what `npm run build` leaves, plus the manifests and the lockfile, installed
// with production dependencies only into a folder with no TypeScript in it, started with plain node.
let folder: string;
let simulator: RunningSimulator;
beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'blindbox-deploy-'));
  simulator = await startSimulator({ credentialsDir: testEnv().credentialsDir, port: 0 });
});
afterAll(async () => {
  await simulator.stop();
  await rm(folder, { recursive: true, force: true });
});

test("docs/deploy.md's systemd unit starts the server with the node flags of npm run start:prod", () => {
  const execStarts = fs.readFileSync(path.join(repoRoot, 'docs', 'deploy.md'), 'utf8').match(/^ExecStart=.*server\/dist\/main\.js$/gm);
  expect(execStarts).toEqual([['ExecStart=/usr/bin/node', ...PRODUCTION_NODE_FLAGS, 'server/dist/main.js'].join(' ')]);
});

test('the built server installs with --omit=dev and runs in production mode with plain node', async () => {
  await buildServer();
  // The artifact docs/deploy.md lists: manifests, lockfile, the built server and console, the demo catalog.
  for (const file of ['package.json', 'package-lock.json', 'server/package.json', 'shared/package.json', 'miniapp/package.json', 'server/console/package.json']) {
    await cp(path.join(repoRoot, file), path.join(folder, file));
  }
  await cp(distDir, path.join(folder, 'server', 'dist'), { recursive: true });
  await cp(path.join(repoRoot, 'server', 'catalog'), path.join(folder, 'server', 'catalog'), { recursive: true });
  // The root install just filled npm's cache, so nothing needs the (slow) registry.
  await runToEnd('npm', ['install', '--omit=dev', '--workspace', 'server', '--prefer-offline', '--no-audit', '--no-fund'], {}, folder);
  for (const devTool of ['tsx', 'typescript', 'esbuild', 'jest', '@tarojs/cli']) {
    expect(fs.existsSync(path.join(folder, 'node_modules', devTool))).toBe(false);
  }

  const port = await freePort();
  const dbName = uniqueDbName('deploy');
  const credentialsDir = await merchantCredentials(testEnv().credentialsDir, path.join(folder, 'credentials'));
  // The session secret comes only from the .env in the working directory, as on a host without a supervisor.
  await writeFile(path.join(folder, '.env'), 'SESSION_SECRET=deploy-test-session-secret-long-enough\n', { mode: 0o600 });
  // Started as `npm run start:prod` starts it, with its node flags (which docs/deploy.md's unit must repeat).
  const child = spawn(process.execPath, [...PRODUCTION_NODE_FLAGS, 'server/dist/main.js'], {
    cwd: folder,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      PORT: String(port),
      MONGODB_URI: testEnv().mongodbUri,
      MONGODB_DB: dbName,
      WECHATPAY_CREDENTIALS_DIR: credentialsDir,
      WECHATPAY_NOTIFY_URL: 'https://shop.example.com/api/payments/wechat/notify',
      // The simulator stands in for WeChat, so production mode has to be told that on purpose.
      WECHATPAY_BASE_URL: simulator.url,
      WECHAT_LOGIN_BASE_URL: simulator.url,
      WECHAT_BASE_URL_OVERRIDE: simulator.url,
      // …and so does the embedded engine, which is no replica set.
      MONGODB_ALLOW_STANDALONE: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitUntil(async () => ((await fetch(`${base}/readyz`).catch(() => null))?.ok ? true : null), 30_000, `the built server to be ready (output: ${output})`);
    // seed.js finds the demo catalog the artifact carries.
    const seeded = spawnSync(process.execPath, ['server/dist/seed.js'], { cwd: folder, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', MONGODB_URI: testEnv().mongodbUri, MONGODB_DB: dbName, MONGODB_ALLOW_STANDALONE: 'true' }, encoding: 'utf8' });
    expect(seeded.stderr).toBe('');
    expect(seeded.stdout).toContain('catalog seeded');
    const boxes = (await (await fetch(`${base}/api/boxes`)).json()) as { items: unknown[] };
    expect(boxes.items.length).toBeGreaterThan(0);
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'dev-deploy' }) });
    expect(login.status).toBe(200);

    // The order door from the same artifact, with nothing but where it listens and where the server is.
    const doorPort = await freePort();
    const door = spawn(process.execPath, ['server/dist/door.js'], {
      cwd: folder,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', PORT: String(doorPort), DOOR_UPSTREAM_URLS: base },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let doorOutput = '';
    for (const stream of [door.stdout, door.stderr]) stream.on('data', (chunk: Buffer) => (doorOutput += chunk.toString()));
    const doorExited = new Promise<number | null>((resolve) => door.once('exit', (code) => resolve(code)));
    try {
      await waitUntil(async () => ((await fetch(`http://127.0.0.1:${doorPort}/readyz`).catch(() => null))?.ok ? true : null), 30_000, `the order door to pass the server's readiness on (output: ${doorOutput})`);
      expect(((await (await fetch(`http://127.0.0.1:${doorPort}/api/boxes`)).json()) as { items: unknown[] }).items).toHaveLength(boxes.items.length);
      door.kill('SIGTERM');
      expect(await doorExited).toBe(0);
      expect(doorOutput).toContain('"msg":"order door listening"');
    } finally {
      door.kill('SIGKILL');
    }

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"server listening"');
  } finally {
    child.kill('SIGKILL');
  }
}, 120_000);
