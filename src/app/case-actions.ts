import { join } from 'node:path';
import type { IntakeOutcome } from '../api/contract.js';
import {
  ingestDiscovered,
  type DiscoveredIngestOptions,
  type DiscoveredOutcome,
} from '../evidence/discovery/ingest.js';
import type { Discovery } from '../evidence/discovery/index.js';
import { ingestPaths, type IngestOptions, type IngestOutcome } from '../evidence/ingest.js';
import { importHashList, type ImportListOptions } from '../matching/import-list.js';
import { matchCase, type MatchOptions, type MatchSummary } from '../matching/match.js';
import type { CaseStore } from '../store/case-store.js';
import { HashListStore } from '../store/hash-list-store.js';
import { audited, auditedSteps, cliPolicy, type AuditPolicy } from './audited.js';

/**
 * The changes that feed matching, as the CLI and the demo run them. New media, or a new list, leave media
 * "unmatched" (never displayed) until they are compared with every list; so ingest and list import run the
 * comparison right after, unless told not to (then the status says "unmatched" until `filet match`).
 */
export function outcomeSummary(x: IngestOutcome | DiscoveredOutcome): IntakeOutcome {
  const where =
    'device' in x ? { device: x.device, instance: x.instance, ...(x.inner ? { inner: x.inner } : {}) } : {};
  return x.status === 'ingested'
    ? {
        path: x.path,
        ...where,
        status: x.status,
        evidence: x.evidence.id,
        sha256: x.evidence.sha256,
        stats: x.stats,
      }
    : { path: x.path, ...where, status: x.status, ...('reason' in x ? { reason: x.reason } : {}) };
}

/**
 * Work that follows committed changes of a case and is no part of them: a workspace keeps its cross-case
 * index this way (src/app/cross-case.ts), so the evidence and matching code knows nothing of workspaces.
 * A follow-up that fails does not undo the change; what it missed is caught up by the next one.
 */
export interface FollowUp {
  /** After an ingest; also when a later item failed (the items before it are committed). */
  ingested?: () => Promise<void>;
  /** After media were compared with the lists (which of them are novel may have changed). */
  matched?: () => Promise<void>;
}

/** Runs `work`, then `next` (also when `work` failed; then an error of `next` does not hide `work`'s). */
async function followedBy<T>(work: () => Promise<T>, next: (() => Promise<void>) | undefined): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (err) {
    await next?.().catch(() => undefined);
    throw err;
  }
  await next?.();
  return result;
}

export async function matchAudited(
  store: CaseStore,
  caseDir: string,
  opts: MatchOptions = {},
  args: Record<string, unknown> = {},
  followUp: FollowUp = {},
  policy: AuditPolicy = cliPolicy(),
): Promise<MatchSummary> {
  return followedBy(
    () =>
      auditedSteps(
        store,
        'match',
        { threshold: opts.threshold ?? 31, ...args },
        (record) =>
          matchCase(store, caseDir, {
            ...opts,
            inTransaction: async (s, summary) =>
              record(s, { ...summary, hashFailures: summary.hashFailures.length }),
          }),
        policy,
      ),
    followUp.matched,
  );
}

/** Ingests evidence items (each item and its audit entry in one transaction), then matches if lists exist. */
export async function ingestAudited(
  store: CaseStore,
  caseDir: string,
  paths: string[],
  opts: IngestOptions,
  args: Record<string, unknown>,
  after: { match?: boolean; matchOptions?: MatchOptions; followUp?: FollowUp } = {},
  policy: AuditPolicy = cliPolicy(),
): Promise<{ outcomes: IngestOutcome[]; match: MatchSummary | null }> {
  const outcomes = await followedBy(
    () =>
      auditedSteps(
        store,
        'ingest',
        args,
        (record) =>
          ingestPaths(store, paths, {
            workDir: join(caseDir, 'working'),
            ...opts,
            onOutcome: async (s, o) => {
              await opts.onOutcome?.(s, o);
              await record(s, { items: [outcomeSummary(o)] });
            },
          }),
        policy,
      ),
    after.followUp?.ingested,
  );
  const changed = outcomes.some((o) => o.status === 'ingested');
  const hasLists = (await new HashListStore(store).lists()).length > 0;
  const match =
    after.match !== false && changed && hasLists
      ? await matchAudited(store, caseDir, after.matchOptions, { after: 'ingest' }, after.followUp, policy)
      : null;
  return { outcomes, match };
}

/**
 * Ingests every artifact discovery found in folders and containers (each artifact and its audit entry in
 * one transaction), then matches if lists exist.
 */
export async function ingestDiscoveredAudited(
  store: CaseStore,
  discovery: Discovery,
  opts: DiscoveredIngestOptions,
  args: Record<string, unknown>,
  after: {
    match?: boolean;
    matchOptions?: MatchOptions;
    changedBefore?: boolean;
    followUp?: FollowUp;
  } = {},
  policy: AuditPolicy = cliPolicy(),
): Promise<{ outcomes: DiscoveredOutcome[]; match: MatchSummary | null }> {
  const outcomes = await followedBy(
    () =>
      auditedSteps(
        store,
        'ingest',
        args,
        (record) =>
          ingestDiscovered(store, discovery, {
            ...opts,
            onOutcome: async (s, o) => {
              await opts.onOutcome?.(s, o);
              await record(s, { items: [outcomeSummary(o as DiscoveredOutcome)] });
            },
          }),
        policy,
      ),
    after.followUp?.ingested,
  );
  const changed = after.changedBefore === true || outcomes.some((o) => o.status === 'ingested');
  const hasLists = (await new HashListStore(store).lists()).length > 0;
  const match =
    after.match !== false && changed && hasLists
      ? await matchAudited(
          store,
          opts.workDir,
          after.matchOptions,
          { after: 'ingest' },
          after.followUp,
          policy,
        )
      : null;
  return { outcomes, match };
}

/** Imports a list (the list and its audit entry in one transaction), then matches every media item. */
export async function importListAudited(
  store: CaseStore,
  caseDir: string,
  file: string,
  opts: ImportListOptions,
  args: Record<string, unknown>,
  after: { match?: boolean; matchOptions?: MatchOptions; followUp?: FollowUp } = {},
) {
  const imported = await audited(
    store,
    'hashes.import',
    args,
    (s) => importHashList(s, file, opts),
    (x) => ({
      list: x.list.id,
      entries: x.list.entryCount,
      invalid: x.invalidCount,
      sourceSha256: x.list.sourceSha256,
    }),
  );
  // Unmatched now, no media item is novel until the comparison: the follow-up hears of it either way.
  const match =
    after.match !== false
      ? await matchAudited(store, caseDir, after.matchOptions, { after: 'hashes.import' }, after.followUp)
      : (await after.followUp?.matched?.(), null);
  return { ...imported, match };
}
