/**
 * An iTunes / Finder backup found inside a folder or container being searched. In a folder it is read where
 * it is, exactly as a backup folder given on its own. In a container, only what the backup reader needs is
 * streamed out into a sparse copy of the backup (Manifest.db, Manifest.plist, Info.plist, Status.plist and
 * the stored files of WhatsApp's domains, at their `<fileID[0:2]>/<fileID>` places), each hashed while
 * copied; the rest of the phone's backup is never copied. The sparse copy is removed after reading (the
 * WhatsApp working copy the backup reader makes is what stays, as for a backup folder).
 */
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReaderNotes } from '../../model/types.js';
import type { CaseStore } from '../../store/case-store.js';
import { UserError } from '../../util/errors.js';
import { baseReaderOptions, newEvidenceItem } from '../ingest.js';
import { IosBackup } from '../ios-backup/backup.js';
import { BackupIngest, WHATSAPP_INSTANCES, type WhatsAppInstance } from '../ios-backup/ingest.js';
import type { InnerArtifact } from '../wa-db/sqlite.js';
import type { EvidenceFs } from '../vfs/index.js';
import type { DiscoveredArtifact, DiscoveredDevice, DiscoveredInstance } from './index.js';
import {
  containerNote,
  discoveryNote,
  innerName,
  nestingNote,
  safe,
  type DiscoveredIngestOptions,
  type DiscoveredOutcome,
} from './ingest.js';

const at = (dir: string, n: string) => (dir ? `${dir}/${n}` : n);

/** Copies the parts of the backup at `dir` (inside `fs`) that filet reads into `dest`. */
export async function stageBackup(
  fs: EvidenceFs,
  dir: string,
  dest: string,
  password: string | undefined,
): Promise<InnerArtifact[]> {
  const inner: InnerArtifact[] = [];
  const copy = async (wanted: Map<string, string>, role: string) => {
    for (const [p, r] of await fs.copyMany(wanted))
      inner.push({
        path: p,
        role,
        ...r,
        readAs: `staged (sparse copy of the backup, removed after reading)`,
      });
  };
  const top = new Map<string, string>();
  for (const n of ['Manifest.db', 'Manifest.plist', 'Info.plist', 'Status.plist'])
    if (await fs.stat(at(dir, n))) top.set(at(dir, n), join(dest, n));
  await copy(top, 'backup manifest');
  // The manifest lists which stored files are WhatsApp's (decrypting it needs the password).
  const backup = IosBackup.open(dest, { password });
  const wanted = new Map<string, string>();
  try {
    for (const i of WHATSAPP_INSTANCES)
      for (const e of backup.list(i.domain)) {
        if (e.flags !== 1 || !/^[0-9a-f]{40}$/.test(e.fileID)) continue;
        const stored = at(dir, `${e.fileID.slice(0, 2)}/${e.fileID}`);
        if (await fs.stat(stored)) wanted.set(stored, join(dest, e.fileID.slice(0, 2), e.fileID));
      }
  } finally {
    backup.close();
  }
  await copy(wanted, 'backup file (WhatsApp domain)');
  return inner;
}

export async function removeStaged(dest: string): Promise<void> {
  await rm(dest, { recursive: true, force: true });
}

/**
 * Ingests one backup found in a tree: one evidence item per WhatsApp instance in it (WhatsApp, WhatsApp
 * Business), each with its own owner (BackupIngest). Returns `skipped` (nothing written) when it cannot be
 * opened: an encrypted backup without a password, a wrong password, no WhatsApp in it.
 */
export async function ingestBackupArtifact(
  store: CaseStore,
  dev: DiscoveredDevice,
  inst: DiscoveredInstance,
  art: DiscoveredArtifact,
  n: number,
  opts: DiscoveredIngestOptions,
  tz: string,
  container: { sha256: string; size: number; mtimeMs: number } | undefined,
  seen: Map<string, string>,
): Promise<DiscoveredOutcome[]> {
  const inFolder = dev.fs.kind === 'folder';
  const display = `${dev.source}${inFolder ? '/' : '!/'}${art.path || '.'}`;
  const base = {
    device: dev.label,
    instance: inst.id,
    inner: inFolder ? null : innerName(dev, art.path || '.'),
  };
  const path = inFolder ? (art.path ? join(dev.source, art.path) : dev.source) : dev.container;
  const skipped = (reason: string): DiscoveredOutcome => ({ ...base, path, status: 'skipped', reason });
  if (art.encrypted && !opts.backupPassword)
    return [
      skipped(
        `${display}: this backup is encrypted: give its password with --backup-password-file, ` +
          'FILET_BACKUP_PASSWORD or --backup-password (it was not read; the rest was ingested)',
      ),
    ];
  const sparse = inFolder
    ? null
    : join(
        opts.workDir,
        'derived',
        'artifacts',
        container!.sha256,
        `${safe(dev.label)}-${inst.id}-${n}-backup`,
      );
  let inner: InnerArtifact[] = [];
  let backup: BackupIngest;
  try {
    if (sparse) {
      await removeStaged(sparse);
      inner = await stageBackup(dev.fs, art.path, sparse, opts.backupPassword);
    }
    backup = await BackupIngest.open(sparse ?? path, opts.backupPassword);
  } catch (err) {
    if (sparse) await removeStaged(sparse);
    if (!(err instanceof UserError)) throw err;
    const f = err.where?.file;
    const msg = f && err.message.startsWith(`${f}: `) ? err.message.slice(f.length + 2) : err.message;
    return [skipped(`${display}: ${msg} (it was not read; the rest was ingested)`)];
  }
  const outcomes: DiscoveredOutcome[] = [];
  try {
    for (const instance of backup.instances) outcomes.push(await readInstance(instance));
    return outcomes;
  } finally {
    backup.close();
    if (sparse) await removeStaged(sparse);
  }

  async function readInstance(instance: WhatsAppInstance): Promise<DiscoveredOutcome> {
    const { sha256, size } = await backup.identityOf(instance);
    const dup = seen.get(sha256);
    if (dup) return { ...base, path, status: 'duplicate-argument', sameAs: dup };
    seen.set(sha256, `${dev.label}: ${art.path || '.'} (${instance.app})`);
    const existing = await store.evidenceBySha256(sha256);
    if (existing) return { ...base, path, status: 'already-ingested', evidence: existing };
    const deviceLabel = opts.device ?? dev.label;
    const notes: ReaderNotes = { tz, tzSource: opts.tz ? 'command line' : 'default (UTC)' };
    if (opts.locale) notes.localeHint = opts.locale;
    if (opts.owner) notes.owner = { number: opts.owner, source: 'command line (--owner)' };
    notes.discovery = discoveryNote(dev, inst, art, null);
    if (container) notes.container = containerNote(dev, container);
    else if (backup.containerNote(path)) notes.container = backup.containerNote(path)!;
    if (dev.chain.length) notes.nesting = nestingNote(dev, art.path || '.');
    if (inner.length) notes.innerArtifacts = inner;
    // The SQLite budget (--sqlite-budget) reaches the backup's ChatStorage reader too.
    const readerOpts = baseReaderOptions(opts, deviceLabel, tz);
    const item = newEvidenceItem({ path, sha256, size, kind: 'ios-backup', deviceLabel, notes }, opts);
    const work = join(opts.workDir, 'working', `ios-backup-${sha256.slice(0, 16)}`);
    await rm(work, { recursive: true, force: true });
    try {
      const { evidence, stats } = await store.ingestEvidence(
        item,
        backup.read(work, readerOpts, notes, instance),
        opts.onProgress,
        async (s, evidence, stats) => {
          const unchanged = inFolder
            ? await backup.unchanged()
            : await stat(dev.container).then(
                (st) => st.size === container!.size && st.mtimeMs === container!.mtimeMs,
              );
          if (!unchanged)
            throw new UserError('the backup changed while it was being ingested; nothing was recorded', {
              file: path,
            });
          await opts.onOutcome?.(s, { ...base, path, status: 'ingested', evidence, stats });
        },
      );
      return { ...base, path, status: 'ingested', evidence, stats };
    } catch (err) {
      await rm(work, { recursive: true, force: true });
      throw err;
    }
  }
}
