import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildServer } from '../dev/build';
import { ensureDevCredentials } from '../dev/credentials';
import { dataDir, repoRoot } from '../dev/paths';
import { callbackSection } from './callbacks';
import { createContext, ms, verdict, type BenchContext, type Row } from './context';
import { countsSection } from './counts';
import { dropSection } from './drop';
import { growthSection } from './growth';
import { miniappMainPackageKb } from './miniapp-size';
import { orderSection } from './orders';
import { setsSection } from './sets';
import { benchTradeBill } from './trade-bill';
import type { Stack } from './stack';

/**
 * `npm run bench`: every figure of issue 11's target table from one run, printed as one table with PASS/FAIL.
 *   BENCH_SCALE=0.2    shorter runs and smaller counts (a quick check that everything works; figures are rougher)
 *   BENCH_ONLY=drop,growth   only these sections (callbacks, orders, growth, drop, counts, sets)
 *   BENCH_PROFILE=1    CPU profiles of every server, simulator (--cpu-prof) and engine (pprof) into .data/bench/
 *   MONGODB_URI=…      run against that MongoDB instead of the embedded engine
 */

const SECTIONS: Record<string, (ctx: BenchContext) => Promise<void>> = {
  callbacks: callbackSection,
  orders: orderSection,
  growth: growthSection,
  drop: dropSection,
  counts: countsSection,
  sets: setsSection,
};

const startedAt = new Date();
const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
const benchDir = path.join(dataDir, 'bench');
const t0 = performance.now();
const log = (line: string) => process.stderr.write(`[bench +${((performance.now() - t0) / 1000).toFixed(0)}s] ${line}\n`);

function table(rows: Row[]): string {
  const header = ['Section', 'Figure', 'Value', 'Target', 'Result'];
  const body = rows.map((row) => [row.section, row.figure, row.value, row.target ?? '', row.verdict ?? '']);
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...body.map((line) => line[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const scale = Math.min(1, Math.max(0.05, Number(process.env.BENCH_SCALE ?? 1) || 1));
  const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((name) => name.trim()) : Object.keys(SECTIONS);
  const unknown = only.filter((name) => !SECTIONS[name]);
  if (unknown.length) throw new Error(`BENCH_ONLY: unknown section(s) ${unknown.join(', ')}; known: ${Object.keys(SECTIONS).join(', ')}`);
  const profileDir = process.env.BENCH_PROFILE === '1' ? path.join(benchDir, `profiles-${stamp}`) : null;
  fs.mkdirSync(profileDir ?? benchDir, { recursive: true });
  const credentialsDir = path.join(benchDir, 'wechatpay-dev');
  await ensureDevCredentials(credentialsDir);
  // Every section's server is the deployed build (stack.ts), so this run measures what production runs.
  await buildServer();

  const rows: Row[] = [];
  const results: Record<string, unknown> = {};
  const coldStarts: number[] = [];
  const running = new Set<Stack>();
  let interrupted: string | null = null;
  // An interrupted run must not leave engines, simulators or servers behind: stop what runs, start nothing
  // more, and print what was measured so far.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = signal;
      log(`${signal}: stopping ${running.size} stack(s)`);
      for (const stack of running) void stack.stop();
    });
  }
  const ctx = createContext(
    { benchDir, credentialsDir, sessionSecret: randomBytes(24).toString('hex'), profileDir, scale, log },
    rows,
    results,
    coldStarts,
    running,
    () => interrupted !== null,
  );

  for (const name of only) {
    if (interrupted) break;
    log(`— ${name}`);
    try {
      await SECTIONS[name]!(ctx);
    } catch (error) {
      log(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      rows.push({ section: name, figure: 'section failed', value: String(error instanceof Error ? error.message : error).slice(0, 160), target: 'runs', verdict: 'FAIL' });
    }
  }

  if (coldStarts.length) {
    const worst = Math.max(...coldStarts);
    rows.push({
      section: 'Server',
      figure: `cold start of the built server (node server/dist/main.js): spawn → first 200 on /readyz (worst of ${coldStarts.length} starts)`,
      value: `${ms(worst)} (${coldStarts.map((value) => ms(value)).join(', ')})`,
      target: '≤ 2 s',
      verdict: verdict(worst <= 2000),
    });
  }
  const bill = await benchTradeBill();
  rows.push({
    section: 'Trade bill',
    figure: `${bill.rows.toLocaleString('en')}-row bill: gunzip, SHA1 check, parse, compare with the orders (${bill.findings} findings)`,
    value: ms(bill.ms),
    target: '< 5 s',
    verdict: verdict(bill.ms < 5000),
  });
  const size = miniappMainPackageKb(path.join(repoRoot, 'miniapp', 'dist', 'weapp'));
  rows.push({
    section: 'Mini-program',
    figure: 'weapp main package',
    value: size === null ? 'not built (npm run build:weapp -w miniapp)' : `${size.toFixed(1)} KB`,
    target: '≤ 600 KB',
    ...(size === null ? {} : { verdict: verdict(size <= 600) }),
  });
  const machine = {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    database: process.env.MONGODB_URI ? 'MONGODB_URI' : 'embedded engine (FerretDB v1 + SQLite)',
    scale,
    minutes: Number(((performance.now() - t0) / 60_000).toFixed(1)),
  };
  rows.push({ section: 'Machine', figure: `${machine.cpus} × ${machine.cpu}, ${machine.memoryGb} GB, node ${machine.node}`, value: `${machine.database}; BENCH_SCALE ${scale}; ${machine.minutes} min` });

  process.stdout.write(`\n${table(rows)}\n`);
  const file = path.join(benchDir, `results-${stamp}.json`);
  fs.writeFileSync(file, JSON.stringify({ startedAt, finishedAt: new Date(), machine, rows, results, coldStartsMs: coldStarts }, null, 2));
  log(`written ${path.relative(repoRoot, file)}${profileDir ? `; profiles in ${path.relative(repoRoot, profileDir)}` : ''}`);
  if (interrupted) process.exit(130);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
