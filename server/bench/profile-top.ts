/**
 * `npx tsx server/bench/profile-top.ts <.cpuprofile file or folder>…`: where a Node process spent its CPU time
 * in a BENCH_PROFILE=1 run, as self time by package (or our own folder) and by function. A folder stands for
 * its main thread's profile (thread id 0 in the file name). For the engine's `.pprof` files use Go's tool:
 * `go tool pprof -top .cache/engine/ferretdb-engine <file.pprof>`.
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

/** node_modules/<package> (scoped ones whole), a folder of ours, or V8's own buckets such as (garbage collector). */
function groupOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const file = url.replace(/^file:\/\//, '');
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (inModules) return inModules[1]!;
  if (file.startsWith('node:')) return file;
  const ours = /\/(server\/(?:src|simulator\/src|bench|dev)\/[^/]+|shared\/src)/.exec(file);
  return ours ? ours[1]! : path.basename(file);
}

function top(entries: Map<string, number>, total: number, count: number): string[] {
  return [...entries]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, micros]) => `  ${((micros / total) * 100).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${name}`);
}

function mainThreadProfile(target: string): string {
  if (!fs.statSync(target).isDirectory()) return target;
  const main = fs.readdirSync(target).find((name) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name));
  if (!main) throw new Error(`no main-thread profile in ${target}`);
  return path.join(target, main);
}

for (const file of process.argv.slice(2).map(mainThreadProfile)) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const perSample = (profile.endTime - profile.startTime) / Math.max(1, profile.samples.length);
  const byGroup = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const micros = (node.hitCount ?? 0) * perSample;
    if (!micros) continue;
    total += micros;
    const { functionName, url, lineNumber } = node.callFrame;
    const group = groupOf(url, functionName);
    byGroup.set(group, (byGroup.get(group) ?? 0) + micros);
    const name = `${functionName || '(anonymous)'}  ${url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(server|shared)\//, '$1/')}:${lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  }
  console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
  console.log('self time by package / folder:');
  console.log(top(byGroup, total, 12).join('\n'));
  console.log('self time by function:');
  console.log(top(byFunction, total, 15).join('\n'));
  console.log();
}
