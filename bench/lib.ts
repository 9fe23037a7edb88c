import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'results');

export interface BenchResult {
  name: string;
  /** What was measured on: sizes, seeds, scales, thread counts. */
  inputs: Record<string, unknown>;
  /** The figures for the thing under test. */
  figures: Record<string, number | string | Record<string, unknown>>;
  /** The baseline, measured in the same run. */
  baseline: Record<string, number | string | Record<string, unknown>>;
  /** Ratios of figures to the baseline (> 1 means better than the baseline where higher is better). */
  ratios: Record<string, number>;
  notes?: string;
}

/** Writes one benchmark's JSON to bench/results/<name>.json and prints a one-line summary. */
export function writeResult(result: BenchResult): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${result.name}.json`);
  const body = {
    ...result,
    machine: { node: process.version, platform: process.platform, arch: process.arch },
    at: new Date().toISOString(),
  };
  writeFileSync(file, JSON.stringify(body, null, 2) + '\n');
  console.log(`${result.name}: ${JSON.stringify(result.ratios)} -> ${file}`);
  return file;
}

/** Peak resident set size of this process so far, in MiB (Linux reports maxRSS in KiB). */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function timeIt<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

/**
 * Peak resident set size of this process's own memory, in MiB. On Linux maxRSS carries the high-water
 * mark of the parent that spawned the process (fork copies its pages, exec keeps the figure), so a child
 * of a large benchmark parent would report the parent's size; VmHWM in /proc/self/status is the new
 * program's own. Elsewhere, maxRSS.
 */
export function ownPeakRssMiB(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return peakRssMiB();
}
