import { randomBytes } from 'node:crypto';
import { HashPool } from '../hashing/pool.js';
import type { CaseStore } from '../store/case-store.js';
import { JobStore, workerLost } from './job-store.js';
import type { FollowUp, JobContext, JobHandlers, JobRecord, JobSpec, WorkOptions } from './types.js';

/** A job that a worker starts anew after this many attempts is failed instead: it keeps losing its worker. */
export const MAX_ATTEMPTS = 5;

/** Thrown by a handler that stopped at a unit boundary because its worker is stopping. */
export class JobStopped extends Error {
  constructor() {
    super('the worker is stopping');
    this.name = 'JobStopped';
  }
}

/** How a queue hands a job to its workers: pg-boss sends it (in `s`, the job's transaction); the local queue has nothing to do. */
export type Dispatch = (s: CaseStore, job: JobRecord) => Promise<void>;

export interface RunEnv extends WorkOptions {
  worker: string;
  signal: AbortSignal;
  dispatch: Dispatch;
  /** Heartbeat period (ms); default a quarter of lostAfterMs, at most 5 s. */
  heartbeatMs?: number;
}

/** The case a delivered job belongs to, opened by the queue. */
export interface JobTarget {
  store: CaseStore;
  dir: string;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function newRunId(): string {
  return `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/**
 * Creates the jobs of one run in `s` (the case's transaction) and hands each to the queue; `then` is the
 * job to start once they have all finished (at once when there are none). The request is an entry of the
 * case's audit log, in the same transaction.
 */
export async function createRun(
  s: CaseStore,
  specs: JobSpec[],
  opts: { then?: FollowUp; actor: string; dispatch: Dispatch },
): Promise<JobRecord[]> {
  const run = newRunId();
  const jobs = new JobStore(s);
  const out: JobRecord[] = [];
  const toCreate: (JobSpec & { run: string })[] = specs.length
    ? specs.map((j) => ({ ...j, run, params: opts.then ? { ...j.params, then: opts.then } : j.params }))
    : opts.then
      ? [{ ...opts.then, run: `${run}:then` }]
      : [];
  for (const j of toCreate) {
    const created = await jobs.create({
      kind: j.kind,
      params: j.params,
      run: j.run,
      total: j.total ?? 1,
      createdBy: opts.actor,
    });
    await opts.dispatch(s, created);
    out.push(created);
  }
  const kinds: Record<string, number> = {};
  for (const j of toCreate) kinds[j.kind] = (kinds[j.kind] ?? 0) + 1;
  await s.appendAudit(
    opts.actor,
    'jobs.enqueue',
    { run, kinds, then: specs.length ? (opts.then?.kind ?? null) : null },
    { ok: true, jobs: out.map((j) => j.id) },
  );
  return out;
}

/**
 * Starts the follow-up of `job`'s run once no other job of the run is queued or running. Runs inside the
 * transaction that finished `job` (under the case's lock), so of two jobs finishing at once exactly one
 * sees the other finished, and the follow-up is created once (its run, `<run>:then`, says it exists).
 */
async function startFollowUp(s: CaseStore, job: JobRecord, dispatch: Dispatch): Promise<void> {
  const then = job.params.then as FollowUp | undefined;
  if (!then) return;
  const jobs = new JobStore(s);
  if ((await jobs.openInRun(job.run, job.id)) > 0) return;
  const run = `${job.run}:then`;
  if ((await jobs.list({ run })).length) return;
  const next = await jobs.create({
    kind: then.kind,
    params: then.params,
    run,
    total: then.total ?? 1,
    createdBy: job.createdBy,
  });
  await dispatch(s, next);
}

/**
 * Runs one delivered job: claims it (unless it is finished, or running with a live worker elsewhere, or the
 * delivery is not the job's current one), runs its handler with a heartbeat, and ends it: done, failed with
 * the handler's error, or handed back to the queue when the worker stops. Returns whether it ran.
 */
export async function runJob(
  target: JobTarget,
  delivery: { jobId: number; queueId?: string },
  handlers: JobHandlers,
  env: RunEnv,
  /** The slot's hashing threads; without one, the job gets threads of its own. */
  pool?: HashPool,
): Promise<boolean> {
  const { store } = target;
  const claimed = await store.transaction(async (s) => {
    const jobs = new JobStore(s);
    const job = await jobs.get(delivery.jobId);
    if (!job || job.state === 'done' || job.state === 'failed') return null;
    if (delivery.queueId !== undefined && job.queueId !== delivery.queueId) return null;
    if (job.state === 'running' && !workerLost(job, Date.now(), env.lostAfterMs)) return null;
    if (job.attempts >= MAX_ATTEMPTS) {
      await jobs.fail(
        job.id,
        `started ${job.attempts} times without finishing (last worker ${job.worker ?? 'unknown'}): not started again`,
      );
      await startFollowUp(s, job, env.dispatch);
      return null;
    }
    if (!handlers[job.kind]) {
      await jobs.fail(job.id, `this worker has no handler for ${job.kind} jobs`);
      await startFollowUp(s, job, env.dispatch);
      return null;
    }
    return jobs.claim(job.id, env.worker);
  });
  if (!claimed) return false;
  env.onEvent?.({ type: 'start', job: claimed });

  const jobs = new JobStore(store);
  const hashPool = pool ?? new HashPool(env.threads);
  const beat = setInterval(
    () => void jobs.heartbeat(claimed.id, env.worker).catch(() => undefined),
    env.heartbeatMs ?? Math.min(5000, Math.max(200, env.lostAfterMs / 4)),
  );
  let completed = false;
  const ctx: JobContext = {
    job: claimed,
    store,
    caseDir: target.dir,
    worker: env.worker,
    signal: env.signal,
    threads: env.threads,
    hashPool,
    doneItems: () => jobs.doneItems(claimed.id),
    record: (s, items) => s.transaction((t) => new JobStore(t).record(claimed.id, items)),
    spawn: async (s, specs, then) =>
      (await createRun(s, specs, { then, actor: claimed.createdBy, dispatch: env.dispatch })).map(
        (j) => j.id,
      ),
    setTotal: (total, s) => (s ?? store).transaction((t) => new JobStore(t).setTotal(claimed.id, total)),
    complete: async (s, result) => {
      await s.transaction(async (t) => {
        await new JobStore(t).complete(claimed.id, result);
        await startFollowUp(t, claimed, env.dispatch);
      });
      completed = true;
    },
  };
  try {
    const result = await handlers[claimed.kind]!(ctx);
    if (!completed) await store.transaction((s) => ctx.complete(s, result));
    env.onEvent?.({ type: 'done', job: (await jobs.get(claimed.id)) ?? claimed });
  } catch (err) {
    if (err instanceof JobStopped || (env.signal.aborted && !completed)) {
      await store.transaction(async (s) => {
        const t = new JobStore(s);
        await t.release(claimed.id, `handed back: worker ${env.worker} stopped`);
        await env.dispatch(s, (await t.get(claimed.id))!);
      });
      env.onEvent?.({ type: 'released', job: claimed });
    } else {
      const text = message(err);
      await failJob(store, claimed.id, text, env.dispatch, env.worker);
      env.onEvent?.({ type: 'failed', job: claimed, message: text });
    }
  } finally {
    clearInterval(beat);
    if (!pool) await hashPool.close();
  }
  return true;
}

/**
 * Ends a queued or running job as failed with `error`, and starts its run's follow-up if it was the last.
 * The failed change rolled back; the failure is part of the chain of custody too (unless the log itself is
 * what failed, e.g. no audit key on this machine: the job still ends, with that error).
 */
export async function failJob(
  store: CaseStore,
  jobId: number,
  error: string,
  dispatch: Dispatch,
  worker: string | null = null,
): Promise<void> {
  const fail = (audit: boolean) =>
    store.transaction(async (s) => {
      const jobs = new JobStore(s);
      const job = await jobs.get(jobId);
      if (!job || job.state === 'done' || job.state === 'failed') return;
      await jobs.fail(jobId, error);
      if (audit) await s.appendAudit(job.createdBy, job.kind, { job: jobId, worker }, { ok: false, error });
      await startFollowUp(s, job, dispatch);
    });
  await fail(true).catch(() => fail(false));
}

/**
 * Hands back every running job of `store` whose worker is lost (see workerLost): queued again, delivered
 * again. Returns the jobs handed back.
 */
export async function releaseLost(
  store: CaseStore,
  candidates: JobRecord[],
  lostAfterMs: number,
  dispatch: Dispatch,
): Promise<JobRecord[]> {
  const out: JobRecord[] = [];
  for (const c of candidates) {
    if (!workerLost(c, Date.now(), lostAfterMs)) continue;
    const released = await store.transaction(async (s) => {
      const jobs = new JobStore(s);
      // Looked at again under the case's lock: the worker may have finished it meanwhile.
      const job = await jobs.get(c.id);
      if (!job || !workerLost(job, Date.now(), lostAfterMs)) return null;
      await jobs.release(job.id, `handed back: worker ${job.worker ?? 'unknown'} was lost`);
      const again = (await jobs.get(job.id))!;
      await dispatch(s, again);
      return again;
    });
    if (released) out.push(released);
  }
  return out;
}
