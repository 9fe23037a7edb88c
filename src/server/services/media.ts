import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { ReviewStatus } from '../../model/vocabulary.js';
import type { MediaItem, Page, Review } from '../../api/contract.js';
import { reviewOut } from '../../app/triage.js';
import { parseCategory, schemeOf, statusOfCategory } from '../../triage/categories.js';
import type { CaseStore } from '../../store/case-store.js';
import { gatedMediaBytes } from './media-gate.js';
import { ReviewStore, type ReviewRow } from '../../store/review-store.js';
import { UserError } from '../../util/errors.js';
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
  /** One media item (a cross-case link points at it). */
  id?: number;
}

export async function listMedia(store: CaseStore, v: CaseView, q: MediaQuery): Promise<Page<MediaItem>> {
  const reviews = await new ReviewStore(store).reviews();
  const items: MediaItem[] = [];
  for (const m of v.media) {
    if (q.id !== undefined && m.id !== q.id) continue;
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

/**
 * A blurred grayscale WebP ≤ 256 px of a novel image. The source bytes pass the media gate on every
 * request (media-gate.ts); the WebP made from them is cached under `<case>/derived/thumbs/<sha256>.webp`.
 */
export async function thumbnail(store: CaseStore, caseDir: string, id: number): Promise<Buffer> {
  const { media, bytes } = await gatedMediaBytes(store, caseDir, id);
  const dir = join(caseDir, 'derived', 'thumbs');
  const file = join(dir, `${media.sha256}.webp`);
  if (existsSync(file)) return readFile(file);
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

/**
 * Sets one item's review. With a category (its code or name in the case's scheme: docs/triage.md) the item
 * is categorised: only novel media (known material carries its list's category), and the status must be
 * the category's (`not-relevant` for non-pertinent, else `confirmed`).
 */
export async function setReview(
  store: CaseStore,
  v: CaseView,
  id: number,
  user: string,
  status: ReviewStatus,
  note: string | null,
  category: string | null = null,
): Promise<Review | null> {
  if (!v.mediaById.has(id)) throw new HttpError(404, `no media ${id}`);
  const r: ReviewRow = { mediaId: id, status, note, by: user, at: Date.now() };
  if (category !== null) {
    if (mediaStatus(v, id) !== 'novel')
      throw new HttpError(400, `media ${id} is not novel: only novel media are categorised`);
    const { scheme } = await schemeOf(store);
    let c;
    try {
      c = parseCategory(scheme, category);
    } catch (err) {
      throw err instanceof UserError ? new HttpError(400, err.message) : err;
    }
    if (statusOfCategory(c.category) !== status)
      throw new HttpError(
        400,
        `category ${c.category} goes with status ${statusOfCategory(c.category)}, not ${status}`,
      );
    Object.assign(r, { category: c.category, scheme, seriesId: null });
  }
  await new ReviewStore(store).setReview(r);
  return status === 'none' ? null : reviewOut(r);
}
