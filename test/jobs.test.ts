import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE } from '../src/jobs/boss-queue.js';
import { addUser } from '../src/cli/commands/user.js';
import { importHashList } from '../src/matching/import-list.js';
import { buildServer } from '../src/server/app.js';
import { initCase } from '../src/store/case-dir.js';
import type { CaseStore } from '../src/store/case-store.js';
import { ingestSynthDevices } from '../src/synth/ingest-devices.js';
import { inCase } from './helpers/case-url.js';
import { filet, filetAsync } from './helpers/cli.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';
import { synthOperation, type DeviceInfo } from './helpers/synth-cache.js';

/**
 * Jobs survive their workers: a real worker process is killed with SIGKILL in the middle of a hash job,
 * other real worker processes finish the work, and every count is checked against the synthetic
 * operation's ground truth and direct SQL counts: each media item hashed once, each unit counted once,
 * in the jobs table, in job_items and in the audit log. On both engines: SQLite with the case file's own
 * queue (a new worker takes over the lost one's job), PostgreSQL with pg-boss.
 */

const PASSWORD = 'correct-horse-battery';

interface Row {
  [k: string]: unknown;
}

let op: { dir: string; devices: DeviceInfo[] };
/** The media files the operation's devices hold: what its exports carry, and the images beside its databases. */
let deviceMedia: Set<string>;

function imagesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? imagesUnder(join(dir, e.name))
      : /\.(jpe?g|png|webp)$/i.test(e.name)
        ? [join(dir, e.name)]
        : [],
  );
}

beforeAll(async () => {
  op = await synthOperation(7);
  const truth = JSON.parse(readFileSync(join(op.dir, 'truth.json'), 'utf8')) as {
    exportedMediaSha256: string[];
  };
  deviceMedia = new Set(truth.exportedMediaSha256);
  for (const d of op.devices)
    if (d.files.some((f) => f.startsWith(`devices/${d.label}/`)))
      for (const f of imagesUnder(join(op.dir, 'devices', d.label)))
        deviceMedia.add(createHash('sha256').update(readFileSync(f)).digest('hex'));
});

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null)
      return res({ code: child.exitCode, signal: child.signalCode });
    child.once('exit', (code, signal) => res({ code, signal }));
  });
}

function collect(child: ChildProcess): { out: string; err: string } {
  const got = { out: '', err: '' };
  child.stdout?.on('data', (d: Buffer) => (got.out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (got.err += d.toString()));
  return got;
}

async function waitFor<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 120_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const jobsOf = (store: CaseStore) =>
  store.db.all<Row>('SELECT * FROM jobs WHERE case_id = ? ORDER BY id', [store.caseId]);

describe.each(STORE_TARGETS)('jobs on $name', (target) => {
  const storeArgs = target.name === 'postgres' ? ['--store', target.store] : [];
  const children: ChildProcess[] = [];
  const worker = (caseDir: string, extra: string[] = []) => {
    const c = filetAsync(['worker', caseDir, ...storeArgs, '--threads', '1', '--lost-after', '3', ...extra]);
    children.push(c);
    return c;
  };
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  describe('a worker killed mid-job', () => {
    let caseDir: string;
    let store: CaseStore;

    beforeAll(async () => {
      caseDir = join(tempDir('filet-jobs-'), 'case');
      const made = await initCase(caseDir, { store: target.store });
      store = made.store;
      await ingestSynthDevices(store, op.dir, { examiner: 'test' });
      await importHashList(store, join(op.dir, 'lists', 'known-vics.json'), { name: 'synthetic-known' });
    });
    afterAll(async () => store?.close());

    it('loses nothing: the next workers resume its job and nothing is hashed or counted twice', async () => {
      // What there is to hash, by direct SQL and by the generator's own account of what it exported.
      const todo = await store.db.all<{ id: number; sha256: string }>(
        `SELECT id, sha256 FROM media WHERE case_id = ? AND present = 1 AND pdq IS NULL
           AND file_evidence_id IS NOT NULL ORDER BY id`,
        [store.caseId],
      );
      expect(new Set(todo.map((m) => m.sha256))).toEqual(deviceMedia);
      // Larger than the 20 media a hash job commits at a time, so that a job is seen part done.
      const batch = 40;
      const queued = filet(['match', caseDir, ...storeArgs, '--jobs', '--batch', String(batch), '--json']);
      expect(queued.code, queued.stderr).toBe(0);
      const plan = JSON.parse(queued.stdout) as { hashJobs: number; media: number; jobs: number[] };
      expect(plan.media).toBe(todo.length);
      expect(plan.hashJobs).toBe(Math.ceil(todo.length / batch));

      // The first worker, killed once a job of it has committed some of its media and not all.
      const first = worker(caseDir);
      const firstLog = collect(first);
      const partial = await waitFor('a hash job part done', async () => {
        const rows = await jobsOf(store);
        return (
          rows.find((j) => j.state === 'running' && Number(j.done) > 0 && Number(j.done) < Number(j.total)) ??
          null
        );
      });
      first.kill('SIGKILL');
      expect((await exited(first)).signal, firstLog.err).toBe('SIGKILL');
      const killed = (await jobsOf(store)).find((j) => j.id === partial.id)!;
      // Left as it was: running, its worker gone, what it committed kept.
      expect(killed.state).toBe('running');
      expect(String(killed.worker)).toMatch(new RegExp(`:${first.pid}$`));
      const committedBefore = Number(killed.done);
      expect(committedBefore).toBeGreaterThan(0);
      expect(committedBefore).toBeLessThan(Number(killed.total));

      // Two more workers at once take over and finish everything.
      const rest = [worker(caseDir, ['--until-idle']), worker(caseDir, ['--until-idle'])];
      const logs = rest.map(collect);
      const ends = await Promise.all(rest.map(exited));
      ends.forEach((e, i) => expect(e.code, logs[i]!.err).toBe(0));

      const jobs = await jobsOf(store);
      const hashJobs = jobs.filter((j) => j.kind === 'hash');
      expect(hashJobs.length).toBe(plan.hashJobs);
      expect(jobs.map((j) => j.state)).toEqual(jobs.map(() => 'done'));
      const resumed = jobs.find((j) => j.id === partial.id)!;
      expect(Number(resumed.attempts)).toBe(2);
      expect(Number(resumed.done)).toBe(Number(resumed.total));
      expect(String(resumed.worker)).not.toMatch(new RegExp(`:${first.pid}$`));
      // The resuming attempt started from what the killed one had committed.
      expect(Number(resumed.start_done)).toBeGreaterThanOrEqual(committedBefore);
      // Totals and counts are the real numbers.
      const sum = (rows: Row[], c: string) => rows.reduce((n, r) => n + Number(r[c]), 0);
      expect(sum(hashJobs, 'total')).toBe(todo.length);
      expect(sum(hashJobs, 'done')).toBe(todo.length);

      // Each media item is one unit of one hash job, recorded once, hashed once.
      const units = await store.db.all<{ item: string; n: number }>(
        `SELECT i.item, COUNT(*) AS n FROM job_items i JOIN jobs j ON j.case_id = i.case_id AND j.id = i.job_id
          WHERE i.case_id = ? AND j.kind = 'hash' GROUP BY i.item ORDER BY i.item`,
        [store.caseId],
      );
      expect(units.map((u) => Number(u.item)).sort((a, b) => a - b)).toEqual(todo.map((m) => m.id));
      expect(units.every((u) => Number(u.n) === 1)).toBe(true);
      const outcomes = await store.db.all<{ outcome: string }>(
        `SELECT i.outcome FROM job_items i JOIN jobs j ON j.case_id = i.case_id AND j.id = i.job_id
          WHERE i.case_id = ? AND j.kind = 'hash'`,
        [store.caseId],
      );
      expect(outcomes.every((o) => o.outcome === 'hashed')).toBe(true);
      const hashed = await store.db.get<{ n: number }>(
        `SELECT COUNT(*) AS n FROM media WHERE case_id = ? AND present = 1 AND hashed_at IS NOT NULL
           AND pdq IS NOT NULL AND md5 IS NOT NULL`,
        [store.caseId],
      );
      expect(Number(hashed!.n)).toBe(todo.length);
      // The audit log counts each hashed item once too: the killed worker's uncommitted work left no entry.
      const audit = await store.readAudit();
      const hashEntries = audit.filter((e) => e.action === 'hash');
      expect(hashEntries.reduce((n, e) => n + Number((e.result as { media: number }).media), 0)).toBe(
        todo.length,
      );
      expect(audit.filter((e) => e.action === 'match').length).toBe(1);
      expect((await store.verifyAudit()).ok).toBe(true);

      // The match ran once, after the last hash job, over every media item of the case.
      const match = jobs.filter((j) => j.kind === 'match');
      expect(match.length).toBe(1);
      expect(Number(match[0]!.id)).toBeGreaterThan(Math.max(...hashJobs.map((j) => Number(j.id))));
      const allMedia = await store.db.get<{ n: number }>(
        'SELECT COUNT(*) AS n FROM media WHERE case_id = ?',
        [store.caseId],
      );
      const result = JSON.parse(String(match[0]!.result)) as {
        media: number;
        known: number;
        unmatched: number;
      };
      expect(result.media).toBe(Number(allMedia!.n));
      // Every item of the list the generator marks known and that an export holds is known material.
      const list = JSON.parse(readFileSync(join(op.dir, 'lists', 'known-vics.json'), 'utf8')) as {
        value: { MD5?: string }[];
      };
      const listMd5 = new Set(list.value.map((v) => v.MD5?.toLowerCase()).filter(Boolean));
      const exportedKnown = await store.db.all<{ id: number; md5: string }>(
        'SELECT id, md5 FROM media WHERE case_id = ? AND present = 1',
        [store.caseId],
      );
      const expectKnown = exportedKnown.filter((m) => listMd5.has(m.md5)).length;
      expect(expectKnown).toBeGreaterThan(0);
      const matched = await store.db.get<{ n: number }>(
        `SELECT COUNT(DISTINCT media_id) AS n FROM matches WHERE case_id = ? AND hash_type = 'md5'`,
        [store.caseId],
      );
      expect(Number(matched!.n)).toBe(expectKnown);
      expect(result.known).toBeGreaterThanOrEqual(expectKnown);

      // `filet jobs` says the same.
      const shown = filet(['jobs', caseDir, ...storeArgs, '--json']);
      expect(shown.code, shown.stderr).toBe(0);
      const status = JSON.parse(shown.stdout) as {
        jobs: { id: number; state: string; attempts: number }[];
        summary: Record<string, { jobs: number; done: number; units: number; unitsDone: number }>;
      };
      expect(status.summary.hash).toMatchObject({
        jobs: plan.hashJobs,
        done: plan.hashJobs,
        units: todo.length,
        unitsDone: todo.length,
      });
      expect(status.summary.match).toMatchObject({ jobs: 1, done: 1 });
      expect(status.jobs.find((j) => j.id === Number(partial.id))!.attempts).toBe(2);
    });
  });

  describe('ingest jobs', () => {
    let caseDir: string;
    let store: CaseStore;

    beforeAll(async () => {
      caseDir = join(tempDir('filet-jobs-ingest-'), 'case');
      store = (await initCase(caseDir, { store: target.store })).store;
      await importHashList(store, join(op.dir, 'lists', 'known-vics.json'), { name: 'synthetic-known' });
    });
    afterAll(async () => store?.close());

    it('ingest one job per file, then hash and match; a file that cannot be read fails its job with a clear error', async () => {
      const device = op.devices[0]!;
      const files = device.files.map((f) => join(op.dir, f));
      const missing = join(tempDir(), 'WhatsApp Chat - gone.zip');
      const queued = filet([
        'ingest',
        caseDir,
        ...files,
        missing,
        ...storeArgs,
        '--jobs',
        '--device',
        device.label,
        '--owner',
        device.owner,
        '--tz',
        device.tz,
        '--json',
      ]);
      expect(queued.code, queued.stderr).toBe(0);
      expect((JSON.parse(queued.stdout) as { jobs: number[] }).jobs.length).toBe(files.length + 1);

      const w = worker(caseDir, ['--until-idle', '--json']);
      const log = collect(w);
      expect((await exited(w)).code, log.err).toBe(0);

      const jobs = await jobsOf(store);
      const ingest = jobs.filter((j) => j.kind === 'ingest');
      expect(ingest.length).toBe(files.length + 1);
      const failed = ingest.filter((j) => j.state === 'failed');
      expect(failed.length).toBe(1);
      expect(String(failed[0]!.error)).toContain(missing);
      expect(ingest.filter((j) => j.state === 'done').length).toBe(files.length);
      // The files are in the case, once each.
      const evidence = await store.listEvidence();
      expect(evidence.map((e) => e.path).sort()).toEqual([...files].sort());
      // Then the plan, its hash jobs and the match, all done; every present media item hashed.
      expect(jobs.filter((j) => j.kind === 'match').map((j) => j.state)).toEqual(['done']);
      const present = await store.db.get<{ n: number; hashed: number }>(
        `SELECT COUNT(*) AS n, SUM(CASE WHEN pdq IS NOT NULL THEN 1 ELSE 0 END) AS hashed FROM media
          WHERE case_id = ? AND present = 1`,
        [store.caseId],
      );
      expect(Number(present!.n)).toBeGreaterThan(0);
      expect(Number(present!.hashed)).toBe(Number(present!.n));
      // The failure is in the audit log, and `filet jobs` shows it with its error.
      const audit = await store.readAudit();
      expect(audit.some((e) => e.action === 'ingest' && (e.result as { ok: boolean }).ok === false)).toBe(
        true,
      );
      const shown = filet(['jobs', caseDir, ...storeArgs]);
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toMatch(/ingest: \d+ job\(s\): 0 queued, 0 running, \d+ done, 1 failed/);
      expect(shown.stdout).toContain(missing);

      // So does the web app, to anyone who may read the case (not to an auditor: no case content).
      await addUser(store, 'jobs-viewer', 'viewer', PASSWORD);
      await addUser(store, 'jobs-auditor', 'auditor', PASSWORD);
      const app = await buildServer({ caseDir, caseStore: store, allowedHosts: ['localhost:80'] });
      try {
        const cookieOf = async (username: string) => {
          const res = await app.inject({
            method: 'POST',
            url: '/api/session',
            payload: { username, password: PASSWORD },
          });
          expect(res.statusCode, res.body).toBe(200);
          return String(res.headers['set-cookie']).split(';')[0]!;
        };
        const url = inCase(store.caseId, '/jobs');
        const res = await app.inject({ url, headers: { cookie: await cookieOf('jobs-viewer') } });
        expect(res.statusCode, res.body).toBe(200);
        const body = res.json<{
          total: number;
          summary: Record<string, { jobs: number; failed: number; unitsDone: number; units: number }>;
          jobs: { id: number; kind: string; state: string; error: string | null; params?: unknown }[];
        }>();
        expect(body.total).toBe(jobs.length);
        expect(body.summary.ingest).toMatchObject({ jobs: files.length + 1, failed: 1 });
        expect(body.jobs.filter((j) => j.state === 'failed').map((j) => j.error)).toEqual([failed[0]!.error]);
        // Parameters (paths, media ids) are not part of it.
        expect(body.jobs.every((j) => j.params === undefined)).toBe(true);
        const denied = await app.inject({ url, headers: { cookie: await cookieOf('jobs-auditor') } });
        expect(denied.statusCode).toBe(403);
      } finally {
        await app.close();
      }
    });

    it.runIf(target.name === 'postgres')(
      'delivers a queued job anew when pg-boss no longer holds its delivery',
      async () => {
        const queued = filet(['analyze', caseDir, ...storeArgs, '--jobs', '--json']);
        expect(queued.code, queued.stderr).toBe(0);
        const [id] = (JSON.parse(queued.stdout) as { jobs: number[] }).jobs;
        const row = await store.db.get<Row>('SELECT queue_id FROM jobs WHERE case_id = ? AND id = ?', [
          store.caseId,
          id!,
        ]);
        // The delivery is cancelled behind filet's back (as if pg-boss had given up on it).
        const boss = new PgBoss({ connectionString: target.store, supervise: false, schedule: false });
        await boss.start();
        try {
          await boss.cancel(QUEUE, String(row!.queue_id));
          expect((await boss.getJobById(QUEUE, String(row!.queue_id)))!.state).toBe('cancelled');
        } finally {
          await boss.stop({ graceful: false });
        }
        const w = worker(caseDir, ['--until-idle', '--json']);
        const log = collect(w);
        expect((await exited(w)).code, log.err).toBe(0);
        const job = await store.db.get<Row>('SELECT state, queue_id FROM jobs WHERE case_id = ? AND id = ?', [
          store.caseId,
          id!,
        ]);
        expect(job!.state).toBe('done');
        expect(job!.queue_id).not.toBe(row!.queue_id);
        expect(log.out).toContain('its pg-boss delivery was gone');
      },
    );
  });
});
