import { constants, accessSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EvidenceItem, ReaderNotes, ReaderOptions } from '../model/types.js';
import { sha256File } from '../hashing/digests.js';
import type { CaseStore } from '../store/case-store.js';
import type { IngestStats } from '../store/ingest-writer.js';
import { UserError } from '../util/errors.js';
import { TOOL_VERSION } from '../version.js';
import { detectReader } from './registry.js';
import { BackupIngest, looksLikeBackupFolder, type WhatsAppInstance } from './ios-backup/ingest.js';

export interface IngestOptions {
  device?: string;
  examiner?: string | null;
  acquiredAt?: number | null;
  tz?: string;
  locale?: string;
  owner?: string;
  ownerName?: string;
  limits?: ReaderOptions['limits'];
  /** Limits on reading seized SQLite databases (src/evidence/wa-db/budget.ts). */
  sqliteBudget?: ReaderOptions['sqliteBudget'];
  /** Encrypted Android backups: a key file (files/key, files/encrypted_backup.key) or the 64-digit key. */
  keyFile?: string;
  key?: string;
  /** Where the 64-digit key came from when not the command line ("64-digit key given in the …"), for the notes. */
  keySource?: string;
  /** Password of an encrypted iTunes / Finder backup: used to decrypt, never stored. */
  backupPassword?: string;
  /**
   * The case's working area for private copies: an iTunes / Finder backup's WhatsApp files (kept: media are
   * served from them later) and decrypted Android backups (a private folder, removed after reading).
   * Default: the OS temp folder.
   */
  workDir?: string;
  onProgress?: (records: number) => void;
  /** False: no automatic identity merges after each item (measurements of the identity rules). */
  resolveIdentities?: boolean;
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
/**
 * The reader options every ingest path passes (evidence files, discovered artifacts, backups found in
 * trees): one place, so an option such as the SQLite budget reaches every reader.
 */
export function baseReaderOptions(
  opts: Pick<IngestOptions, 'locale' | 'owner' | 'ownerName' | 'limits' | 'sqliteBudget'>,
  deviceLabel: string,
  tz: string,
): ReaderOptions {
  return {
    deviceLabel,
    tz,
    locale: opts.locale,
    owner: opts.owner,
    ownerName: opts.ownerName,
    limits: opts.limits,
    sqliteBudget: opts.sqliteBudget,
  };
}

/** An evidence item as ingest records it: the examiner's facts from `opts`, the time and tool version now. */
export function newEvidenceItem(
  item: Pick<EvidenceItem, 'path' | 'sha256' | 'size' | 'kind' | 'deviceLabel' | 'notes'>,
  opts: Pick<IngestOptions, 'examiner' | 'acquiredAt'>,
): Omit<EvidenceItem, 'id'> {
  return {
    ...item,
    examiner: opts.examiner ?? null,
    acquiredAt: opts.acquiredAt ?? null,
    ingestedAt: Date.now(),
    toolVersion: TOOL_VERSION,
  };
}

export async function ingestPaths(
  store: CaseStore,
  paths: string[],
  opts: IngestOptions,
): Promise<IngestOutcome[]> {
  const tz = validateTimeZone(opts.tz ?? 'UTC');
  const files = paths.map((p) => resolve(p));
  // Backup folders are opened (format, password, WhatsApp present) before anything is written.
  const backups = new Map<string, BackupIngest>();
  try {
    for (const f of files) {
      if (!looksLikeBackupFolder(f)) checkReadable(f);
      else if (!backups.has(f)) {
        if (!opts.workDir)
          throw new UserError('ingesting a backup folder needs the case folder', { file: f });
        backups.set(f, await BackupIngest.open(f, opts.backupPassword));
      }
    }
    return await ingestFiles(store, files, opts, tz, backups);
  } finally {
    for (const b of backups.values()) b.close();
  }
}

async function ingestFiles(
  store: CaseStore,
  files: string[],
  opts: IngestOptions,
  tz: string,
  backups: Map<string, BackupIngest>,
): Promise<IngestOutcome[]> {
  const outcomes: IngestOutcome[] = [];
  const seen = new Map<string, string>();
  // An iTunes backup with WhatsApp and WhatsApp Business is two evidence items (two owners).
  const units: Array<{ path: string; backup?: BackupIngest; inst?: WhatsAppInstance }> = files.flatMap(
    (path) => {
      const backup = backups.get(path);
      return backup ? backup.instances.map((inst) => ({ path, backup, inst })) : [{ path }];
    },
  );
  for (const { path, backup, inst } of units) {
    const { sha256, size } = backup ? await backup.identityOf(inst!) : await sha256File(path);
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
    const reader = backup ? null : (await detectReader(path)).reader;
    const deviceLabel = opts.device ?? `device-of-${sha256.slice(0, 8)}`;
    const notes: ReaderNotes = { tz, tzSource: opts.tz ? 'command line' : 'default (UTC)' };
    if (opts.locale) notes.localeHint = opts.locale;
    if (opts.owner) notes.owner = { number: opts.owner, source: 'command line (--owner)' };
    const backupContainer = backup?.containerNote(path);
    if (backupContainer) notes.container = backupContainer;
    const readerOpts: ReaderOptions = {
      ...baseReaderOptions(opts, deviceLabel, tz),
      decryption: {
        keyFile: opts.keyFile,
        keyHex: opts.key,
        ...(opts.keySource ? { keyHexSource: opts.keySource } : {}),
        workDir: opts.workDir,
      },
    };
    const item = newEvidenceItem(
      { path, sha256, size, kind: reader ? reader.kind : 'ios-backup', deviceLabel, notes },
      opts,
    );
    const work = backup ? join(opts.workDir!, `ios-backup-${sha256.slice(0, 16)}`) : null;
    if (work) rmSync(work, { recursive: true, force: true });
    const { evidence, stats } = await store
      .ingestEvidence(
        item,
        backup ? backup.read(work!, readerOpts, notes, inst) : reader!.read(path, readerOpts, notes),
        opts.onProgress,
        async (s, evidence, stats) => {
          // The recorded digest must describe what was read: a file that changed meanwhile is not committed.
          if (backup ? !(await backup.unchanged()) : (await sha256File(path)).sha256 !== sha256) {
            throw new UserError('the file changed while it was being ingested; nothing was recorded', {
              file: path,
            });
          }
          await opts.onOutcome?.(s, { path, status: 'ingested', evidence, stats });
        },
        { resolveIdentities: opts.resolveIdentities },
      )
      .catch((err: unknown) => {
        if (work) rmSync(work, { recursive: true, force: true });
        throw err;
      });
    outcomes.push({ path, status: 'ingested', evidence, stats });
  }
  return outcomes;
}
