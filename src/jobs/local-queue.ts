import { HashPool } from '../hashing/pool.js';
import type { CaseStore } from '../store/case-store.js';
import { actor } from '../app/audited.js';
import { JobStore, workerLost, workerName } from './job-store.js';
import { createRun, runJob, type JobTarget } from './runner.js';
import type { FollowUp, JobHandlers, JobQueue, JobSpec, WorkOptions } from './types.js';

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((res) => {
    if (signal?.aborted) return res();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      res();
    }
    signal?.addEventListener('abort', done);
  });
}

/**
 * The queue of the embedded store: the `jobs` table of each case is the queue itself. A worker claims the
 * oldest queued job (or a running one whose worker is lost) in a transaction of the case, so several
 * worker processes on one SQLite file never take the same job; a job survives its worker because it lives
 * in the case file, and the next worker resumes it from its recorded units.
 */
export class LocalQueue implements JobQueue {
  readonly engine = 'local' as const;

  /** `cases`: the cases this queue serves, looked up again on every idle poll (a workspace gains cases). */
  constructor(
    private readonly cases: () => Promise<JobTarget[]>,
    private readonly pollMs = 500,
  ) {}

  async enqueue(
    store: CaseStore,
    jobs: JobSpec[],
    opts: { then?: FollowUp; actor?: string } = {},
  ): Promise<number[]> {
    return store.transaction(async (s) =>
      (
        await createRun(s, jobs, { then: opts.then, actor: opts.actor ?? actor(), dispatch: async () => {} })
      ).map((j) => j.id),
    );
  }

  async work(handlers: JobHandlers, opts: WorkOptions): Promise<() => Promise<void>> {
    const stopping = new AbortController();
    const env = {
      ...opts,
      worker: workerName(),
      signal: stopping.signal,
      dispatch: async () => {},
    };
    const next = async (pool: HashPool): Promise<boolean> => {
      for (const target of await this.cases()) {
        const open = await new JobStore(target.store).list({ states: ['queued', 'running'] });
        for (const job of open) {
          if (stopping.signal.aborted) return false;
          if (job.state === 'running' && !workerLost(job, Date.now(), opts.lostAfterMs)) continue;
          if (await runJob(target, { jobId: job.id }, handlers, env, pool)) return true;
        }
      }
      return false;
    };
    const slot = async () => {
      const pool = new HashPool(opts.threads);
      try {
        while (!stopping.signal.aborted) {
          let ran = false;
          try {
            ran = await next(pool);
          } catch (err) {
            process.stderr.write(`filet: worker: ${(err as Error).message}\n`);
          }
          if (!ran) await sleep(this.pollMs, stopping.signal);
        }
      } finally {
        await pool.close();
      }
    };
    const slots = Array.from({ length: Math.max(1, opts.concurrency) }, () => slot());
    return async () => {
      stopping.abort();
      await Promise.all(slots);
    };
  }

  async close(): Promise<void> {}
}
