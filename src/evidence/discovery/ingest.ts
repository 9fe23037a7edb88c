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
import { join } from 'node:path';
import type { EvidenceItem, ReaderNotes, ReaderOptions } from '../../model/types.js';
import { sha256File } from '../../hashing/digests.js';
import type { CaseStore } from '../../store/case-store.js';
import { UserError } from '../../util/errors.js';
import { TOOL_VERSION } from '../../version.js';
import { validateTimeZone, type IngestOptions, type IngestOutcome } from '../ingest.js';
import { chatExportTxtReader, chatExportZipReader } from '../chat-export/index.js';
import { READERS } from '../registry.js';
import type { InnerArtifact } from '../wa-db/sqlite.js';
import type { VfsEntry } from '../vfs/index.js';
import { containerDigestNow } from './custody.js';
import type { DiscoveredArtifact, DiscoveredDevice, DiscoveredInstance, Discovery } from './index.js';

export interface DiscoveredIngestOptions extends IngestOptions {
  /** The case folder: staged copies go under `<workDir>/derived/artifacts/`. */
  workDir: string;
  /** Called before each artifact is read (for a progress bar per device/artifact). */
  onArtifact?: (device: DiscoveredDevice, artifact: DiscoveredArtifact, index: number, total: number) => void;
}

export type DiscoveredOutcome = IngestOutcome & { device: string; instance: string; inner: string | null };

const safe = (s: string) => s.replace(/[^\w.-]+/g, '_').slice(0, 80);

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
      source: `device file ${found.file} (key ${found.key})`,
      note: {
        number: found.number,
        source: `device file (key ${found.key})`,
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
    if (!inFolder && !containerSha.has(dev.source))
      containerSha.set(
        dev.source,
        await (discovery.containerHashes?.get(dev.source) ?? containerDigestNow(dev.source)),
      );
    const container = containerSha.get(dev.source);
    for (const inst of dev.instances) {
      let n = 0;
      for (const art of inst.artifacts) {
        n++;
        opts.onArtifact?.(dev, art, index++, total);
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
          const staged = await stageArtifact(dev, art, stage);
          readPath = staged.primary;
          inner.push(...staged.inner);
          itemSha = staged.inner[0]!.sha256;
          itemSize = staged.inner[0]!.size;
          mediaFolder = staged.mediaFolder;
        }
        const base = { device: dev.label, instance: inst.id, inner: inFolder ? null : art.path };
        const path = inFolder ? readPath : dev.source;
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
        notes.discovery = {
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
          ...(owner.note ? { owner: owner.note } : {}),
        };
        // Exports keep the reader's own owner note; for databases the reader writes `notes.owner` too.
        if (owner.note && isExport && opts.owner) notes.owner = owner.note;
        if (container)
          notes.container = { path: dev.source, kind: dev.fs.kind, ...container, mtimeMs: undefined };
        if (stage) notes.stagedCopy = readPath;
        notes.innerArtifacts = inner;
        const readerOpts: ReaderOptions = {
          deviceLabel,
          tz,
          locale: opts.locale,
          owner: isExport ? opts.owner : owner.owner,
          ownerSource: isExport ? undefined : owner.source,
          ownerName: opts.ownerName,
          limits: opts.limits,
          ...(mediaFolder ? { mediaFolder } : {}),
        };
        const item: Omit<EvidenceItem, 'id'> = {
          path,
          sha256: itemSha,
          size: itemSize,
          kind: reader.kind,
          deviceLabel,
          examiner: opts.examiner ?? null,
          acquiredAt: opts.acquiredAt ?? null,
          ingestedAt: Date.now(),
          toolVersion: TOOL_VERSION,
          notes,
        };
        try {
          const { evidence, stats } = await store.ingestEvidence(
            item,
            reader.read(readPath, readerOpts, notes),
            opts.onProgress,
            async (s, evidence, stats) => {
              if (inFolder) {
                if ((await sha256File(readPath)).sha256 !== itemSha)
                  throw new UserError('the file changed while it was being ingested; nothing was recorded', {
                    file: readPath,
                  });
              } else {
                const st = await stat(dev.source);
                if (st.size !== container!.size || st.mtimeMs !== container!.mtimeMs)
                  throw new UserError(
                    'the container changed while it was being ingested; nothing was recorded',
                    {
                      file: dev.source,
                    },
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
          throw err;
        }
      }
    }
  }
  return outcomes;
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
  if (art.kind === 'android-msgstore') {
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
  for (const [p, r] of copied)
    inner.push({
      path: p,
      role: roles.get(p)!,
      ...r,
      readAs: `staged copy in the case folder (${wanted.get(p)})`,
    });
  inner.sort((a, b) => (a.path === art.path ? -1 : b.path === art.path ? 1 : 0));
  return { primary, inner, mediaFolder };
}
