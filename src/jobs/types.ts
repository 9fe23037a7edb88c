import type { HashPool } from '../hashing/pool.js';
import type { CaseStore } from '../store/case-store.js';

/**
 * Long work as jobs in a queue (docs/jobs.md). A job belongs to one case and is recorded in its `jobs`
 * table (src/jobs/job-store.ts); a queue delivers it to a worker: pg-boss on PostgreSQL
 * (src/jobs/boss-queue.ts), the table itself on SQLite (src/jobs/local-queue.ts). Whoever delivers, the
 * same runner (src/jobs/runner.ts) claims, runs and finishes it, so a job behaves the same on both.
 */
export { JOB_KINDS, type JobKind, type JobState } from '../model/vocabulary.js';
import type { JobKind, JobState } from '../model/vocabulary.js';

/** A job to start once every job of its run has finished (the match after the hash batches). */
export interface FollowUp {
  kind: JobKind;
  params: Record<string, unknown>;
  total?: number;
}

export interface JobRecord {
  caseId: string;
  id: number;
  kind: JobKind;
  params: Record<string, unknown>;
  /** The request the job came from: its follow-up starts when all of the run's jobs have finished. */
  run: string;
  state: JobState;
  /** Units finished (committed): the count of the job's rows in job_items. */
  done: number;
  total: number;
  /** `done` when the current attempt started. */
  startDone: number;
  createdAt: number;
  createdBy: string;
  startedAt: number | null;
  finishedAt: number | null;
  attempts: number;
  /** `host:pid` of the worker running it (or that ran it last). */
  worker: string | null;
  error: string | null;
  result: unknown;
  /** The pg-boss job that delivers it (PostgreSQL). */
  queueId: string | null;
  /** The case folder as the machine that created the job named it. */
  caseDir: string | null;
  /** The running worker's last heartbeat (ms), null when not running. */
  heartbeatAt: number | null;
}

/** What a handler gets: the job, its case, and the way to record its units of work. */
export interface JobContext {
  job: JobRecord;
  store: CaseStore;
  /** The case folder (derived files, temporary copies of media). */
  caseDir: string;
  /** Who runs it (`host:pid`), for audit entries and messages. */
  worker: string;
  /** Aborted when the worker is stopping: end at the next unit boundary (the job is handed back, not failed). */
  signal: AbortSignal;
  /** Hashing threads for this job. */
  threads: number;
  /** The worker slot's hashing threads, kept from job to job (`threads` of them). */
  hashPool: HashPool;
  /** Units already done by earlier attempts (rows of job_items): a handler skips them. */
  doneItems(): Promise<Set<string>>;
  /**
   * Records units as done, inside the transaction `s` that wrote their results; returns the units that
   * were new: the caller writes results for those only (a unit recorded already, by an earlier attempt or
   * a duplicate delivery, is neither written nor counted again).
   */
  record(s: CaseStore, items: { item: string; outcome: string }[]): Promise<string[]>;
  /** Creates and hands to the queue a new run of jobs, inside `s` (a plan job's batches). */
  spawn(s: CaseStore, jobs: JobSpec[], then?: FollowUp): Promise<number[]>;
  /** Changes the job's total (e.g. once the handler knows how much there is), in `s` or on its own. */
  setTotal(total: number, s?: CaseStore): Promise<void>;
  /**
   * Finishes the job inside `s`, the transaction of its last change (and its audit entry), so the result
   * and the end of the job commit together. A handler that does not call it is finished after it returns.
   */
  complete(s: CaseStore, result: unknown): Promise<void>;
}

export interface JobSpec {
  kind: JobKind;
  params: Record<string, unknown>;
  /** Units of work (default 1). */
  total?: number;
}

export type JobHandler = (ctx: JobContext) => Promise<unknown>;
export type JobHandlers = Partial<Record<JobKind, JobHandler>>;

export interface WorkOptions {
  /** Jobs run at once by this worker. */
  concurrency: number;
  /** Hashing threads per job. */
  threads: number;
  /** A running job whose heartbeat is older than this (ms) has lost its worker: it is handed to another. */
  lostAfterMs: number;
  /** Called for every job the worker starts and ends (for the worker's log). */
  onEvent?: (e: { type: 'start' | 'done' | 'failed' | 'released'; job: JobRecord; message?: string }) => void;
}

/** A queue: puts jobs in, and runs the jobs it delivers through handlers until stopped. */
export interface JobQueue {
  readonly engine: 'local' | 'pg-boss';
  /**
   * Creates jobs of one run in the case (one transaction: all of them or none) and hands them to the queue;
   * `then` starts once they have all finished. Returns the jobs' ids.
   */
  enqueue(store: CaseStore, jobs: JobSpec[], opts?: { then?: FollowUp; actor?: string }): Promise<number[]>;
  /** Starts working; the returned function stops taking jobs, hands back the running ones and resolves when done. */
  work(handlers: JobHandlers, opts: WorkOptions): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
