import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import { actor } from '../app/audited.js';
import { HashPool } from '../hashing/pool.js';
import { CaseStore } from '../store/case-store.js';
import type { SqlDriver } from '../store/driver.js';
import { JobStore, jobsInState, workerName } from './job-store.js';
import { sleep } from './local-queue.js';
import { createRun, failJob, MAX_ATTEMPTS, releaseLost, runJob, type JobTarget } from './runner.js';
import type { FollowUp, JobHandlers, JobQueue, JobRecord, JobSpec, WorkOptions } from './types.js';

/** The pg-boss queue every filet job travels on; a delivery names the case and the job. */
export const QUEUE = 'filet-jobs';

interface Delivery {
  caseId: string;
  jobId: number;
  caseDir: string | null;
}

/**
 * pg-boss's expiry of a delivery. A lost worker is noticed by filet's own heartbeats (seconds), not by
 * this; it only bounds how long pg-boss waits for a handler before it delivers the job again (the new
 * delivery then finds the job running with a live worker and leaves it alone). Long: an ingest of a large
 * device takes a while, and pg-boss stops waiting for a handler once its delivery expires.
 */
const EXPIRE_SECONDS = 12 * 3600;

export interface BossQueueOptions {
  url: string;
  /** The database the cases live in (filet's tables; pg-boss keeps its own pool and schema `pgboss`). */
  db: SqlDriver;
  /** Opens the case a delivery names; throws a UserError when this machine cannot reach it. */
  resolve: (caseId: string, caseDir: string | null) => Promise<JobTarget>;
  /** How often an idle worker asks pg-boss for work (seconds, at least 0.5). */
  pollSeconds?: number;
}

/**
 * The queue on PostgreSQL: pg-boss delivers, filet's `jobs` table records. A job and its pg-boss delivery
 * are written in one transaction (pg-boss's `send` joins the case's transaction through `db`), so there is
 * never a job without a delivery or a delivery without a job; `jobs.queue_id` names the live delivery and
 * any other one (a delivery of a job handed back meanwhile) is dropped. A worker whose process died stops
 * beating; any other worker hands its jobs back (queued, delivered anew) and the next one resumes them.
 */
export class BossQueue implements JobQueue {
  readonly engine = 'pg-boss' as const;

  private constructor(
    private readonly boss: PgBoss,
    private readonly opts: BossQueueOptions,
  ) {}

  /** Starts pg-boss (creating its schema on first use) and its queue. `maintain`: run pg-boss's upkeep here. */
  static async open(opts: BossQueueOptions & { maintain?: boolean }): Promise<BossQueue> {
    const boss = new PgBoss({
      connectionString: opts.url,
      max: 4,
      supervise: opts.maintain ?? false,
      schedule: false,
      migrate: true,
    });
    boss.on('error', (err) => process.stderr.write(`filet: pg-boss: ${err.message}\n`));
    await boss.start();
    await boss.createQueue(QUEUE, { name: QUEUE, retryLimit: MAX_ATTEMPTS, expireInSeconds: EXPIRE_SECONDS });
    return new BossQueue(boss, opts);
  }

  /** Sends `job` to pg-boss inside `s`, the transaction that created (or handed back) it. */
  readonly dispatch = async (s: CaseStore, job: JobRecord): Promise<void> => {
    const db = s.db;
    if (!db.inTransaction || !db.nativeQuery)
      throw new Error('a pg-boss delivery is sent inside a PostgreSQL transaction of the case');
    const id = randomUUID();
    await new JobStore(s).setQueueId(job.id, id);
    const data: Delivery = { caseId: job.caseId, jobId: job.id, caseDir: job.caseDir };
    const sent = await this.boss.send(QUEUE, data, {
      id,
      retryLimit: MAX_ATTEMPTS,
      expireInSeconds: EXPIRE_SECONDS,
      db: { executeSql: (text, values) => db.nativeQuery!(text, values) },
    });
    if (!sent) throw new Error(`pg-boss did not accept job ${job.id} (is its queue ${QUEUE} there?)`);
  };

  async enqueue(
    store: CaseStore,
    jobs: JobSpec[],
    opts: { then?: FollowUp; actor?: string } = {},
  ): Promise<number[]> {
    return store.transaction(async (s) =>
      (
        await createRun(s, jobs, { then: opts.then, actor: opts.actor ?? actor(), dispatch: this.dispatch })
      ).map((j) => j.id),
    );
  }

  async work(handlers: JobHandlers, opts: WorkOptions): Promise<() => Promise<void>> {
    const stopping = new AbortController();
    const env = { ...opts, worker: workerName(), signal: stopping.signal, dispatch: this.dispatch };
    const active = new Set<Promise<unknown>>();
    const pools: HashPool[] = [];
    const deliver = async (d: Delivery, queueId: string, pool: HashPool) => {
      let target: JobTarget;
      try {
        target = await this.opts.resolve(d.caseId, d.caseDir);
      } catch (err) {
        await this.failUnreachable(d, (err as Error).message);
        return;
      }
      await runJob(target, { jobId: d.jobId, queueId }, handlers, env, pool);
    };
    const pollingIntervalSeconds = Math.max(0.5, this.opts.pollSeconds ?? 1);
    // One pg-boss worker per slot, each running one job at a time with hashing threads of its own.
    for (let i = 0; i < Math.max(1, opts.concurrency); i++) {
      const pool = new HashPool(opts.threads);
      pools.push(pool);
      await this.boss.work<Delivery>(QUEUE, { batchSize: 1, pollingIntervalSeconds }, async ([job]) => {
        if (!job) return;
        // Fetched while stopping: refused, so that pg-boss delivers it again (to another worker).
        if (stopping.signal.aborted) throw new Error('the worker is stopping');
        const p = deliver(job.data, job.id, pool);
        active.add(p);
        try {
          await p;
        } finally {
          active.delete(p);
        }
      });
    }
    // Every worker watches for lost ones: a job whose worker stopped beating is handed back.
    const reaper = (async () => {
      while (!stopping.signal.aborted) {
        await sleep(Math.max(250, opts.lostAfterMs / 3), stopping.signal);
        if (stopping.signal.aborted) break;
        try {
          const byCase = new Map<string, JobRecord[]>();
          for (const j of await jobsInState(this.opts.db, 'running'))
            (byCase.get(j.caseId) ?? byCase.set(j.caseId, []).get(j.caseId)!).push(j);
          // Handing back needs the case's rows only, not its folder (which this machine may not reach).
          for (const [caseId, jobs] of byCase) {
            const store = new CaseStore(this.opts.db, caseId, null);
            for (const j of await releaseLost(store, jobs, opts.lostAfterMs, this.dispatch))
              opts.onEvent?.({ type: 'released', job: j, message: `worker ${j.worker} was lost` });
          }
          for (const j of await this.redeliverOrphans())
            opts.onEvent?.({
              type: 'released',
              job: j,
              message: 'its pg-boss delivery was gone: delivered anew',
            });
        } catch (err) {
          process.stderr.write(`filet: worker: ${(err as Error).message}\n`);
        }
      }
    })();
    return async () => {
      stopping.abort();
      await reaper;
      await this.boss.offWork(QUEUE);
      await Promise.allSettled([...active]);
      await Promise.all(pools.map((p) => p.close()));
    };
  }

  /**
   * Queued jobs whose delivery pg-boss no longer holds (it gave up on it after repeated errors of a
   * worker's database connection, or it was removed): delivered anew, so that no queued job waits forever.
   */
  private async redeliverOrphans(): Promise<JobRecord[]> {
    const out: JobRecord[] = [];
    for (const j of await jobsInState(this.opts.db, 'queued')) {
      const delivery = j.queueId
        ? await this.boss.getJobById(QUEUE, j.queueId, { includeArchive: true })
        : null;
      if (delivery && ['created', 'retry', 'active'].includes(delivery.state)) continue;
      const again = await new CaseStore(this.opts.db, j.caseId, null).transaction(async (s) => {
        const jobs = new JobStore(s);
        const now = await jobs.get(j.id);
        // Looked at again under the case's lock: a worker may have claimed it meanwhile.
        if (!now || now.state !== 'queued' || now.queueId !== j.queueId) return null;
        await this.dispatch(s, now);
        return now;
      });
      if (again) out.push(again);
    }
    return out;
  }

  /** A delivery this machine cannot run (its case folder is not here): failed, with the reason. */
  private async failUnreachable(d: Delivery, reason: string): Promise<void> {
    await failJob(new CaseStore(this.opts.db, d.caseId, null), d.jobId, reason, this.dispatch);
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }
}
