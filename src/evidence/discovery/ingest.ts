/**
 * Ingests what discovery found: every artifact is one evidence item in its own transaction, read by its
 * reader through the existing `CaseStore.ingestEvidence` path.
 * - An artifact in a **folder** is read where it is (SQLite through a private copy, see wa-db/sqlite.ts);
 *   its media are read in place under the folder given (media fileRefs are relative to it).
 * - An artifact in a **container** (.zip/.tar/.tar.gz) is staged: the database, its `-wal`, wa.db and the
 *   instance's media are copied out (streamed, hashed while copied) into the case's working area
 *   `<case>/derived/artifacts/<container sha256>/<device>-<instance>-<n>/`, because the readers and the
 *   media viewer need files; the evidence item's path is the container, and its notes record the
 *   container's SHA-256 and every inner file read (inner path, size, SHA-256).
 * The evidence item's `sha256` is the artifact's own digest (a case holds each SHA-256 once, and one
 * container can hold several artifacts); `notes.container.sha256` is what `filet verify` re-hashes.
 */
import { rm, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { ReaderNotes, ReaderOptions } from '../../model/types.js';
import { sha256File } from '../../hashing/digests.js';
import type { CaseStore } from '../../store/case-store.js';
import { UserError } from '../../util/errors.js';
import {
  baseReaderOptions,
  newEvidenceItem,
  validateTimeZone,
  type IngestOptions,
  type IngestOutcome,
} from '../ingest.js';
import { chatExportTxtReader, chatExportZipReader } from '../chat-export/index.js';
import { READERS } from '../registry.js';
import type { InnerArtifact } from '../wa-db/sqlite.js';
import type { VfsEntry } from '../vfs/index.js';
import { CannotOpenEncrypted, readEncryptedArtifact, type EncryptedArtifactInput } from './encrypted.js';
import { ingestBackupArtifact } from './backup-artifact.js';
import { containerDigestNow } from './custody.js';
import type { DiscoveredArtifact, DiscoveredDevice, DiscoveredInstance, Discovery } from './index.js';

export interface DiscoveredIngestOptions extends Omit<IngestOptions, 'onOutcome'> {
  /** Called for every artifact, as IngestOptions.onOutcome (skipped artifacts outside any transaction). */
  onOutcome?: (s: CaseStore, outcome: DiscoveredOutcome) => Promise<void>;
  /** The case folder: staged copies go under `<workDir>/derived/artifacts/`. */
  workDir: string;
  /** Called before each artifact is read (for a progress bar per device/artifact). */
  onArtifact?: (device: DiscoveredDevice, artifact: DiscoveredArtifact, index: number, total: number) => void;
}

/**
 * `skipped`: an encrypted artifact inside a tree that could not be opened with what was given or found
 * (no password, no key, wrong key or password): it is not read, the reason says why, the rest is ingested.
 */
export type DiscoveredOutcome = (IngestOutcome | { path: string; status: 'skipped'; reason: string }) & {
  device: string;
  instance: string;
  inner: string | null;
};

export const safe = (s: string) => s.replace(/[^\w.-]+/g, '_').slice(0, 80);

/** The owner passed to the reader and how it was decided. */
export function ownerFor(
  inst: DiscoveredInstance,
  dev: DiscoveredDevice,
  cli: string | undefined,
): { owner?: string; source?: string; note: Record<string, unknown> | null } {
  const found = inst.owner
    ? {
        number: inst.owner.number,
        file: `${dev.source}${dev.fs.kind === 'folder' ? '/' : '!/'}${inst.owner.file}`,
        key: inst.owner.key,
        from: inst.owner.from ?? 'device file',
      }
    : null;
  if (cli) {
    const note: Record<string, unknown> = { number: cli, source: 'command line (--owner)' };
    if (found) note.foundInDevice = found;
    if (found && found.number !== cli) note.conflict = `the device's own files say ${found.number}`;
    return { owner: cli, source: undefined, note };
  }
  if (found)
    return {
      owner: found.number,
      source: `${found.from} ${found.file} (key ${found.key})`,
      note: {
        number: found.number,
        source: `${found.from} (key ${found.key})`,
        file: found.file,
        ...(inst.ownerConflicts.length ? { conflicts: inst.ownerConflicts } : {}),
      },
    };
  return { note: null };
}

export async function ingestDiscovered(
  store: CaseStore,
  discovery: Discovery,
  opts: DiscoveredIngestOptions,
): Promise<DiscoveredOutcome[]> {
  const tz = validateTimeZone(opts.tz ?? 'UTC');
  const outcomes: DiscoveredOutcome[] = [];
  const seen = new Map<string, string>();
  const containerSha = new Map<string, { sha256: string; size: number; mtimeMs: number }>();
  const total = discovery.devices.reduce(
    (n, d) => n + d.instances.reduce((m, i) => m + i.artifacts.length, 0),
    0,
  );
  let index = 0;
  for (const dev of discovery.devices) {
    const inFolder = dev.fs.kind === 'folder';
    if (!inFolder && !containerSha.has(dev.container))
      containerSha.set(
        dev.container,
        await (discovery.containerHashes?.get(dev.container) ?? containerDigestNow(dev.container)),
      );
    const container = containerSha.get(dev.container);
    for (const inst of dev.instances) {
      let n = 0;
      for (const art of inst.artifacts) {
        n++;
        opts.onArtifact?.(dev, art, index++, total);
        if (art.kind === 'ios-backup') {
          for (const o of await ingestBackupArtifact(store, dev, inst, art, n, opts, tz, container, seen)) {
            if (o.status !== 'ingested') await opts.onOutcome?.(store, o);
            outcomes.push(o);
          }
          continue;
        }
        const reader =
          art.kind === 'chat-export-zip'
            ? chatExportZipReader
            : art.kind === 'chat-export-txt'
              ? chatExportTxtReader
              : READERS.find((r) => r.kind === art.kind);
        if (!reader) throw new UserError(`no reader for ${art.kind}`);
        const inner: InnerArtifact[] = [];
        let readPath: string;
        let mediaFolder: ReaderOptions['mediaFolder'];
        let stage: string | null = null;
        let itemSha: string;
        let itemSize: number;
        if (inFolder) {
          readPath = join(dev.source, art.path);
          const h = await sha256File(readPath);
          itemSha = h.sha256;
          itemSize = h.size;
          inner.push({
            path: art.path,
            role: art.kind,
            ...h,
            readAs: 'in place (databases through a private copy)',
            location: readPath,
          });
          if (art.mediaBases.length)
            mediaFolder = { evidenceRoot: dev.source, bases: art.mediaBases.map((b) => join(dev.source, b)) };
        } else {
          stage = join(
            opts.workDir,
            'derived',
            'artifacts',
            container!.sha256,
            `${safe(dev.label)}-${inst.id}-${n}`,
          );
          await rm(stage, { recursive: true, force: true });
          // A read that fails while staging (a damaged entry, a vendor digest that does not match) leaves
          // nothing of this artifact in the case folder.
          const staged = await stageArtifact(dev, art, stage).catch(async (err: unknown) => {
            await rm(stage!, { recursive: true, force: true });
            throw err;
          });
          readPath = staged.primary;
          inner.push(...staged.inner);
          itemSha = staged.inner[0]!.sha256;
          itemSize = staged.inner[0]!.size;
          mediaFolder = staged.mediaFolder;
        }
        const base = {
          device: dev.label,
          instance: inst.id,
          inner: inFolder ? null : innerName(dev, art.path),
        };
        const path = inFolder ? readPath : dev.container;
        const dup = seen.get(itemSha);
        if (dup) {
          if (stage) await rm(stage, { recursive: true, force: true });
          const o: DiscoveredOutcome = { ...base, path, status: 'duplicate-argument', sameAs: dup };
          await opts.onOutcome?.(store, o);
          outcomes.push(o);
          continue;
        }
        seen.set(itemSha, `${dev.label}: ${art.path}`);
        const existing = await store.evidenceBySha256(itemSha);
        if (existing) {
          if (stage) await rm(stage, { recursive: true, force: true });
          const o: DiscoveredOutcome = { ...base, path, status: 'already-ingested', evidence: existing };
          await opts.onOutcome?.(store, o);
          outcomes.push(o);
          continue;
        }
        const deviceLabel = opts.device ?? dev.label;
        const isExport = inst.platform === 'export';
        const owner = ownerFor(inst, dev, opts.owner);
        const notes: ReaderNotes = { tz, tzSource: opts.tz ? 'command line' : 'default (UTC)' };
        if (opts.locale) notes.localeHint = opts.locale;
        notes.discovery = discoveryNote(dev, inst, art, owner.note);
        if (container) notes.container = containerNote(dev, container);
        if (dev.chain.length) notes.nesting = nestingNote(dev, art.path);
        // Exports keep the reader's own owner note; for databases the reader writes `notes.owner` too.
        if (owner.note && isExport && opts.owner) notes.owner = owner.note;
        if (stage) notes.stagedCopy = readPath;
        // The vendor's description files (.ufd, .ufdx) are part of what was received for this container.
        for (const c of dev.fs.described?.companions ?? [])
          inner.push({
            ...c,
            readAs: 'read in place (extraction description)',
            ...(isAbsolute(c.path) ? { location: c.path } : {}),
          });
        notes.innerArtifacts = inner;
        const readerOpts: ReaderOptions = {
          ...baseReaderOptions(opts, deviceLabel, tz),
          owner: isExport ? opts.owner : owner.owner,
          ownerSource: isExport ? undefined : owner.source,
          ...(mediaFolder ? { mediaFolder } : {}),
        };
        const item = newEvidenceItem(
          { path, sha256: itemSha, size: itemSize, kind: reader.kind, deviceLabel, notes },
          opts,
        );
        try {
          const records =
            art.kind === 'android-msgstore-crypt'
              ? readEncryptedArtifact(
                  encryptedInput(dev, art, readPath, stage, opts),
                  { ...readerOpts, mediaFolder: mediaFolder ?? { evidenceRoot: readPath, bases: [] } },
                  notes,
                )
              : reader.read(readPath, readerOpts, notes);
          const { evidence, stats } = await store.ingestEvidence(
            item,
            records,
            opts.onProgress,
            async (s, evidence, stats) => {
              if (inFolder) {
                if ((await sha256File(readPath)).sha256 !== itemSha)
                  throw new UserError('the file changed while it was being ingested; nothing was recorded', {
                    file: readPath,
                  });
              } else {
                const st = await stat(dev.container);
                if (st.size !== container!.size || st.mtimeMs !== container!.mtimeMs)
                  throw new UserError(
                    'the container changed while it was being ingested; nothing was recorded',
                    { file: dev.container },
                  );
              }
              await opts.onOutcome?.(s, {
                ...base,
                path,
                status: 'ingested',
                evidence,
                stats,
              } as DiscoveredOutcome);
            },
          );
          outcomes.push({ ...base, path, status: 'ingested', evidence, stats });
        } catch (err) {
          if (stage) await rm(stage, { recursive: true, force: true });
          if (!(err instanceof CannotOpenEncrypted)) throw err;
          seen.delete(itemSha);
          const o: DiscoveredOutcome = { ...base, path, status: 'skipped', reason: err.message };
          await opts.onOutcome?.(store, o);
          outcomes.push(o);
        }
      }
    }
  }
  return outcomes;
}

/** What the encrypted-backup reader needs: the backup as a file, its wa.db, the key given or found. */
function encryptedInput(
  dev: DiscoveredDevice,
  art: DiscoveredArtifact,
  readPath: string,
  stage: string | null,
  opts: DiscoveredIngestOptions,
): EncryptedArtifactInput {
  const wa = art.companions.find((c) => c.role === 'wa.db' || c.role === 'wa.db (encrypted)');
  const encrypted = wa?.role === 'wa.db (encrypted)';
  const waPath = wa
    ? stage
      ? join(stage, 'databases', encrypted ? 'wa.db.crypt15' : 'wa.db')
      : join(dev.source, wa.path)
    : null;
  const sep = dev.fs.kind === 'folder' ? '/' : '!/';
  return {
    cryptPath: readPath,
    display: `${dev.source}${sep}${art.path}`,
    waDb: wa && waPath ? { path: waPath, encrypted, inner: innerName(dev, wa.path) } : null,
    foundKey: art.key
      ? {
          fs: dev.fs,
          path: art.key.path,
          display: `${dev.source}${sep}${art.key.path}`,
        }
      : null,
    given: {
      ...(opts.keyFile ? { keyFile: resolve(opts.keyFile) } : {}),
      ...(opts.key ? { keyHex: opts.key } : {}),
      ...(opts.keySource ? { keyHexSource: opts.keySource } : {}),
    },
    workBase: join(opts.workDir, 'working'),
  };
}

/** The artifact's inner path as the chain names it: `phones/A.zip!/databases/msgstore.db` when nested. */
export function innerName(dev: DiscoveredDevice, path: string): string {
  return [...dev.chain.map((l) => l.innerPath), path].join('!/');
}

export function containerNote(
  dev: DiscoveredDevice,
  c: { sha256: string; size: number },
): Record<string, unknown> {
  return { path: dev.container, kind: dev.containerKind, sha256: c.sha256, size: c.size };
}

/**
 * The chain of custody of an artifact in a nested container: the container received (its SHA-256, which
 * `filet verify` re-hashes), every container inside it down to the one holding the artifact (inner path,
 * kind, SHA-256, size, how it was read), then the artifact's inner path (its SHA-256 is in innerArtifacts).
 */
export function nestingNote(dev: DiscoveredDevice, artifact: string): Record<string, unknown> {
  return {
    containers: dev.chain.map((l) => ({
      in: l.outer,
      innerPath: l.innerPath,
      kind: l.kind,
      sha256: l.sha256,
      size: l.size,
      readAs: l.readAs,
    })),
    artifact,
    provenance: `${dev.source}!/${artifact}`,
  };
}

export function discoveryNote(
  dev: DiscoveredDevice,
  inst: DiscoveredInstance,
  art: DiscoveredArtifact,
  owner: Record<string, unknown> | null,
): Record<string, unknown> {
  return {
    source: dev.source,
    sourceKind: dev.fs.kind,
    device: dev.label,
    instance: {
      id: inst.id,
      platform: inst.platform,
      app: inst.app,
      user: inst.user,
      appRoot: inst.appRoot,
    },
    artifact: art.path,
    matchedBy: art.matchedBy,
    ...(art.duplicateViews.length ? { duplicateViews: art.duplicateViews } : {}),
    ...(inst.notes.length ? { remarks: inst.notes } : {}),
    ...(inst.alsoFound.length ? { alsoFound: inst.alsoFound } : {}),
    ...(owner ? { owner } : {}),
    ...(dev.fs.described ? { extraction: dev.fs.described.metadata } : {}),
  };
}

/** Copies an artifact and what is read with it out of a container, in one pass, hashing each file. */
async function stageArtifact(
  dev: DiscoveredDevice,
  art: DiscoveredArtifact,
  stage: string,
): Promise<{ primary: string; inner: InnerArtifact[]; mediaFolder?: ReaderOptions['mediaFolder'] }> {
  const wanted = new Map<string, string>();
  const roles = new Map<string, string>();
  const name = art.path.split('/').pop()!;
  let primary: string;
  let mediaDest: string | null = null;
  let mediaFolder: ReaderOptions['mediaFolder'];
  if (art.kind === 'android-msgstore-crypt') {
    primary = join(stage, name);
    mediaDest = stage;
    mediaFolder = { evidenceRoot: stage, bases: [stage] };
  } else if (art.kind === 'android-msgstore') {
    primary = join(stage, 'databases', 'msgstore.db');
    mediaDest = stage;
    mediaFolder = { evidenceRoot: stage, bases: [stage] };
  } else if (art.kind === 'ios-chatstorage') {
    primary = join(stage, 'ChatStorage.sqlite');
    mediaDest = join(stage, 'Message');
    mediaFolder = { evidenceRoot: stage, bases: [join(stage, 'Message')] };
  } else primary = join(stage, name); // the export's own name: the chat's subject is read from it
  wanted.set(art.path, primary);
  roles.set(art.path, art.kind);
  for (const c of art.companions) {
    const dest =
      c.role === 'write-ahead log'
        ? `${primary}-wal`
        : c.role === 'wa.db'
          ? join(stage, 'databases', 'wa.db')
          : c.role === 'wa.db (encrypted)'
            ? join(stage, 'databases', 'wa.db.crypt15')
            : join(stage, 'databases', 'wa.db-wal');
    wanted.set(c.path, dest);
    roles.set(c.path, c.role);
  }
  const mediaBase = art.mediaBases[0];
  if (mediaDest && mediaBase !== undefined) {
    const prefix = `${mediaBase ? `${mediaBase}/` : ''}Media/`;
    const entries: VfsEntry[] = [];
    for await (const e of dev.fs.entries())
      if (e.path.startsWith(prefix) && !/#dup\d+$/.test(e.path)) entries.push(e);
    for (const e of entries) {
      wanted.set(e.path, join(mediaDest, 'Media', ...e.path.slice(prefix.length).split('/')));
      roles.set(e.path, 'media');
    }
  }
  const copied = await dev.fs.copyMany(wanted);
  const inner: InnerArtifact[] = [];
  for (const [p, r] of copied) {
    // A view that renames (a Cellebrite report's device paths) keeps the member the bytes came from.
    const member = (await dev.fs.stat(p))?.rawName;
    inner.push({
      path: p,
      role: roles.get(p)!,
      ...r,
      ...(member ? { member } : {}),
      readAs: `staged copy in the case folder (${wanted.get(p)})`,
      location: wanted.get(p)!,
    });
  }
  inner.sort((a, b) => (a.path === art.path ? -1 : b.path === art.path ? 1 : 0));
  return { primary, inner, mediaFolder };
}
