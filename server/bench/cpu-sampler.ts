import fs from 'node:fs';
import os from 'node:os';
import { TICKS_PER_SECOND, type Stack, type StackPart } from './stack';

/** Every part of the stack, and the benchmark process's own worker threads (the load generator). */
type CpuPart = StackPart | 'load generator';

/** One look at who had used how much CPU, and how busy the whole machine had been, at a moment. */
interface CpuSample {
  atEpochMs: number;
  byPart: Partial<Record<CpuPart, number>>;
  /** The machine's CPU time since boot, all cores: busy and in all (ms). */
  machine: { busyMs: number; totalMs: number };
}

/** What each part used between two moments, and how busy the machine's cores were meanwhile. */
export interface CpuWindow {
  seconds: number;
  /** Share of every core's time spent busy, 0–1. */
  machineBusy: number;
  cores: number;
  msByPart: Partial<Record<CpuPart, number>>;
}

function machineCpu(): CpuSample['machine'] {
  // cpu  user nice system idle iowait irq softirq steal …
  const ticks = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  const idle = ticks[3]! + ticks[4]!;
  return { busyMs: ((total - idle) * 1000) / TICKS_PER_SECOND, totalMs: (total * 1000) / TICKS_PER_SECOND };
}

/**
 * Samples every part of the stack's CPU (from /proc) and the benchmark process's own (the load generator's worker
 * threads), every `everyMs`, until stopped; `between` then answers what was used between two moments. Reading the
 * parts in the middle of a run is what the samples are for: the window that matters (a drop's sell-out) is known
 * only once the run is over.
 */
export function sampleCpu(stack: Stack, everyMs = 100) {
  const samples: CpuSample[] = [];
  const take = () => {
    const usage = process.cpuUsage();
    samples.push({ atEpochMs: Date.now(), byPart: { ...stack.cpuMsByPart(), 'load generator': (usage.user + usage.system) / 1000 }, machine: machineCpu() });
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop(): void {
      clearInterval(timer);
      take();
    },
    /** From the last sample at or before `fromEpochMs` to the first at or after `toEpochMs`. */
    between(fromEpochMs: number, toEpochMs: number): CpuWindow {
      const first = samples.filter((sample) => sample.atEpochMs <= fromEpochMs).at(-1) ?? samples[0]!;
      const last = samples.find((sample) => sample.atEpochMs >= toEpochMs) ?? samples.at(-1)!;
      const msByPart = Object.fromEntries(Object.entries(last.byPart).map(([part, value]) => [part, value - (first.byPart[part as CpuPart] ?? 0)]));
      const total = last.machine.totalMs - first.machine.totalMs;
      return {
        seconds: (last.atEpochMs - first.atEpochMs) / 1000,
        machineBusy: total > 0 ? (last.machine.busyMs - first.machine.busyMs) / total : 0,
        cores: os.availableParallelism(),
        msByPart,
      };
    },
  };
}
