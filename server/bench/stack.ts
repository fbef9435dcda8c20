import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { startEngine, type EngineHandle } from '../dev/engine';
import { repoRoot } from '../dev/paths';
import { PRODUCTION_NODE_FLAGS } from '../dev/production-node-flags';
import { runToEnd } from '../dev/processes';
import { freePort } from '../dev/free-port';
import { openBenchDb, type BenchDb } from './db';
import { OUTSIDE_WORLD_NICENESS } from './load';

/**
 * One benchmark section's stack, every part in its own process as in production: the engine (or MONGODB_URI),
 * the simulator and the server (`server/dist/main.js`, exactly what `npm run start:prod` runs). The load generator
 * lives in the benchmark process's worker threads, so nothing measured shares an event loop with it.
 * One machine plays three: in production the database has machines of its own, and the shoppers' phones and
 * WeChat's servers are not on the shop's either. So the embedded engine gets one core (GOMAXPROCS=1), leaving the
 * other to the servers, and the simulator, which stands in for WeChat, runs at a lower priority (nice 10): a burst
 * is answered by the shop's CPU, not decided by which process the kernel favours. The load generator does not
 * (load.ts): it holds the clock every latency is read from.
 * With a profile folder, the server and simulator run under --cpu-prof and the engine under Go's pprof; each
 * writes its profile when stopped.
 */

export interface StackOptions {
  name: string;
  benchDir: string;
  credentialsDir: string;
  sessionSecret: string;
  /** Server environment on top of the benchmark's defaults. */
  env?: Record<string, string>;
  simulatorTimeScale?: number;
  /**
   * WeChat Pay's callbacks served by a server process of their own (the same build, JOBS=off, no shopper traffic),
   * as docs/deploy.md's proxy routes them in production.
   */
  callbackServer?: boolean;
  /** The order door (server/dist/door.js) in front of the server for `/api/orders`, as docs/deploy.md's proxy routes it. */
  orderDoor?: boolean;
  profileDir: string | null;
  log: (line: string) => void;
}

export interface Stack {
  url: string;
  /** Where `/api/orders` goes: the order door when the stack has one, else `url`. */
  orderUrl: string;
  simulatorUrl: string;
  dbName: string;
  /** The server's environment, for code that must run in-process against the same databases. */
  env: Record<string, string>;
  /** Spawn of the server process to its first 200 on /readyz. */
  coldStartMs: number;
  db: BenchDb;
  /** CPU time the server processes (and the order door) have used so far (user + system), from /proc: what their requests cost them. */
  serverCpuMs(): number;
  /** CPU time each part of the stack has used so far, by part (the engine only when the stack started it). */
  cpuMsByPart(): Partial<Record<StackPart, number>>;
  stop(): Promise<void>;
}

export type StackPart = 'shop' | 'callbacks' | 'order door' | 'engine' | 'simulator';
/** The parts that are the shop's own processes (what `serverCpuMs` adds up). */
const SERVER_PARTS: readonly StackPart[] = ['shop', 'callbacks', 'order door'];

/** Linux's clock ticks per second for /proc/<pid>/stat and /proc/stat (USER_HZ, 100 on every kernel Node supports here). */
export const TICKS_PER_SECOND = 100;

function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  // Fields after the command's closing parenthesis; utime and stime are the 14th and 15th of the whole line.
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/**
 * A folder per process: Node writes one profile per thread (tsx's loader runs in a thread of its own) and a
 * fixed file name would let them overwrite each other. The main thread's file has thread id 0 in its name.
 */
const profileArgs = (profileDir: string | null, profileName: string): string[] => (profileDir ? ['--cpu-prof', '--cpu-prof-dir', path.join(profileDir, profileName)] : []);

function nodeArgs(profileDir: string | null, profileName: string, entry: string): string[] {
  return [...profileArgs(profileDir, profileName), '--import', 'tsx', entry];
}

/** The server as deployed (`npm run build`, then `npm run start:prod`): built once by the benchmark before its sections. */
export const SERVER_ENTRY = 'server/dist/main.js';
/** The order door as deployed (`npm run start:door`), from the same build. */
const DOOR_ENTRY = 'server/dist/door.js';

/**
 * Output goes to the log file; with `pipeStdout` stdout stays readable instead (the simulator prints its URL there).
 * `outsideWorld`: a stand-in for WeChat or the phones, started at OUTSIDE_WORLD_NICENESS (see the top of this file).
 */
function spawnNode(args: string[], env: Record<string, string>, logFile: string, { pipeStdout = false, outsideWorld = false } = {}): ChildProcess {
  const out = fs.openSync(logFile, 'a');
  const [command, commandArgs] = outsideWorld ? ['nice', ['-n', String(OUTSIDE_WORLD_NICENESS), process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(command, commandArgs, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', pipeStdout ? 'pipe' : out, out] });
  fs.closeSync(out);
  return child;
}

function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function firstLine(child: ChildProcess, what: string): Promise<string> {
  const lines = readline.createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code} before it was ready`)));
    lines.once('line', (line) => {
      child.stdout!.resume();
      resolve(line);
    });
  });
}

async function until200(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}; see its log in .data/bench`);
    const ok = await fetch(url).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${url} gave no 200 within ${timeoutMs} ms`);
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const { name, benchDir, profileDir, log } = options;
  const logFile = (part: string) => path.join(benchDir, `${name}-${part}.log`);
  const engineDir = path.join(benchDir, `engine-${name}`);
  // Unique per run: with MONGODB_URI the databases outlive a crashed run.
  const dbName = `bench_${name}_${Date.now().toString(36)}`;
  const running: ChildProcess[] = [];
  let engine: EngineHandle | null = null;

  const stopAll = async () => {
    for (const child of running.reverse()) await stopChild(child);
    if (engine) {
      await engine.stop();
      fs.rmSync(engineDir, { recursive: true, force: true });
    }
  };

  try {
    let mongodbUri = process.env.MONGODB_URI;
    if (!mongodbUri) {
      const profile = profileDir ? ['-cpuprofile', path.join(profileDir, `${name}-engine.pprof`)] : [];
      engine = await startEngine({ dataDir: engineDir, fresh: true, log, args: profile, cores: 1 });
      mongodbUri = engine.uri;
    }

    const simulator = spawnNode(
      nodeArgs(profileDir, `${name}-simulator`, 'server/bench/simulator-process.ts'),
      { SIM_CREDENTIALS_DIR: options.credentialsDir, SIM_TIME_SCALE: String(options.simulatorTimeScale ?? 0.01) },
      logFile('simulator'),
      { pipeStdout: true, outsideWorld: true },
    );
    running.push(simulator);
    const simulatorUrl = (JSON.parse(await firstLine(simulator, 'the simulator')) as { url: string }).url;

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const callbackPort = options.callbackServer ? await freePort() : port;
    const callbackUrl = `http://127.0.0.1:${callbackPort}`;
    const env: Record<string, string> = {
      // Not production: production mode refuses the simulator as WeChat and an http notify URL.
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      MONGODB_URI: mongodbUri,
      MONGODB_DB: dbName,
      SESSION_SECRET: options.sessionSecret,
      WECHATPAY_BASE_URL: simulatorUrl,
      WECHAT_LOGIN_BASE_URL: simulatorUrl,
      WECHATPAY_CREDENTIALS_DIR: options.credentialsDir,
      WECHATPAY_NOTIFY_URL: `${callbackUrl}/api/payments/wechat/notify`,
      // The benchmark measures the payment path, not the per-shopper daily caps.
      DAILY_SPEND_CAP_FEN: '100000000',
      DAILY_DRAW_CAP_PER_BOX: '100000',
      ...options.env,
    };
    await runToEnd(process.execPath, ['--import', 'tsx', 'server/src/catalog/seed-cli.ts'], { ...env, LOG_LEVEL: 'warn' });

    const started = performance.now();
    const server = spawnNode([...PRODUCTION_NODE_FLAGS, ...profileArgs(profileDir, `${name}-server`), SERVER_ENTRY], env, logFile('server'));
    running.push(server);
    await until200(`${url}/readyz`, server, 30_000);
    const coldStartMs = performance.now() - started;
    const parts: Partial<Record<StackPart, ChildProcess | { pid: number }>> = { shop: server, simulator, ...(engine ? { engine } : {}) };
    if (options.callbackServer) {
      const callbacks = spawnNode([...PRODUCTION_NODE_FLAGS, ...profileArgs(profileDir, `${name}-callback-server`), SERVER_ENTRY], { ...env, PORT: String(callbackPort), JOBS: 'off' }, logFile('callback-server'));
      running.push(callbacks);
      parts.callbacks = callbacks;
      await until200(`${callbackUrl}/readyz`, callbacks, 30_000);
    }
    let orderUrl = url;
    if (options.orderDoor) {
      const doorPort = await freePort();
      orderUrl = `http://127.0.0.1:${doorPort}`;
      const door = spawnNode([...profileArgs(profileDir, `${name}-order-door`), DOOR_ENTRY], { NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(doorPort), LOG_LEVEL: env.LOG_LEVEL!, DOOR_UPSTREAM_URLS: url }, logFile('order-door'));
      running.push(door);
      parts['order door'] = door;
      // The door passes everything on: the server's readiness, asked through it, says both are up.
      await until200(`${orderUrl}/readyz`, door, 30_000);
    }

    const db = await openBenchDb(mongodbUri, dbName);
    log(`${name}: stack up (server cold start ${coldStartMs.toFixed(0)} ms)`);
    return {
      url,
      orderUrl,
      simulatorUrl,
      dbName,
      env,
      coldStartMs,
      db,
      serverCpuMs: () => SERVER_PARTS.reduce((sum, part) => sum + (parts[part] ? cpuMsOf(parts[part].pid) : 0), 0),
      cpuMsByPart: () => Object.fromEntries(Object.entries(parts).map(([part, child]) => [part, cpuMsOf(child.pid)])),
      async stop() {
        if (!engine) await db.dropDatabases();
        await db.close();
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
