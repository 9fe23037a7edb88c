import { createHash } from 'node:crypto';
import type {
  CategorySchemeView,
  Review,
  TriageItem,
  TriageQueue,
  TriageSeries,
  TriageSeriesDetail,
  TriageSeriesReviewResult,
} from '../api/contract.js';
import { CATEGORY_SCHEME_NAMES, type CategorySchemeName } from '../model/vocabulary.js';
import { mediaStatus, rootOf, type CaseView } from '../server/services/case-view.js';
import type { CaseStore, MediaRow } from '../store/case-store.js';
import { HashListStore } from '../store/hash-list-store.js';
import { ReviewStore, type ReviewRow } from '../store/review-store.js';
import {
  CATEGORY_SCHEMES,
  categoryCode,
  isSchemeName,
  parseCategory,
  schemeOf,
  statusOfCategory,
  type SchemeInForce,
} from '../triage/categories.js';
import { buildSeries, SERIES_PDQ_THRESHOLD, type Series } from '../triage/series.js';
import { urgencyOf, type SeriesPost, type Urgency } from '../triage/urgency.js';
import { UserError } from '../util/errors.js';

/**
 * The analyst's triage of novel media (docs/triage.md), shared by `filet triage` and the routes of
 * src/server/routes/triage.ts: series, their urgency and reasons, and the review of a series as a whole.
 *
 * Series are computed on demand from the case view (src/server/services/case-view.ts), never stored: they
 * are a pure function of the media hashes and the match state, cheap to compute (one PDQ index, O(N · Q)),
 * and a stored copy would have to follow every ingest, hash, match and list import. The view is rebuilt
 * whenever the case generation moves (each of those bumps it, and so does a review), and the triage model
 * is cached per view; the series themselves are cached per store with the hashes they came from, so a
 * review (which moves the generation but changes no hash and no match) does not compute them again. What IS stored is each review, with the
 * series id it was set through — the record of what the analyst saw as one series.
 */
export interface SeriesEntry extends Series {
  urgency: Urgency;
  first: SeriesPost | null;
  posts: number;
}

export interface TriageModel {
  /** In queue order: urgency, then the more recent first post, then the smaller id. */
  series: SeriesEntry[];
  byId: Map<number, SeriesEntry>;
  /** The case's latest media post (the "now" of recency). */
  reference: number | null;
}

/** Why a triage action was refused: the server answers 404 / 409 / 400, the CLI prints the message. */
export class TriageRefused extends UserError {
  constructor(
    message: string,
    readonly kind: 'not-found' | 'conflict' | 'invalid',
  ) {
    super(message);
  }
}

const models = new WeakMap<CaseView, Promise<TriageModel>>();

/**
 * Series per store, with what they were computed from: the novel media and their PDQ hashes and quality.
 * A review (or anything else that moves the case generation but no hash and no match) finds them here
 * instead of querying the PDQ index again for every novel image (20–27 s at 100,000 of them).
 */
const seriesByStore = new WeakMap<CaseStore, { key: string; series: Promise<Series[]> }>();

/** How many times series were computed (not found in seriesByStore): for tests of the cache. */
export const seriesComputations = { count: 0 };

function seriesKey(novel: MediaRow[]): string {
  const h = createHash('sha256');
  for (const m of novel) h.update(`${m.id}:${m.pdq ?? ''}:${m.pdqQuality ?? ''};`);
  return h.digest('hex');
}

function seriesOf(store: CaseStore, novel: MediaRow[]): Promise<Series[]> {
  const key = seriesKey(novel);
  const cached = seriesByStore.get(store);
  if (cached?.key === key) return cached.series;
  seriesComputations.count++;
  const series = (async () => buildSeries(novel, await new HashListStore(store).mediaDihedral()))();
  seriesByStore.set(store, { key, series });
  series.catch(() => seriesByStore.delete(store));
  return series;
}

/** The triage model of a view; computed once per view (and so once per case generation). */
export function triageModel(store: CaseStore, v: CaseView): Promise<TriageModel> {
  let m = models.get(v);
  if (!m) {
    m = computeModel(store, v);
    models.set(v, m);
    m.catch(() => models.delete(v));
  }
  return m;
}

async function computeModel(store: CaseStore, v: CaseView): Promise<TriageModel> {
  const novel = v.media.filter((m) => mediaStatus(v, m.id) === 'novel');
  const series = await seriesOf(store, novel);
  let reference: number | null = null;
  for (const posts of v.postsByMedia.values())
    for (const p of posts) if (reference === null || p.at > reference) reference = p.at;
  const entries: SeriesEntry[] = series.map((s) => {
    const posts: SeriesPost[] = s.mediaIds.flatMap((mediaId) =>
      (v.postsByMedia.get(mediaId) ?? []).map((p) => ({
        messageId: p.messageId,
        mediaId,
        chatId: p.chatId,
        senderId: p.senderId === null ? null : rootOf(v, p.senderId),
        at: p.at,
        forwarded: p.forwarded,
      })),
    );
    const first = posts.reduce<SeriesPost | null>(
      (a, p) => (!a || p.at < a.at || (p.at === a.at && p.messageId < a.messageId) ? p : a),
      null,
    );
    const roles = first?.senderId != null ? (v.analysis.get(first.senderId)?.roles ?? []) : [];
    return {
      ...s,
      first,
      posts: posts.length,
      urgency: urgencyOf({ size: s.mediaIds.length, first, firstPosterRoles: roles, reference }),
    };
  });
  entries.sort(
    (a, b) =>
      b.urgency.score - a.urgency.score ||
      (b.first?.at ?? -Infinity) - (a.first?.at ?? -Infinity) ||
      a.id - b.id,
  );
  return { series: entries, byId: new Map(entries.map((e) => [e.id, e])), reference };
}

const iso = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

export function reviewOut(r: ReviewRow | undefined): Review | null {
  if (!r) return null;
  const scheme = isSchemeName(r.scheme) ? r.scheme : null;
  return {
    status: r.status,
    by: r.by,
    at: new Date(r.at).toISOString(),
    note: r.note,
    category: r.category ?? null,
    code: scheme ? categoryCode(scheme, r.category ?? null) : null,
    scheme,
    series: r.seriesId ?? null,
  };
}

function seriesOut(s: SeriesEntry, reviews: Map<number, ReviewRow>): TriageSeries {
  const categories: Record<string, number> = {};
  let reviewed = 0;
  for (const id of s.mediaIds) {
    const r = reviews.get(id);
    if (!r) continue;
    reviewed++;
    if (r.category) categories[r.category] = (categories[r.category] ?? 0) + 1;
  }
  return {
    id: s.id,
    urgency: s.urgency.score,
    reasons: s.urgency.reasons,
    size: s.mediaIds.length,
    firstAt: iso(s.first?.at),
    firstPostedBy: s.first?.senderId ?? null,
    forwarded: s.first ? s.first.forwarded : null,
    reviewed: reviewed === 0 ? 'none' : reviewed === s.mediaIds.length ? 'all' : 'partial',
    categories,
    itemIds: s.mediaIds,
  };
}

export interface TriageQuery {
  offset?: number;
  limit?: number;
  /** Only series with an item not reviewed yet. */
  pending?: boolean;
}

export async function triageQueue(store: CaseStore, v: CaseView, q: TriageQuery = {}): Promise<TriageQueue> {
  const model = await triageModel(store, v);
  const reviews = await new ReviewStore(store).reviews();
  const all = model.series.map((s) => seriesOut(s, reviews));
  const shown = q.pending ? all.filter((s) => s.reviewed !== 'all') : all;
  const offset = q.offset ?? 0;
  const limit = q.limit ?? 50;
  const novel = model.series.reduce((n, s) => n + s.mediaIds.length, 0);
  const reviewed = model.series.reduce((n, s) => n + s.mediaIds.filter((id) => reviews.has(id)).length, 0);
  return {
    total: shown.length,
    offset,
    limit,
    items: shown.slice(offset, offset + limit),
    threshold: SERIES_PDQ_THRESHOLD,
    scheme: (await schemeOf(store)).scheme,
    novel,
    reviewed,
  };
}

export async function seriesDetail(store: CaseStore, v: CaseView, id: number): Promise<TriageSeriesDetail> {
  const s = (await triageModel(store, v)).byId.get(id);
  if (!s)
    throw new TriageRefused(
      `no series ${id} (a series is named by its smallest novel media id)`,
      'not-found',
    );
  const reviews = await new ReviewStore(store).reviews();
  const items: TriageItem[] = s.mediaIds.map((mid) => {
    const m = v.mediaById.get(mid)!;
    const posts = v.postsByMedia.get(mid) ?? [];
    return {
      id: mid,
      sha256: m.sha256,
      pdq: m.pdq,
      mime: m.mime,
      posts: posts.length,
      firstAt: iso(posts.length ? Math.min(...posts.map((p) => p.at)) : null),
      review: reviewOut(reviews.get(mid)),
    };
  });
  return { ...seriesOut(s, reviews), items, links: s.links };
}

export interface SeriesReviewInput {
  category: string;
  note?: string | null;
  /** The items the analyst saw as the series: refused (conflict) when the series is no longer that. */
  items?: number[];
}

/**
 * Categorises every item of a series in one transaction (`s`: the one its audit entry commits with). The
 * series is the one of the view `v` the request was answered from; the review records its id.
 */
export async function reviewSeries(
  s: CaseStore,
  v: CaseView,
  id: number,
  input: SeriesReviewInput,
  who: { by: string; at: number },
): Promise<TriageSeriesReviewResult> {
  const series = (await triageModel(s, v)).byId.get(id);
  if (!series)
    throw new TriageRefused(
      `no series ${id} (a series is named by its smallest novel media id)`,
      'not-found',
    );
  if (input.items) {
    const want = [...new Set(input.items)].sort((a, b) => a - b);
    if (want.join(',') !== series.mediaIds.join(','))
      throw new TriageRefused(
        `series ${id} is now media ${series.mediaIds.join(', ')}, not ${want.join(', ')}: the case changed; reload the series`,
        'conflict',
      );
  }
  const { scheme } = await schemeOf(s);
  const c = parseCategory(scheme, input.category);
  const status = statusOfCategory(c.category);
  await new ReviewStore(s).setReviews(
    series.mediaIds.map((mediaId) => ({
      mediaId,
      status,
      note: input.note ?? null,
      by: who.by,
      at: who.at,
      category: c.category,
      scheme,
      seriesId: id,
    })),
  );
  return { series: id, category: c.category, code: c.code, scheme, status, items: series.mediaIds };
}

export const seriesReviewSummary = (r: TriageSeriesReviewResult) => ({
  items: r.items,
  category: r.category,
  code: r.code,
  scheme: r.scheme,
  status: r.status,
});

export function schemeView(s: SchemeInForce): CategorySchemeView {
  return {
    scheme: s.scheme,
    source: s.source,
    by: s.by,
    at: iso(s.at),
    schemes: [...CATEGORY_SCHEME_NAMES],
    categories: CATEGORY_SCHEMES[s.scheme].map((c) => ({ ...c })),
  };
}

export type { CategorySchemeName };
