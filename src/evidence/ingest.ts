import { constants, accessSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EvidenceItem, ReaderNotes, ReaderOptions } from '../model/types.js';
import { sha256File } from '../hashing/digests.js';
import type { CaseStore } from '../store/case-store.js';
import type { IngestStats } from '../store/ingest-writer.js';
import { UserError } from '../util/errors.js';
import { TOOL_VERSION } from '../version.js';
import { detectReader } from './registry.js';

export interface IngestOptions {
  device?: string;
  examiner?: string | null;
  acquiredAt?: number | null;
  tz?: string;
  locale?: string;
  owner?: string;
  ownerName?: string;
  limits?: ReaderOptions['limits'];
  /** Encrypted Android backups: a key file (files/key, files/encrypted_backup.key) or the 64-digit key. */
  keyFile?: string;
  key?: string;
  /** Where a decrypted working copy is made (a private folder, removed after reading); default the OS temp. */
  workDir?: string;
  onProgress?: (records: number) => void;
  /**
   * Called for every path: inside the item's own transaction when it is ingested (its audit entry commits
   * with it), on its own when the file was already in the case or given twice.
   */
  onOutcome?: (s: CaseStore, outcome: IngestOutcome) => Promise<void>;
}

export type IngestOutcome =
  | { path: string; status: 'ingested'; evidence: EvidenceItem; stats: IngestStats }
  | { path: string; status: 'already-ingested'; evidence: EvidenceItem }
  | { path: string; status: 'duplicate-argument'; sameAs: string };

function checkReadable(path: string): number {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UserError('no such file', { file: path });
  }
  if (!st.isFile()) throw new UserError('not a file (give the evidence file itself)', { file: path });
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new UserError('permission denied: the file cannot be read', { file: path });
  }
  return st.size;
}

export function validateTimeZone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz;
  } catch {
    throw new UserError(`unknown time zone "${tz}" (give an IANA zone such as Europe/Madrid)`);
  }
}

/**
 * Ingests evidence files one by one, each in its own transaction. Every path is checked before anything
 * is written, so a missing or unreadable file in the list changes nothing. A file already in the case
 * (same SHA-256) — or given twice — changes nothing and is reported as such.
 */
export async function ingestPaths(
  store: CaseStore,
  paths: string[],
  opts: IngestOptions,
): Promise<IngestOutcome[]> {
  const tz = validateTimeZone(opts.tz ?? 'UTC');
  const files = paths.map((p) => resolve(p));
  for (const f of files) checkReadable(f);
  const outcomes: IngestOutcome[] = [];
  const seen = new Map<string, string>();
  for (const path of files) {
    const { sha256, size } = await sha256File(path);
    const dup = seen.get(sha256);
    if (dup) {
      const o: IngestOutcome = { path, status: 'duplicate-argument', sameAs: dup };
      await opts.onOutcome?.(store, o);
      outcomes.push(o);
      continue;
    }
    seen.set(sha256, path);
    const existing = await store.evidenceBySha256(sha256);
    if (existing) {
      const o: IngestOutcome = { path, status: 'already-ingested', evidence: existing };
      await opts.onOutcome?.(store, o);
      outcomes.push(o);
      continue;
    }
    const { reader } = await detectReader(path);
    const deviceLabel = opts.device ?? `device-of-${sha256.slice(0, 8)}`;
    const notes: ReaderNotes = { tz, tzSource: opts.tz ? 'command line' : 'default (UTC)' };
    if (opts.locale) notes.localeHint = opts.locale;
    if (opts.owner) notes.owner = { number: opts.owner, source: 'command line (--owner)' };
    const readerOpts: ReaderOptions = {
      deviceLabel,
      tz,
      locale: opts.locale,
      owner: opts.owner,
      ownerName: opts.ownerName,
      limits: opts.limits,
      decryption: { keyFile: opts.keyFile, keyHex: opts.key, workDir: opts.workDir },
    };
    const item: Omit<EvidenceItem, 'id'> = {
      path,
      sha256,
      size,
      kind: reader.kind,
      deviceLabel,
      examiner: opts.examiner ?? null,
      acquiredAt: opts.acquiredAt ?? null,
      ingestedAt: Date.now(),
      toolVersion: TOOL_VERSION,
      notes,
    };
    const { evidence, stats } = await store.ingestEvidence(
      item,
      reader.read(path, readerOpts, notes),
      opts.onProgress,
      async (s, evidence, stats) => {
        // The recorded digest must describe what was read: a file that changed meanwhile is not committed.
        if ((await sha256File(path)).sha256 !== sha256) {
          throw new UserError('the file changed while it was being ingested; nothing was recorded', {
            file: path,
          });
        }
        await opts.onOutcome?.(s, { path, status: 'ingested', evidence, stats });
      },
    );
    outcomes.push({ path, status: 'ingested', evidence, stats });
  }
  return outcomes;
}
