import { pdqSignal } from '../hashing/signal-types.js';
import { pdqLinks } from '../network/families.js';
import type { MediaRow } from '../store/case-store.js';

/**
 * Series: novel media grouped by PDQ proximity (docs/triage.md). The rule: two novel images are in one
 * series when their PDQ hashes — the plain hash or any of its dihedral variants, so a mirrored or rotated
 * copy counts — are within SERIES_PDQ_THRESHOLD bits, among hashes of PDQ quality ≥ pdqSignal.minQuality;
 * a series is a connected component of that relation (union–find), so a chain of copies of copies stays
 * one series. Media without a usable PDQ (videos, flat or low-quality pictures, files not in the evidence)
 * are series of one.
 *
 * The threshold is the matching threshold, 31 bits of 256: the distance PDQ's authors give for "the same
 * picture" (re-encoded, resized, cropped a little, bordered). It finds copies and light edits of one
 * picture, not separate photographs of one scene: those are generally as far apart in PDQ as unrelated
 * pictures, and no hash-distance rule can join them without joining unrelated media too.
 *
 * Links come from one multi-index-hashing PDQ index over the novel hashes (src/matching/pdq-index.ts),
 * queried with each hash and its variants: O(N · Q), never the O(N²) pairwise comparison.
 */
export const SERIES_PDQ_THRESHOLD = pdqSignal.matchThreshold;

export interface Series {
  /** The smallest media id of the series: the same media give the same id (no counter to keep). */
  id: number;
  /** Media ids in increasing order. */
  mediaIds: number[];
  /** The PDQ links that joined it (pairs of media ids, a < b, with the closest distance of any variant). */
  links: { a: number; b: number; distance: number }[];
}

/** Series of the given media (the caller passes the novel ones), sorted by id. */
export function buildSeries(
  media: MediaRow[],
  dihedral: Map<number, Record<string, string | undefined>>,
  threshold = SERIES_PDQ_THRESHOLD,
): Series[] {
  const ids = media.map((m) => m.id);
  const pos = new Map(ids.map((id, i) => [id, i]));
  const parent = Int32Array.from(ids, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]!]!;
    return x;
  };
  const links = pdqLinks(media, dihedral, threshold, pdqSignal.minQuality);
  for (const l of links) {
    const a = find(pos.get(l.a)!);
    const b = find(pos.get(l.b)!);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  }
  const members = new Map<number, number[]>();
  ids.forEach((id, i) => {
    const r = find(i);
    (members.get(r) ?? members.set(r, []).get(r)!).push(id);
  });
  const linksOf = new Map<number, Series['links']>();
  for (const l of links) {
    const r = find(pos.get(l.a)!);
    (linksOf.get(r) ?? linksOf.set(r, []).get(r)!).push(l);
  }
  const out: Series[] = [];
  for (const [root, list] of members) {
    list.sort((a, b) => a - b);
    out.push({ id: list[0]!, mediaIds: list, links: linksOf.get(root) ?? [] });
  }
  return out.sort((a, b) => a.id - b.id);
}
