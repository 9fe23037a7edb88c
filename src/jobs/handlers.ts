import { resolve } from 'node:path';
import type { FollowUp as CaseFollowUp } from '../app/case-actions.js';
import { describedByJob, ingestEvidence, type IngestJobParams } from '../app/intake.js';
import type { DecodeMode } from '../hashing/decode.js';
import { hashMediaFiles, matchCase, needsHashing, type MediaHashOutcome } from '../matching/match.js';
import { analyzeAndSave } from '../network/service.js';
import { writeReport } from '../report/html-report.js';
import type { CaseStore } from '../store/case-store.js';
import { HashListStore } from '../store/hash-list-store.js';
import { UserError } from '../util/errors.js';
import { JobStore } from './job-store.js';
import { JobStopped } from './runner.js';
import type { FollowUp, JobContext, JobHandlers, JobSpec } from './types.js';

/**
 * What each kind of job does, through the same services the CLI runs inline. Every handler is idempotent
 * and resumable: the units of its work (a media item, an evidence file) are recorded in job_items in the
 * transaction that wrote their result (with its audit entry), and a rerun skips those units.
 */

/** Media per hash job: small enough to share among workers, large enough that a job's start is noise. */
export const HASH_BATCH = 200;
/** Hashed media written (with their units and audit entry) per transaction, or at least every second. */
const HASH_CHUNK = 20;
const HASH_CHUNK_MS = 1000;

export type MatchParams = {
  threshold?: number;
  includeLowQuality?: boolean;
  mode?: DecodeMode;
};

interface HashParams {
  mediaIds?: number[];
  mode?: DecodeMode;
  /** A plan job: splits the media still to hash into batch jobs (a run of its own), then `then`. */
  plan?: { batch?: number; mode?: DecodeMode; then?: FollowUp | null; matchIfLists?: MatchParams };
}

/**
 * The hash jobs for the media of the case still to hash (present, no PDQ yet), `batch` media each,
 * leaving out media that a queued or running hash job already holds.
 */
export async function hashJobSpecs(
  store: CaseStore,
  opts: { batch?: number; mode?: DecodeMode } = {},
): Promise<JobSpec[]> {
  const batch = opts.batch ?? HASH_BATCH;
  const held = new Set<number>();
  for (const j of await new JobStore(store).list({ states: ['queued', 'running'] }))
    if (j.kind === 'hash') for (const id of (j.params.mediaIds as number[] | undefined) ?? []) held.add(id);
  const todo = (await store.media()).filter((m) => needsHashing(m) && !held.has(m.id)).map((m) => m.id);
  const specs: JobSpec[] = [];
  for (let i = 0; i < todo.length; i += batch) {
    const mediaIds = todo.slice(i, i + batch);
    specs.push({
      kind: 'hash',
      params: { mediaIds, ...(opts.mode ? { mode: opts.mode } : {}) },
      total: mediaIds.length,
    });
  }
  return specs;
}

function outcomeText(o: MediaHashOutcome): string {
  if (!o.update) return `failed: ${o.error ?? 'not read'}`;
  return o.error ? `no-pdq: ${o.error}` : 'hashed';
}

/** A job's units by outcome, and the first failures (the job's result). */
async function hashResult(ctx: JobContext) {
  const items = await new JobStore(ctx.store).items(ctx.job.id);
  const count = (prefix: string) => items.filter((i) => i.outcome.startsWith(prefix)).length;
  return {
    media: items.length,
    hashed: count('hashed'),
    withoutPdq: count('no-pdq'),
    alreadyHashed: count('already'),
    failed: count('failed'),
    failures: items
      .filter((i) => i.outcome.startsWith('failed'))
      .slice(0, 20)
      .map((i) => ({ media: Number(i.item), error: i.outcome.slice('failed: '.length) })),
  };
}

async function planHash(ctx: JobContext, plan: NonNullable<HashParams['plan']>) {
  const specs = await hashJobSpecs(ctx.store, { batch: plan.batch, mode: plan.mode });
  const lists = (await new HashListStore(ctx.store).lists()).length;
  const then =
    plan.then ??
    (plan.matchIfLists && lists ? { kind: 'match' as const, params: plan.matchIfLists } : undefined);
  return ctx.store.transaction(async (s) => {
    const ids = specs.length || then ? await ctx.spawn(s, specs, then) : [];
    await ctx.record(s, [{ item: 'plan', outcome: `${specs.length} hash jobs` }]);
    const result = {
      hashJobs: specs.length,
      media: specs.reduce((n, j) => n + (j.total ?? 0), 0),
      jobs: ids,
    };
    await ctx.complete(s, result);
    return result;
  });
}

async function hashJob(ctx: JobContext) {
  const p = ctx.job.params as HashParams;
  if (p.plan) return planHash(ctx, p.plan);
  const ids = p.mediaIds ?? [];
  const done = await ctx.doneItems();
  const left = ids.filter((id) => !done.has(String(id)));
  const rows = await ctx.store.mediaByIds(left);
  const found = new Set(rows.map((m) => m.id));
  // Not to hash after all: gone from the case, or hashed meanwhile by an inline `filet match`.
  const skipped = [
    ...left
      .filter((id) => !found.has(id))
      .map((id) => ({ item: String(id), outcome: 'failed: not in the case' })),
    ...rows.filter((m) => !needsHashing(m)).map((m) => ({ item: String(m.id), outcome: 'already hashed' })),
  ];
  if (skipped.length) await ctx.store.transaction((s) => ctx.record(s, skipped));

  // Hashing runs on threads while the main thread writes finished chunks, one transaction each.
  const stop = new AbortController();
  const onStop = () => stop.abort();
  ctx.signal.addEventListener('abort', onStop);
  let pending: MediaHashOutcome[] = [];
  let writing: Promise<void> = Promise.resolve();
  let writeError: unknown = null;
  let last = Date.now();
  const write = async (chunk: MediaHashOutcome[]) => {
    await ctx.store.transaction(async (s) => {
      const fresh = new Set(
        await ctx.record(
          s,
          chunk.map((o) => ({ item: String(o.media.id), outcome: outcomeText(o) })),
        ),
      );
      if (!fresh.size) return;
      const mine = chunk.filter((o) => fresh.has(String(o.media.id)));
      const updates = mine.flatMap((o) => (o.update ? [o.update] : []));
      await new HashListStore(s).setMediaHashes(updates);
      await s.appendAudit(
        ctx.job.createdBy,
        'hash',
        { job: ctx.job.id, worker: ctx.worker },
        {
          ok: true,
          media: mine.length,
          hashed: updates.length,
          failed: mine.length - updates.length,
        },
      );
    });
  };
  const flush = () => {
    if (!pending.length) return;
    const chunk = pending;
    pending = [];
    last = Date.now();
    writing = writing
      .then(() => (writeError ? undefined : write(chunk)))
      .catch((err: unknown) => {
        writeError ??= err;
        stop.abort();
      });
  };
  try {
    await hashMediaFiles(ctx.store, ctx.caseDir, rows.filter(needsHashing), {
      mode: p.mode ?? 'exact',
      pool: ctx.hashPool,
      signal: stop.signal,
      onOutcome: (o) => {
        pending.push(o);
        if (pending.length >= HASH_CHUNK || Date.now() - last >= HASH_CHUNK_MS) flush();
      },
    });
    flush();
    await writing;
  } finally {
    ctx.signal.removeEventListener('abort', onStop);
  }
  if (writeError) throw writeError;
  if ((await ctx.doneItems()).size < ids.length) {
    if (ctx.signal.aborted) throw new JobStopped();
    throw new Error('some media of the batch were neither hashed nor recorded as failed');
  }
  return hashResult(ctx);
}

async function matchJob(ctx: JobContext) {
  const p = ctx.job.params as MatchParams & { hash?: boolean };
  const args = { threshold: p.threshold ?? 31, job: ctx.job.id, worker: ctx.worker };
  let out: unknown = null;
  await matchCase(ctx.store, ctx.caseDir, {
    threshold: p.threshold,
    includeLowQuality: p.includeLowQuality,
    mode: p.mode,
    threads: ctx.threads,
    // The hash jobs of the run hashed what there was; `hash: true` hashes anything left first.
    hash: p.hash === true,
    inTransaction: async (s, summary) => {
      await s.appendAudit(ctx.job.createdBy, 'match', args, {
        ok: true,
        ...summary,
        hashFailures: summary.hashFailures.length,
      });
      await ctx.record(s, [{ item: 'match', outcome: 'done' }]);
      out = { ...summary, hashFailures: summary.hashFailures.slice(0, 20) };
      await ctx.complete(s, out);
    },
  });
  return out;
}

/**
 * An ingest job: each of its paths through the same intake as a request (ingestEvidence): an evidence file
 * as it is, a folder or container searched and each artifact found ingested in its own transaction. Each
 * item's unit (`<path>`, or `<container>#<artifact>`) commits with the item and its audit entry, so a resumed
 * job skips what is done: a file by its unit, an artifact because it is found already ingested (by its
 * SHA-256) and neither written nor counted again.
 */
async function ingestJob(ctx: JobContext, followUp: FollowUpFor) {
  const p = ctx.job.params as unknown as IngestJobParams;
  if (!Array.isArray(p.paths) || !p.paths.length)
    throw new UserError(`ingest job ${ctx.job.id} names no evidence files`);
  const { description, secrets } = describedByJob(p);
  const done = await ctx.doneItems();
  let total = 0;
  try {
    for (const path of p.paths) {
      if (done.has(path)) continue;
      if (ctx.signal.aborted) throw new JobStopped();
      await ingestEvidence(ctx.store, ctx.caseDir, [path], description, secrets, {
        match: false,
        policy: {
          actor: ctx.job.createdBy,
          failure: (err) => ({
            ok: false,
            error: err instanceof Error ? err.message : String(err),
            job: ctx.job.id,
          }),
        },
        hooks: {
          onArtifact: (_device, _artifact, _index, n) => {
            if (n > total) {
              total = n;
              void ctx.setTotal(n);
            }
          },
          onOutcome: async (o, s) => {
            if (ctx.signal.aborted) throw new JobStopped();
            const unit = 'device' in o ? `${path}#${o.path}` : path;
            await ctx.record(s, [{ item: unit, outcome: o.status }]);
          },
        },
      });
    }
  } finally {
    // A workspace's cross-case index takes what was committed, also when a later item failed.
    await followUp(ctx.store)?.ingested?.();
  }
  const items = await new JobStore(ctx.store).items(ctx.job.id);
  const byStatus: Record<string, number> = {};
  for (const i of items) byStatus[i.outcome] = (byStatus[i.outcome] ?? 0) + 1;
  return { files: items.length, byStatus };
}

async function analyzeJob(ctx: JobContext) {
  const p = ctx.job.params as { threshold?: number; seed?: number };
  return ctx.store.transaction(async (s) => {
    const { summary, run } = await analyzeAndSave(s, { threshold: p.threshold, seed: p.seed });
    const result = {
      run,
      flaggedGroups: summary.flaggedGroups,
      clusters: summary.clusters,
      roles: summary.roles,
    };
    await s.appendAudit(
      ctx.job.createdBy,
      'analyze',
      { threshold: p.threshold ?? null, seed: p.seed ?? null, job: ctx.job.id, worker: ctx.worker },
      { ok: true, ...result },
    );
    await ctx.record(s, [{ item: 'analyze', outcome: 'done' }]);
    await ctx.complete(s, result);
    return result;
  });
}

async function reportJob(ctx: JobContext) {
  const p = ctx.job.params as { out?: string; suspects?: number };
  if (!p.out) throw new UserError(`report job ${ctx.job.id} names no file to write`);
  const out = resolve(p.out);
  const written = await writeReport(ctx.store, out, { suspects: p.suspects });
  return ctx.store.transaction(async (s) => {
    await s.appendAudit(
      ctx.job.createdBy,
      'report',
      { out, suspects: p.suspects ?? null, job: ctx.job.id, worker: ctx.worker },
      {
        ok: true,
        ...written,
      },
    );
    await ctx.record(s, [{ item: 'report', outcome: 'written' }]);
    await ctx.complete(s, written);
    return written;
  });
}

/** What keeps a workspace's cross-case index up after a job changed a case (nothing for a lone case). */
export type FollowUpFor = (store: CaseStore) => CaseFollowUp | undefined;

/** The handlers, with what follows a change of a case (a workspace's worker passes its index's). */
export function handlersFor(followUp: FollowUpFor = () => undefined): JobHandlers {
  return {
    ...HANDLERS,
    ingest: (ctx) => ingestJob(ctx, followUp),
    match: async (ctx) => {
      const r = await matchJob(ctx);
      await followUp(ctx.store)?.matched?.();
      return r;
    },
  };
}

export const HANDLERS: JobHandlers = {
  hash: hashJob,
  match: matchJob,
  ingest: (ctx) => ingestJob(ctx, () => undefined),
  analyze: analyzeJob,
  report: reportJob,
};
