import sharp from 'sharp';
import { MediaReadRefused, readEvidenceMedia } from '../../evidence/media-reader.js';
import { digestBuffer } from '../../hashing/digests.js';
import { pdqFromImage } from '../../hashing/decode.js';
import { pdqSignal } from '../../hashing/signal-types.js';
import { pdqHexToWords } from '../../matching/pdq-bits.js';
import { pdqIndexFor, type PdqSet } from '../../matching/match.js';
import { mediaStatus } from '../../model/media-status.js';
import type { CaseStore, MediaRow } from '../../store/case-store.js';
import { HashListStore, type StoredEntry } from '../../store/hash-list-store.js';
import { HttpError } from './paging.js';

/**
 * The gate every media byte passes before it leaves the server (thumbnails and reveals alike). Nothing
 * here trusts a cache or a view: the media row, its matches and the lists are read from the store now;
 * the bytes are read through the evidence resolver (no links, no duplicates, nothing outside the
 * evidence), re-hashed and compared with the SHA-256 recorded at ingest, then compared again — exact
 * hashes and PDQ with its dihedral variants — with every list currently in the case. Any doubt refuses.
 * Only images of a fixed set of types are served, typed from their bytes, never from the evidence.
 */
export const SERVED_IMAGE_TYPES: Readonly<Record<string, string>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
};

export interface GatedMedia {
  media: MediaRow;
  bytes: Buffer;
  /** From SERVED_IMAGE_TYPES. */
  type: string;
}

/** The PDQ index of the lists, keyed by their fingerprint (a function of their content, not a view). */
const pdqIndexes = new Map<string, Promise<PdqSet | null>>();

async function listPdqIndex(store: CaseStore, caseDir: string, fingerprint: string): Promise<PdqSet | null> {
  const key = `${store.caseId}:${fingerprint}`;
  let p = pdqIndexes.get(key);
  if (!p) {
    const lists = new HashListStore(store);
    p = (async () => {
      const entries: StoredEntry[] = [];
      for await (const page of lists.entries()) for (const e of page) if (e.pdq) entries.push(e);
      return pdqIndexFor(caseDir, lists, entries);
    })();
    if (pdqIndexes.size > 8) pdqIndexes.clear();
    pdqIndexes.set(key, p);
    p.catch(() => pdqIndexes.delete(key));
  }
  return p;
}

export async function gatedMediaBytes(
  store: CaseStore,
  caseDir: string,
  mediaId: number,
): Promise<GatedMedia> {
  const m = await store.mediaById(mediaId);
  if (!m) throw new HttpError(404, `no media ${mediaId}`);
  const lists = new HashListStore(store);
  const fingerprint = await lists.fingerprint();
  const matched = await store.db.get<{ n: number }>(
    'SELECT COUNT(*) AS n FROM matches WHERE case_id = ? AND media_id = ?',
    [store.caseId, mediaId],
  );
  const status = mediaStatus(Number(matched?.n ?? 0) > 0, m.checkedLists, fingerprint);
  if (status === 'known') throw new HttpError(403, 'known material is never displayed');
  if (status !== 'novel' || fingerprint === null)
    throw new HttpError(403, 'media not yet matched against every hash list of the case is not displayed');
  if (!m.present || m.fileEvidenceId === null || !m.fileRef)
    throw new HttpError(404, 'the media file is not in the evidence');
  const evidence = await store.evidenceById(m.fileEvidenceId);
  if (!evidence) throw new HttpError(404, `evidence #${m.fileEvidenceId} of the media is not in the case`);

  let bytes: Buffer;
  try {
    bytes = await readEvidenceMedia(evidence, m.fileRef);
  } catch (err) {
    if (err instanceof MediaReadRefused)
      throw new HttpError(err.reason === 'not-found' ? 404 : 403, `refused: ${err.message}`);
    throw err;
  }
  const d = digestBuffer(bytes);
  if (d.sha256 !== m.sha256)
    throw new HttpError(
      409,
      `refused: the file read now has SHA-256 ${d.sha256}, not the ${m.sha256} recorded at ingest`,
    );

  let format: string | undefined;
  try {
    format = (await sharp(bytes, { failOn: 'none' }).metadata()).format;
  } catch {
    format = undefined;
  }
  const type = format ? SERVED_IMAGE_TYPES[format] : undefined;
  if (!type)
    throw new HttpError(
      415,
      `refused: only images (${Object.keys(SERVED_IMAGE_TYPES).join(', ')}) are displayed`,
    );

  const exact = await store.db.get<{ n: number }>(
    'SELECT COUNT(*) AS n FROM hash_entries WHERE case_id = ? AND (sha256 = ? OR md5 = ? OR sha1 = ?)',
    [store.caseId, d.sha256, d.md5, d.sha1],
  );
  if (Number(exact?.n ?? 0) > 0) throw new HttpError(403, 'known material is never displayed');

  const index = await listPdqIndex(store, caseDir, fingerprint);
  if (index) {
    let pdq;
    try {
      pdq = await pdqFromImage(bytes, { mode: 'exact', dihedral: true });
    } catch (err) {
      throw new HttpError(
        403,
        `refused: the image cannot be compared with the lists (${(err as Error).message})`,
      );
    }
    const summary = JSON.parse((await store.getMeta('match_summary')) ?? '{}') as { threshold?: number };
    const threshold = summary.threshold ?? pdqSignal.matchThreshold;
    const q = new Uint32Array(8);
    for (const hex of [pdq.hash, ...Object.values(pdq.dihedral ?? {})]) {
      pdqHexToWords(hex, q, 0);
      if (index.index.query(q, 0, threshold).ids.length > 0)
        throw new HttpError(403, 'known material is never displayed');
    }
  }
  return { media: m, bytes, type };
}
