import { hostname } from 'node:os';
import type { CaseStore } from '../store/case-store.js';
import type { SqlDriver } from '../store/driver.js';
import type { JobKind, JobRecord, JobState } from './types.js';

/**
 * The `jobs` table of a case and its companions (migration 13): filet's own record of each job, whichever
 * queue delivers it. Every change of a job's state happens in a transaction of the case (the case's write
 * lock), so two workers never both claim, finish or count one job.
 */
const COLUMNS = `j.case_id, j.id, j.kind, j.params, j.run, j.state, j.done, j.total, j.start_done, j.created_at,
  j.created_by, j.started_at, j.finished_at, j.attempts, j.worker, j.error, j.result, j.queue_id, j.case_dir,
  h.at AS heartbeat_at`;
const FROM = 'jobs j LEFT JOIN job_heartbeats h ON h.case_id = j.case_id AND h.job_id = j.id';

function fromRow(r: Record<string, unknown>): JobRecord {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    caseId: String(r.case_id),
    id: Number(r.id),
    kind: String(r.kind) as JobKind,
    params: JSON.parse(String(r.params)) as Record<string, unknown>,
    run: String(r.run),
    state: String(r.state) as JobState,
    done: Number(r.done),
    total: Number(r.total),
    startDone: Number(r.start_done),
    createdAt: Number(r.created_at),
    createdBy: String(r.created_by),
    startedAt: num(r.started_at),
    finishedAt: num(r.finished_at),
    attempts: Number(r.attempts),
    worker: (r.worker as string | null) ?? null,
    error: (r.error as string | null) ?? null,
    result: r.result === null || r.result === undefined ? null : (JSON.parse(String(r.result)) as unknown),
    queueId: (r.queue_id as string | null) ?? null,
    caseDir: (r.case_dir as string | null) ?? null,
    heartbeatAt: num(r.heartbeat_at),
  };
}

/** This process as a worker: `host:pid`. */
export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is someone else's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a running job's worker is gone. On this machine a worker whose process has ended is gone at once
 * (a SIGKILL leaves no time to say so); anywhere, a worker silent for longer than `lostAfterMs` is.
 */
export function workerLost(job: JobRecord, now: number, lostAfterMs: number): boolean {
  if (job.state !== 'running') return false;
  const w = job.worker ?? '';
  const cut = w.lastIndexOf(':');
  const pid = Number(w.slice(cut + 1));
  if (cut > 0 && w.slice(0, cut) === hostname() && Number.isInteger(pid) && pid > 0 && !processAlive(pid))
    return true;
  const last = job.heartbeatAt ?? job.startedAt ?? 0;
  return now - last > lostAfterMs;
}

export class JobStore {
  constructor(private readonly store: CaseStore) {}

  private get db() {
    return this.store.db;
  }
  private get caseId() {
    return this.store.caseId;
  }

  /** Creates a queued job; call it inside the case's transaction (ids are allocated under its lock). */
  async create(j: {
    kind: JobKind;
    params: Record<string, unknown>;
    run: string;
    total: number;
    createdBy: string;
  }): Promise<JobRecord> {
    const r = await this.db.get<{ m: number | null }>('SELECT MAX(id) AS m FROM jobs WHERE case_id = ?', [
      this.caseId,
    ]);
    const id = Number(r?.m ?? 0) + 1;
    const now = Date.now();
    await this.db.run(
      `INSERT INTO jobs (case_id, id, kind, params, run, state, done, total, start_done, created_at, created_by,
         attempts, case_dir) VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, 0, ?, ?, 0, ?)`,
      [
        this.caseId,
        id,
        j.kind,
        JSON.stringify(j.params),
        j.run,
        j.total,
        now,
        j.createdBy,
        this.store.caseDir,
      ],
    );
    return (await this.get(id))!;
  }

  async get(id: number): Promise<JobRecord | null> {
    const r = await this.db.get<Record<string, unknown>>(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE j.case_id = ? AND j.id = ?`,
      [this.caseId, id],
    );
    return r ? fromRow(r) : null;
  }

  async list(opts: { states?: JobState[]; run?: string } = {}): Promise<JobRecord[]> {
    const where = ['j.case_id = ?'];
    const params: (string | number)[] = [this.caseId];
    if (opts.states?.length) {
      where.push(`j.state IN (${opts.states.map(() => '?').join(', ')})`);
      params.push(...opts.states);
    }
    if (opts.run !== undefined) {
      where.push('j.run = ?');
      params.push(opts.run);
    }
    const rows = await this.db.all<Record<string, unknown>>(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE ${where.join(' AND ')} ORDER BY j.id`,
      params,
    );
    return rows.map(fromRow);
  }

  /** Marks the job running for `worker` (a new attempt) and gives it its first heartbeat. In a transaction. */
  async claim(id: number, worker: string): Promise<JobRecord> {
    const now = Date.now();
    await this.db.run(
      `UPDATE jobs SET state = 'running', worker = ?, attempts = attempts + 1, started_at = ?, start_done = done,
         finished_at = NULL WHERE case_id = ? AND id = ?`,
      [worker, now, this.caseId, id],
    );
    await this.db.run(
      `INSERT INTO job_heartbeats (case_id, job_id, worker, at) VALUES (?, ?, ?, ?)
       ON CONFLICT (case_id, job_id) DO UPDATE SET worker = excluded.worker, at = excluded.at`,
      [this.caseId, id, worker, now],
    );
    return (await this.get(id))!;
  }

  /** A sign of life of the worker running the job (on its own, never inside a unit's transaction). */
  async heartbeat(id: number, worker: string): Promise<void> {
    await this.db.run('UPDATE job_heartbeats SET at = ? WHERE case_id = ? AND job_id = ? AND worker = ?', [
      Date.now(),
      this.caseId,
      id,
      worker,
    ]);
  }

  /** The units of the job already recorded (by any attempt). */
  async doneItems(id: number): Promise<Set<string>> {
    const rows = await this.db.all<{ item: string }>(
      'SELECT item FROM job_items WHERE case_id = ? AND job_id = ?',
      [this.caseId, id],
    );
    return new Set(rows.map((r) => r.item));
  }

  async items(id: number): Promise<{ item: string; outcome: string }[]> {
    return this.db.all<{ item: string; outcome: string }>(
      'SELECT item, outcome FROM job_items WHERE case_id = ? AND job_id = ? ORDER BY at, item',
      [this.caseId, id],
    );
  }

  /**
   * Records units as done and sets `done` to their count; returns the units that were not recorded yet.
   * Call it inside the transaction that wrote the units' results.
   */
  async record(id: number, items: { item: string; outcome: string }[]): Promise<string[]> {
    const fresh: string[] = [];
    const now = Date.now();
    for (const it of items) {
      const n = await this.db.run(
        'INSERT INTO job_items (case_id, job_id, item, outcome, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
        [this.caseId, id, it.item, it.outcome, now],
      );
      if (n > 0) fresh.push(it.item);
    }
    if (fresh.length)
      await this.db.run(
        `UPDATE jobs SET done = (SELECT COUNT(*) FROM job_items WHERE case_id = ? AND job_id = ?)
         WHERE case_id = ? AND id = ?`,
        [this.caseId, id, this.caseId, id],
      );
    return fresh;
  }

  async setTotal(id: number, total: number): Promise<void> {
    await this.db.run('UPDATE jobs SET total = ? WHERE case_id = ? AND id = ?', [total, this.caseId, id]);
  }

  async setQueueId(id: number, queueId: string | null): Promise<void> {
    await this.db.run('UPDATE jobs SET queue_id = ? WHERE case_id = ? AND id = ?', [
      queueId,
      this.caseId,
      id,
    ]);
  }

  private async end(id: number, state: JobState, fields: { result?: unknown; error?: string | null }) {
    await this.db.run(
      `UPDATE jobs SET state = ?, finished_at = ?, result = ?, error = ? WHERE case_id = ? AND id = ?`,
      [
        state,
        Date.now(),
        fields.result === undefined ? null : JSON.stringify(fields.result),
        fields.error ?? null,
        this.caseId,
        id,
      ],
    );
    await this.db.run('DELETE FROM job_heartbeats WHERE case_id = ? AND job_id = ?', [this.caseId, id]);
  }

  async complete(id: number, result: unknown): Promise<void> {
    await this.end(id, 'done', { result: result ?? null });
  }

  async fail(id: number, error: string): Promise<void> {
    await this.end(id, 'failed', { error });
  }

  /** Back in the queue, not failed (its worker stopped or was lost); `note` says why, for `filet jobs`. */
  async release(id: number, note: string): Promise<void> {
    await this.db.run(
      `UPDATE jobs SET state = 'queued', error = ?, finished_at = NULL WHERE case_id = ? AND id = ?`,
      [note, this.caseId, id],
    );
    await this.db.run('DELETE FROM job_heartbeats WHERE case_id = ? AND job_id = ?', [this.caseId, id]);
  }

  /** Jobs of `run` still queued or running, other than `except`. */
  async openInRun(run: string, except: number): Promise<number> {
    const r = await this.db.get<{ n: number }>(
      `SELECT COUNT(*) AS n FROM jobs WHERE case_id = ? AND run = ? AND id <> ? AND state IN ('queued', 'running')`,
      [this.caseId, run, except],
    );
    return Number(r?.n ?? 0);
  }
}

/** The jobs of every case in a database in one state (a PostgreSQL worker serves them all). */
export async function jobsInState(db: SqlDriver, state: JobState): Promise<JobRecord[]> {
  const rows = await db.all<Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM ${FROM} WHERE j.state = ? ORDER BY j.case_id, j.id`,
    [state],
  );
  return rows.map(fromRow);
}

/** How many jobs are queued or running, in one case or (no `caseId`) in the whole database. */
export async function openJobs(db: SqlDriver, caseId?: string): Promise<number> {
  const r = await db.get<{ n: number }>(
    `SELECT COUNT(*) AS n FROM jobs WHERE state IN ('queued', 'running')${caseId ? ' AND case_id = ?' : ''}`,
    caseId ? [caseId] : [],
  );
  return Number(r?.n ?? 0);
}
