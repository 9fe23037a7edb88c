import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256File } from '../hashing/digests.js';
import type { EvidenceItem } from '../model/types.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Custody metadata of an evidence item, built field by field (an allow-list: a field added to evidence items
 * stays out until added here). No path (a chat export's file name is the chat's subject, a folder may name a
 * person) and no reader notes (owner numbers, chat names): what an auditor may see.
 */
export function custodyMetadata(e: EvidenceItem) {
  return {
    id: e.id,
    sha256: e.sha256,
    size: e.size,
    kind: e.kind,
    device: e.deviceLabel,
    examiner: e.examiner,
    acquiredAt: iso(e.acquiredAt),
    ingestedAt: iso(e.ingestedAt),
    toolVersion: e.toolVersion,
  };
}

/** An evidence item as exports and the API show it to those who may read case content. */
export function evidenceView(e: EvidenceItem) {
  return { ...custodyMetadata(e), path: e.path, notes: e.notes };
}

export interface InnerCheck {
  path: string;
  location: string;
  expected: string;
  actual: string | null;
  status: 'ok' | 'changed' | 'missing';
}

export interface EvidenceCheck {
  id: number;
  path: string;
  expected: string;
  actual: string | null;
  status: 'ok' | 'changed' | 'missing';
  error: string | null;
  /** Every inner artifact read with the item (database, WAL, wa.db, media…) whose location is recorded. */
  inner: { checked: number; failed: InnerCheck[] };
}

interface RecordedInner {
  path?: unknown;
  sha256?: unknown;
  location?: unknown;
}

/**
 * Re-hashes the item's inner artifacts where they can be read again: files beside the database in the
 * evidence folder, and the copies staged from a container into the case folder (which the readers and the
 * media viewer use, so a change there matters even while the container itself is intact).
 */
async function checkInner(e: EvidenceItem): Promise<EvidenceCheck['inner']> {
  const recorded = Array.isArray(e.notes.innerArtifacts) ? (e.notes.innerArtifacts as RecordedInner[]) : [];
  const failed: InnerCheck[] = [];
  let checked = 0;
  const seen = new Set<string>();
  for (const a of recorded) {
    if (typeof a.location !== 'string' || typeof a.sha256 !== 'string' || typeof a.path !== 'string')
      continue;
    // A temporary private copy's source is the evidence file itself or a staged copy, both listed once.
    if (seen.has(a.location)) continue;
    seen.add(a.location);
    checked++;
    const actual = await sha256File(a.location).then(
      (h) => h.sha256,
      () => null,
    );
    if (actual !== a.sha256)
      failed.push({
        path: a.path,
        location: a.location,
        expected: a.sha256,
        actual,
        status: actual === null ? 'missing' : 'changed',
      });
  }
  return { checked, failed };
}

/**
 * Re-hashes an evidence file and compares it with the SHA-256 recorded at ingest. For an artifact found
 * in a container (.zip/.tar of a device), the container is what was received: it is re-hashed and
 * compared with the container's SHA-256 recorded in the notes. Then every inner artifact with a recorded
 * location (checkInner).
 */
export async function checkEvidence(e: EvidenceItem): Promise<EvidenceCheck> {
  let actual: string | null = null;
  let error: string | null = null;
  const container = e.notes.container as { path?: unknown; sha256?: unknown } | undefined;
  const expected =
    container && typeof container.sha256 === 'string' && container.path === e.path
      ? container.sha256
      : e.sha256;
  try {
    // An iTunes / Finder backup folder is identified by its Manifest.db as stored (docs/evidence.md); one
    // found inside a container is checked through the container, like any artifact in a container.
    const backupFolder = e.kind === 'ios-backup' && (await stat(e.path)).isDirectory();
    actual = (await sha256File(backupFolder ? join(e.path, 'Manifest.db') : e.path)).sha256;
  } catch (err) {
    error = `cannot read ${e.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  const inner = await checkInner(e);
  let status: EvidenceCheck['status'] = actual === null ? 'missing' : actual === expected ? 'ok' : 'changed';
  if (status === 'changed') error = 'the SHA-256 differs from the one recorded at ingest';
  if (status === 'ok' && inner.failed.length) {
    status = 'changed';
    error = `${inner.failed.length} inner artifact(s) differ from ingest: ${inner.failed
      .map((f) => `${f.path} (${f.status}, ${f.location})`)
      .join('; ')}`;
  }
  return { id: e.id, path: e.path, expected, actual, status, error, inner };
}
