import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractZipMedia, resolveEvidenceMediaPath } from '../evidence/media-reader.js';
import type { DecodeMode } from '../hashing/decode.js';
import { hashFiles, type FileHashResult, type HashPool } from '../hashing/pool.js';
import { pdqSignal } from '../hashing/signal-types.js';
import type { CaseStore, MediaRow } from '../store/case-store.js';
import { HashListStore, type MatchInsert, type StoredEntry } from '../store/hash-list-store.js';
import { pdqHexToWords } from './pdq-bits.js';
import { PdqIndex } from './pdq-index.js';

export interface MatchOptions {
  /** PDQ Hamming distance at or below which two hashes match (default 31, Meta's). */
  threshold?: number;
  /** Match PDQ hashes of quality < 50 too (they are unreliable; recorded either way). */
  includeLowQuality?: boolean;
  mode?: DecodeMode;
  threads?: number;
  onProgress?: (phase: string, done: number, total: number) => void;
  /** False: compare only, hash nothing (hash jobs hashed the media: src/jobs/handlers.ts). */
  hash?: boolean;
  /** Runs inside the transaction that writes the matches (the audit entry of the change goes there). */
  inTransaction?: (s: CaseStore, summary: MatchSummary) => Promise<void>;
}

export interface MatchSummary {
  media: number;
  hashedNow: number;
  hashFailures: { sha256: string; error: string }[];
  lists: number;
  entries: number;
  known: number;
  novel: number;
  /** Compared with no list, or not with all of them (see src/model/media-status.ts): never displayed. */
  unmatched: number;
  lowQuality: number;
  withoutPdq: number;
  matchesByType: Record<string, number>;
  indexCache: 'hit' | 'built' | 'none';
}

const VARIANTS = ['rot90', 'rot180', 'rot270', 'flipx', 'flipy', 'flipPlus1', 'flipMinus1'] as const;

/** What hashing one media item wrote (the digests and PDQ of the file read, checked against its SHA-256). */
export interface MediaHashUpdate {
  id: number;
  md5: string;
  sha1: string;
  pdq: string | null;
  quality: number | null;
  dihedral: unknown;
}

/**
 * One media item hashed: `update` is what to write (null: nothing could be read), `error` why it has no
 * hash or no PDQ (an update with an error: a file that is not a decodable image).
 */
export interface MediaHashOutcome {
  media: MediaRow;
  update: MediaHashUpdate | null;
  error: string | null;
}

/**
 * Reads and hashes the files of `todo` (media present in the evidence), reporting each item as it finishes
 * (completion order). Files are read through the evidence resolver: the place ingest recorded, no links,
 * no duplicate zip entries. Nothing is written: the caller stores the outcomes as it sees fit.
 */
export async function hashMediaFiles(
  store: CaseStore,
  caseDir: string,
  todo: MediaRow[],
  opts: {
    mode?: DecodeMode;
    threads?: number;
    onOutcome: (o: MediaHashOutcome) => void;
    /** Aborted: no further file is started (the items not started get no outcome). */
    signal?: AbortSignal;
    /** Threads kept by the caller across calls (`threads` is then the pool's); default: threads of this call. */
    pool?: HashPool;
  },
): Promise<void> {
  if (!todo.length) return;
  const evidence = new Map((await store.listEvidence()).map((e) => [e.id, e]));
  const tmp = join(caseDir, 'derived', 'tmp', `hash-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fail = (media: MediaRow, error: string) => opts.onOutcome({ media, update: null, error });
  const paths: { media: MediaRow; path: string }[] = [];
  try {
    const byZip = new Map<string, MediaRow[]>();
    for (const m of todo) {
      const ev = m.fileEvidenceId === null ? undefined : evidence.get(m.fileEvidenceId);
      if (!ev || !m.fileRef) {
        fail(m, `evidence #${m.fileEvidenceId} is not in the case`);
      } else if (ev.kind === 'chat-export-zip') {
        (byZip.get(ev.path) ?? byZip.set(ev.path, []).get(ev.path)!).push(m);
      } else {
        try {
          paths.push({ media: m, path: await resolveEvidenceMediaPath(ev, m.fileRef) });
        } catch (err) {
          fail(m, (err as Error).message);
        }
      }
    }
    let z = 0;
    for (const [zip, ms] of byZip) {
      let got;
      try {
        got = await extractZipMedia(zip, new Set(ms.map((m) => m.fileRef!)), join(tmp, String(++z)));
      } catch (err) {
        for (const m of ms) fail(m, (err as Error).message);
        continue;
      }
      for (const m of ms) {
        const p = got.extracted.get(m.fileRef!);
        if (p) paths.push({ media: m, path: p });
        else fail(m, got.refused.get(m.fileRef!) ?? `entry ${m.fileRef} missing`);
      }
    }
    const byPath = new Map(paths.map((p) => [p.path, p.media]));
    const hashOpts = {
      mode: opts.mode ?? 'exact',
      dihedral: true,
      signal: opts.signal,
      onResult: (r: FileHashResult) => {
        const m = byPath.get(r.path)!;
        if (!r.ok) fail(m, r.error);
        else if (r.sha256 !== m.sha256) fail(m, `the file read now has SHA-256 ${r.sha256}: not hashed`);
        else
          opts.onOutcome({
            media: m,
            update: {
              id: m.id,
              md5: r.md5,
              sha1: r.sha1,
              pdq: r.pdq,
              quality: r.quality,
              dihedral: r.dihedral ?? null,
            },
            error: r.pdqError ? `no PDQ: ${r.pdqError}` : null,
          });
      },
    };
    const files = paths.map((p) => p.path);
    if (opts.pool) await opts.pool.hash(files, hashOpts);
    else await hashFiles(files, { ...hashOpts, threads: opts.threads });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The media `filet match` hashes: present in the evidence, with a file to read, and no PDQ yet. */
export function needsHashing(m: MediaRow): boolean {
  return m.present && m.pdq === null && m.fileEvidenceId !== null;
}

/** Hashes (PDQ, MD5, SHA-1) every media file present in the case and not hashed yet. */
async function hashPresentMedia(
  store: CaseStore,
  lists: HashListStore,
  caseDir: string,
  opts: MatchOptions,
): Promise<{ hashed: number; failures: MatchSummary['hashFailures'] }> {
  const todo = (await store.media()).filter(needsHashing);
  if (!todo.length) return { hashed: 0, failures: [] };
  const order = new Map(todo.map((m, i) => [m.id, i]));
  const outcomes: MediaHashOutcome[] = [];
  let done = 0;
  await hashMediaFiles(store, caseDir, todo, {
    mode: opts.mode,
    threads: opts.threads,
    onOutcome: (o) => {
      outcomes.push(o);
      opts.onProgress?.('hash', ++done, todo.length);
    },
  });
  // Reported in the case's order of media, whatever order the threads finished in.
  outcomes.sort((a, b) => order.get(a.media.id)! - order.get(b.media.id)!);
  const updates = outcomes.flatMap((o) => (o.update ? [o.update] : []));
  await lists.setMediaHashes(updates);
  return {
    hashed: updates.length,
    failures: outcomes.flatMap((o) => (o.error ? [{ sha256: o.media.sha256, error: o.error }] : [])),
  };
}

export interface PdqSet {
  index: PdqIndex;
  entries: { listId: Uint32Array; entryId: Uint32Array; category: (string | null)[] };
  cache: 'hit' | 'built' | 'none';
}

/** Builds the PDQ index of every list's PDQ entries, or loads it from the case's cache when the lists are unchanged. */
export async function pdqIndexFor(
  caseDir: string,
  lists: HashListStore,
  pdqEntries: StoredEntry[],
): Promise<PdqSet | null> {
  if (!pdqEntries.length) return null;
  const n = pdqEntries.length;
  const meta = {
    listId: new Uint32Array(n),
    entryId: new Uint32Array(n),
    category: pdqEntries.map((e) => e.category),
  };
  pdqEntries.forEach((e, i) => {
    meta.listId[i] = e.listId;
    meta.entryId[i] = e.id;
  });
  const key = createHash('sha256')
    .update(
      JSON.stringify((await lists.lists()).map((l) => [l.id, l.sourceSha256, l.importedAt, l.entryCount])),
    )
    .digest('hex')
    .slice(0, 24);
  const dir = join(caseDir, 'derived', 'index');
  const file = join(dir, `pdq-${key}.idx`);
  if (existsSync(file)) {
    try {
      return { index: PdqIndex.deserialize(readFileSync(file)), entries: meta, cache: 'hit' };
    } catch {
      // A damaged cache is rebuilt, never trusted.
    }
  }
  const words = new Uint32Array(n * 8);
  pdqEntries.forEach((e, i) => pdqHexToWords(e.pdq!, words, i * 8));
  const index = PdqIndex.build(words);
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${file}.part`, index.serialize());
  renameSync(`${file}.part`, file);
  return { index, entries: meta, cache: 'built' };
}

/**
 * `filet match`: hashes what is present, then compares every media item — including those known only by
 * their SHA-256 — with every list: exact on MD5/SHA-1/SHA-256, PDQ by Hamming distance over the plain hash
 * and its 7 dihedral variants. Media on no list are novel. Re-running replaces the previous matches.
 */
export async function matchCase(
  store: CaseStore,
  caseDir: string,
  opts: MatchOptions = {},
): Promise<MatchSummary> {
  const threshold = opts.threshold ?? pdqSignal.matchThreshold;
  const lists = new HashListStore(store);
  const { hashed, failures } =
    opts.hash === false ? { hashed: 0, failures: [] } : await hashPresentMedia(store, lists, caseDir, opts);
  // The lists may change while we compare (another process imports one): then the comparison is redone.
  for (let attempt = 1; ; attempt++) {
    const summary = await compareWithLists(store, caseDir, lists, threshold, opts, hashed, failures);
    if (summary) return summary;
    if (attempt === 3)
      throw new Error('the hash lists kept changing while media were being matched; run filet match again');
  }
}

/** One comparison of every media item with the lists as they are now; null if they changed meanwhile. */
async function compareWithLists(
  store: CaseStore,
  caseDir: string,
  lists: HashListStore,
  threshold: number,
  opts: MatchOptions,
  hashed: number,
  failures: MatchSummary['hashFailures'],
): Promise<MatchSummary | null> {
  const listsUsed = await lists.fingerprint();

  const exact = {
    md5: new Map<string, StoredEntry[]>(),
    sha1: new Map<string, StoredEntry[]>(),
    sha256: new Map<string, StoredEntry[]>(),
  };
  const pdqEntries: StoredEntry[] = [];
  let entryCount = 0;
  for await (const page of lists.entries()) {
    for (const e of page) {
      entryCount++;
      for (const t of ['md5', 'sha1', 'sha256'] as const) {
        const v = e[t];
        if (v) (exact[t].get(v) ?? exact[t].set(v, []).get(v)!).push(e);
      }
      if (e.pdq) pdqEntries.push(e);
    }
  }
  const pdq = await pdqIndexFor(caseDir, lists, pdqEntries);

  const media = await store.media();
  const dihedral = await lists.mediaDihedral();
  const matches: MatchInsert[] = [];
  const known = new Set<number>();
  let lowQuality = 0;
  let withoutPdq = 0;
  const q = new Uint32Array(8);
  // Compared with every list: exact hashes always; PDQ too wherever the lists hold PDQ hashes and the media
  // is an image present in the evidence. An image we could not hash, or whose hash is of too low quality
  // to compare, was not compared with the PDQ entries: it stays unmatched (never displayed).
  const checked: number[] = [];
  for (const m of media) {
    const pdqComparable = !!m.pdq && (opts.includeLowQuality || (m.pdqQuality ?? 0) >= pdqSignal.minQuality);
    if (!pdq || !m.present || !m.mime?.startsWith('image/') || pdqComparable) checked.push(m.id);
    for (const t of ['md5', 'sha1', 'sha256'] as const) {
      const v = m[t];
      for (const e of (v && exact[t].get(v)) || []) {
        matches.push({
          mediaId: m.id,
          listId: e.listId,
          entryId: e.id,
          hashType: t,
          distance: 0,
          variant: null,
          category: e.category,
        });
        known.add(m.id);
      }
    }
    if (!m.pdq) {
      withoutPdq++;
      continue;
    }
    const low = (m.pdqQuality ?? 0) < pdqSignal.minQuality;
    if (low) lowQuality++;
    if (!pdq || (low && !opts.includeLowQuality)) continue;
    // Best distance per entry over the plain hash and its variants.
    const best = new Map<number, { d: number; variant: string | null }>();
    const variants: [string | null, string][] = [[null, m.pdq]];
    const dih = dihedral.get(m.id);
    if (dih) for (const v of VARIANTS) if (dih[v]) variants.push([v, dih[v]!]);
    for (const [variant, hex] of variants) {
      pdqHexToWords(hex, q, 0);
      const r = pdq.index.query(q, 0, threshold);
      for (let i = 0; i < r.ids.length; i++) {
        const id = r.ids[i]!;
        const d = r.distances[i]!;
        const prev = best.get(id);
        if (!prev || d < prev.d) best.set(id, { d, variant });
      }
    }
    for (const [pos, { d, variant }] of best) {
      matches.push({
        mediaId: m.id,
        listId: pdq.entries.listId[pos]!,
        entryId: pdq.entries.entryId[pos]!,
        hashType: 'pdq',
        distance: d,
        variant,
        category: pdq.entries.category[pos] ?? null,
      });
      known.add(m.id);
    }
  }
  const matchesByType: Record<string, number> = {};
  for (const x of matches) matchesByType[x.hashType] = (matchesByType[x.hashType] ?? 0) + 1;
  const summary: MatchSummary = {
    media: media.length,
    hashedNow: hashed,
    hashFailures: failures,
    lists: (await lists.lists()).length,
    entries: entryCount,
    known: known.size,
    novel: checked.filter((id) => !known.has(id)).length,
    unmatched: media.length - known.size - checked.filter((id) => !known.has(id)).length,
    lowQuality,
    withoutPdq,
    matchesByType,
    indexCache: pdq?.cache ?? 'none',
  };
  const written = await lists.replaceMatches(
    matches,
    { ...summary, hashFailures: failures.length, threshold },
    { listsUsed, mediaIds: checked },
    opts.inTransaction ? (s) => opts.inTransaction!(s, summary) : undefined,
  );
  return written ? summary : null;
}
