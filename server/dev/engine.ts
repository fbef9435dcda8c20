import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import mongoose from 'mongoose';
import { cacheDir, dataDir, repoRoot } from './paths';
import { freePort } from './free-port';
import { ferretDbPatches, filesUnder, overlayDir, preparePatchedBuild } from './engine-patch';

/**
 * Builds, starts, reuses and stops the embedded database engine: FerretDB v1 with its SQLite handler,
 * wrapped by our own Go program in server/engine (see its main.go for why).
 */

const sourceDir = path.join(repoRoot, 'server', 'engine');
const binaryPath = path.join(cacheDir, 'engine', 'ferretdb-engine');
const sourceHashPath = `${binaryPath}.source-sha256`;

export interface EngineHandle {
  uri: string;
  /** True when an engine that was already running was reused; stop() then leaves it running. */
  reused: boolean;
  /** The engine's process (what its CPU is read from). */
  pid: number;
  stop(): Promise<void>;
}

interface EngineState {
  pid: number;
  uri: string;
}

function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of fs.readdirSync(sourceDir).filter((name) => /\.go$|^go\.(mod|sum)$/.test(name)).sort()) {
    hash.update(fs.readFileSync(path.join(sourceDir, file)));
  }
  for (const file of filesUnder(overlayDir)) hash.update(file).update(fs.readFileSync(path.join(overlayDir, file)));
  hash.update(JSON.stringify(ferretDbPatches));
  return hash.digest('hex');
}

/** Builds the engine binary unless the cached one was built from the same sources. */
export function buildEngine(log: (line: string) => void = console.log): string {
  const hash = sourceHash();
  if (fs.existsSync(binaryPath) && fs.existsSync(sourceHashPath) && fs.readFileSync(sourceHashPath, 'utf8') === hash) {
    return binaryPath;
  }
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) {
    throw new Error(
      'Go is required to build the embedded database engine (FerretDB) but `go` was not found on PATH.\n' +
        'Install Go 1.24+ (e.g. `apt-get install golang` or https://go.dev/dl), or set MONGODB_URI to use an existing MongoDB.',
    );
  }
  log(`building the embedded database engine (FerretDB + SQLite) with ${go.stdout.trim()}; the first build takes a few minutes…`);
  fs.mkdirSync(path.dirname(binaryPath), { recursive: true });
  const modfile = preparePatchedBuild(sourceDir, path.dirname(binaryPath));
  const build = spawnSync('go', ['build', `-modfile=${modfile}`, '-o', binaryPath, '.'], { cwd: sourceDir, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`building the engine failed (go build exit code ${build.status})`);
  fs.writeFileSync(sourceHashPath, hash);
  return binaryPath;
}

export async function ping(uri: string, timeoutMs = 2000): Promise<boolean> {
  const client = new mongoose.mongo.MongoClient(uri, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs });
  try {
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readState(statePath: string): EngineState | null {
  try {
    return JSON.parse(fs.readFileSync(statePath, 'utf8')) as EngineState;
  } catch {
    return null;
  }
}

async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export interface StartEngineOptions {
  /** Folder for the SQLite files and the engine's state file. */
  dataDir?: string;
  /** Keep running after this process exits (the `engine start` command). */
  detached?: boolean;
  log?: (line: string) => void;
  /**
   * Listen on this port. Without it the engine takes the port it had last time in this data folder (kept in
   * `engine.port`), so a restarted engine is where its clients expect it and they reconnect by themselves;
   * a free port only the first time, or when another program has taken that one meanwhile.
   */
  port?: number;
  /** Start from empty data when a new engine is started (a reused, running one is left alone). */
  fresh?: boolean;
  /** Log every query shape whose SQL plan scans a whole collection table to this file (see audit.go). */
  scanAuditFile?: string;
  /** More engine flags, e.g. `-cpuprofile <file>` (the benchmark's profile mode). */
  args?: string[];
  /** At most this many cores for the engine (Go's GOMAXPROCS); every core when absent. */
  cores?: number;
}

/**
 * Starts the engine on a free loopback port and waits until it answers ping. If the state file says an
 * engine for this data folder is already running and it answers, that one is reused.
 */
export async function startEngine(options: StartEngineOptions = {}): Promise<EngineHandle> {
  const dir = options.dataDir ?? path.join(dataDir, 'engine');
  const log = options.log ?? console.log;
  const statePath = path.join(dir, 'engine.json');
  const existing = readState(statePath);
  if (existing && isAlive(existing.pid) && (await ping(existing.uri))) {
    return { uri: existing.uri, reused: true, pid: existing.pid, stop: async () => undefined };
  }

  const binary = buildEngine(log);
  const sqliteDir = path.join(dir, 'sqlite');
  if (options.fresh) fs.rmSync(sqliteDir, { recursive: true, force: true });
  fs.mkdirSync(sqliteDir, { recursive: true });
  const portPath = path.join(dir, 'engine.port');
  const port = options.port ?? (await rememberedPort(portPath)) ?? (await freePort());
  const uri = `mongodb://127.0.0.1:${port}/`;
  const logFile = fs.openSync(path.join(dir, 'engine.log'), 'a');
  const args = ['-listen', `127.0.0.1:${port}`, '-data', sqliteDir, ...(options.args ?? [])];
  if (options.scanAuditFile) args.push('-scan-audit', options.scanAuditFile);
  const child = spawn(binary, args, {
    detached: options.detached ?? false,
    env: options.cores ? { ...process.env, GOMAXPROCS: String(options.cores) } : process.env,
    stdio: ['ignore', 'ignore', logFile],
  });
  fs.closeSync(logFile);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${binary}`);
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    await waitUntil(async () => {
      if (exited) throw new Error(`the engine exited at start; see ${path.join(dir, 'engine.log')}`);
      return ping(uri, 500);
    }, 30_000, `the engine at ${uri}`);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  fs.writeFileSync(statePath, JSON.stringify({ pid, uri } satisfies EngineState));
  fs.writeFileSync(portPath, String(port));
  if (options.detached) child.unref();

  return {
    uri,
    reused: false,
    pid,
    stop: async () => {
      await stopPid(pid);
      fs.rmSync(statePath, { force: true });
    },
  };
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The port this data folder's engine used last, if it is still free to take. */
async function rememberedPort(portPath: string): Promise<number | null> {
  const port = Number(fs.existsSync(portPath) ? fs.readFileSync(portPath, 'utf8').trim() : NaN);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return null;
  return (await portIsFree(port)) ? port : null;
}

async function stopPid(pid: number): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  try {
    await waitUntil(() => !isAlive(pid), 10_000, `engine process ${pid} to exit`);
  } catch {
    process.kill(pid, 'SIGKILL');
  }
}

/** Stops the engine recorded in a data folder's state file (the `engine stop` command). */
export async function stopEngine(dir = path.join(dataDir, 'engine')): Promise<boolean> {
  const statePath = path.join(dir, 'engine.json');
  const state = readState(statePath);
  if (!state) return false;
  await stopPid(state.pid);
  fs.rmSync(statePath, { force: true });
  return true;
}

async function cli(command: string | undefined): Promise<void> {
  switch (command) {
    case 'build':
      console.log(buildEngine());
      return;
    case 'start': {
      const engine = await startEngine({ detached: true });
      console.log(`${engine.reused ? 'reusing' : 'started'} the engine at ${engine.uri}`);
      return;
    }
    case 'stop':
      console.log((await stopEngine()) ? 'engine stopped' : 'no engine was running');
      return;
    case 'status': {
      const state = readState(path.join(dataDir, 'engine', 'engine.json'));
      const up = state !== null && isAlive(state.pid) && (await ping(state.uri));
      console.log(up ? `engine running at ${state.uri}` : 'engine not running');
      return;
    }
    default:
      throw new Error('usage: engine build|start|stop|status');
  }
}

if (require.main === module) {
  cli(process.argv[2]).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
