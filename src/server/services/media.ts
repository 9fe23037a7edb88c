import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { extractZipEntries, locateMedia } from '../../evidence/media-files.js';
import type { CaseStore, MediaRow } from '../../store/case-store.js';
import { ReviewStore, type ReviewRow } from '../../store/review-store.js';
import { mediaStatus, type CaseView } from './case-view.js';
import { HttpError, iso, page } from './paging.js';

/**
 * Media for the pages, under the wellness rules: known material is described by hashes, list, category and
 * distance only, never shown; novel media are shown as a small blurred grayscale thumbnail until someone
 * allowed to reveals one. Media not yet matched against any list are treated like known material (they may be).
 */
export interface MediaQuery {
  offset?: number;
  limit?: number;
  status?: 'known' | 'novel' | 'unmatched';
  review?: 'confirmed' | 'not-relevant' | 'none';
  group?: number;
  account?: number;
}

const reviewOut = (r: ReviewRow | undefined) =>
  r ? { status: r.status, by: r.by, at: iso(r.at), note: r.note } : null;

export async function listMedia(store: CaseStore, v: CaseView, q: MediaQuery) {
  const reviews = await new ReviewStore(store).reviews();
  const items = [];
  for (const m of v.media) {
    const status = mediaStatus(v, m.id);
    if (q.status && status !== q.status) continue;
    const review = reviews.get(m.id);
    if (q.review && (review?.status ?? 'none') !== q.review) continue;
    const posts = v.postsByMedia.get(m.id) ?? [];
    if (q.group !== undefined && !posts.some((p) => p.chatId === q.group)) continue;
    if (q.account !== undefined && !posts.some((p) => p.senderId === q.account)) continue;
    const first = posts.reduce<(typeof posts)[number] | null>((a, p) => (!a || p.at < a.at ? p : a), null);
    items.push({
      id: m.id,
      sha256: m.sha256,
      md5: m.md5,
      pdq: m.pdq,
      mime: m.mime,
      size: m.size,
      present: m.present,
      status,
      matches: (v.matchesByMedia.get(m.id) ?? []).map((x) => ({
        list: x.listName,
        category: x.category,
        distance: x.distance,
        hashType: x.hashType,
      })),
      posts: posts.length,
      firstAt: iso(first?.at),
      firstPostedBy: first?.senderId ?? null,
      groups: [...new Set(posts.map((p) => p.chatId))],
      review: reviewOut(review),
    });
  }
  return page(items, q.offset, q.limit);
}

/** The media row, refused unless it is novel (matched against the lists and on none). */
export function novelMedia(v: CaseView, id: number): MediaRow {
  const m = v.mediaById.get(id);
  if (!m) throw new HttpError(404, `no media ${id}`);
  const s = mediaStatus(v, id);
  if (s === 'known') throw new HttpError(403, 'known material is never displayed');
  if (s !== 'novel')
    throw new HttpError(403, 'media not yet matched against the hash lists is not displayed');
  return m;
}

/** The original bytes of a media file, read from its evidence item (a file, or an entry of an export zip). */
export async function mediaBytes(store: CaseStore, caseDir: string, m: MediaRow): Promise<Buffer> {
  if (!m.present || m.fileEvidenceId === null || !m.fileRef)
    throw new HttpError(404, 'the media file is not in the evidence');
  const ev = (await store.listEvidence()).find((e) => e.id === m.fileEvidenceId);
  const src = ev ? locateMedia(ev, m.fileRef) : null;
  if (!src) throw new HttpError(404, 'the media file cannot be found beside its evidence item');
  if (src.kind === 'file') return readFile(src.path);
  const tmp = join(caseDir, 'derived', 'tmp', `reveal-${randomUUID()}`);
  try {
    const out = await extractZipEntries(src.zip, new Set([src.entry]), tmp);
    const p = out.get(src.entry);
    if (!p) throw new HttpError(404, 'the media entry is not in its export zip');
    return await readFile(p);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Blurred grayscale WebP ≤ 256 px, cached under `<case>/derived/thumbs/<sha256>.webp`. */
export async function thumbnail(store: CaseStore, caseDir: string, v: CaseView, id: number): Promise<Buffer> {
  const m = novelMedia(v, id);
  if (!m.mime?.startsWith('image/')) throw new HttpError(404, 'no thumbnail: the media is not an image');
  const dir = join(caseDir, 'derived', 'thumbs');
  const file = join(dir, `${m.sha256}.webp`);
  if (existsSync(file)) return readFile(file);
  const bytes = await mediaBytes(store, caseDir, m);
  let out: Buffer;
  try {
    out = await sharp(bytes, { failOn: 'none' })
      .rotate()
      .resize(256, 256, { fit: 'inside', withoutEnlargement: true })
      .grayscale()
      .blur(12)
      .webp({ quality: 60 })
      .toBuffer();
  } catch (err) {
    throw new HttpError(404, `no thumbnail: the image cannot be decoded (${(err as Error).message})`);
  }
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.${randomUUID()}.part`;
  await writeFile(tmp, out);
  await rename(tmp, file);
  return out;
}

export async function setReview(
  store: CaseStore,
  v: CaseView,
  id: number,
  user: string,
  status: string,
  note: string | null,
) {
  if (!v.mediaById.has(id)) throw new HttpError(404, `no media ${id}`);
  const r = { mediaId: id, status, note, by: user, at: Date.now() };
  await new ReviewStore(store).setReview(r);
  return status === 'none' ? null : reviewOut(r);
}
