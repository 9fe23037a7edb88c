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

export interface EvidenceCheck {
  id: number;
  path: string;
  expected: string;
  actual: string | null;
  status: 'ok' | 'changed' | 'missing';
  error: string | null;
}

/**
 * Re-hashes an evidence file and compares it with the SHA-256 recorded at ingest. For an artifact found
 * in a container (.zip/.tar of a device), the container is what was received: it is re-hashed and
 * compared with the container's SHA-256 recorded in the notes.
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
    const backupFolder = e.kind === 'ios-backup' && expected === e.sha256;
    actual = (await sha256File(backupFolder ? join(e.path, 'Manifest.db') : e.path)).sha256;
  } catch (err) {
    error = `cannot read ${e.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  const status = actual === null ? 'missing' : actual === expected ? 'ok' : 'changed';
  if (status === 'changed') error = 'the SHA-256 differs from the one recorded at ingest';
  return { id: e.id, path: e.path, expected, actual, status, error };
}
