import { workerLost } from './job-store.js';
import type { JobKindSummary as KindSummary } from '../api/contract.js';
import type { JobKind, JobRecord } from './types.js';

/** A job as `filet jobs` and the web app show it: its record, the rate of its current attempt, an ETA. */
export interface JobStatus extends JobRecord {
  /** Units per second of the current (or last) attempt; null before any unit of it. */
  rate: number | null;
  /** Seconds to go at that rate; null when not running or no rate yet. */
  etaSeconds: number | null;
  /** Running, but its worker is gone: another worker will hand it back and resume it. */
  workerLost: boolean;
}

export type { JobKindSummary as KindSummary } from '../api/contract.js';

export function jobStatus(job: JobRecord, now: number, lostAfterMs: number): JobStatus {
  const end = job.state === 'running' ? now : (job.finishedAt ?? now);
  const secs = job.startedAt !== null ? (end - job.startedAt) / 1000 : 0;
  const did = job.done - job.startDone;
  // A job of one unit (a match, an analysis) has no rate worth showing: it is running or it is done.
  const rate = job.total > 1 && job.startedAt !== null && did > 0 && secs > 0 ? did / secs : null;
  const etaSeconds =
    job.state === 'running' && rate
      ? Math.max(0, (job.total - job.done) / rate)
      : job.state === 'done'
        ? 0
        : null;
  return { ...job, rate, etaSeconds, workerLost: workerLost(job, now, lostAfterMs) };
}

/**
 * The jobs of a case per kind: how many in each state, units done of all, and the rate and ETA of the
 * kind as a whole (the running jobs' rates added; queued units wait for them at that rate).
 */
export function summarizeJobs(jobs: JobStatus[]): Partial<Record<JobKind, KindSummary>> {
  const out: Partial<Record<JobKind, KindSummary>> = {};
  for (const j of jobs) {
    const k = (out[j.kind] ??= {
      jobs: 0,
      queued: 0,
      running: 0,
      done: 0,
      failed: 0,
      units: 0,
      unitsDone: 0,
      rate: null,
      etaSeconds: null,
    });
    k.jobs++;
    k[j.state]++;
    k.units += j.total;
    k.unitsDone += j.done;
    if (j.state === 'running' && j.rate && !j.workerLost) k.rate = (k.rate ?? 0) + j.rate;
  }
  for (const k of Object.values(out)) {
    const left = k.units - k.unitsDone;
    k.etaSeconds = left === 0 ? 0 : k.rate ? left / k.rate : null;
  }
  return out;
}

export function formatSeconds(s: number | null): string {
  if (s === null) return '-';
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

export function formatRate(r: number | null): string {
  return r === null ? '-' : r >= 10 ? `${Math.round(r)}/s` : `${r.toFixed(1)}/s`;
}
