import { createHash } from 'node:crypto';

/**
 * What filet may say about a media item, and so what it may show (the wellness rules):
 * - `known`: it matched at least one list of the case. Never displayed, by any route.
 * - `novel`: it was compared with EVERY list currently in the case (the lists' fingerprint recorded when
 *   it was compared equals the current one) and matched none. Shown blurred; revealed on purpose, audited.
 * - `unmatched`: anything else — ingested after the last comparison, lists imported or replaced since, no
 *   list in the case at all, or an image whose PDQ could not be computed while the lists hold PDQ hashes.
 *   Never displayed: it may be known material.
 */
export type { MediaStatusName } from './vocabulary.js';
import type { MediaStatusName } from './vocabulary.js';

export interface ListIdentity {
  id: number;
  sourceSha256: string;
  importedAt: number;
  entryCount: number;
}

/** One value that changes whenever a list is added, removed or replaced; null when the case has no list. */
export function listsFingerprint(lists: ListIdentity[]): string | null {
  if (!lists.length) return null;
  const key = [...lists]
    .sort((a, b) => a.id - b.id)
    .map((l) => [l.id, l.sourceSha256, l.importedAt, l.entryCount]);
  return createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 32);
}

export function mediaStatus(
  hasMatch: boolean,
  checkedLists: string | null,
  currentLists: string | null,
): MediaStatusName {
  if (hasMatch) return 'known';
  if (currentLists !== null && checkedLists === currentLists) return 'novel';
  return 'unmatched';
}
