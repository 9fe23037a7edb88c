import { pdqHexToWords } from '../matching/pdq-bits.js';
import { PdqIndex } from '../matching/pdq-index.js';
import { pdqSignal } from '../hashing/signal-types.js';
import type { MatchRow, MediaRow } from '../store/case-store.js';
import type { CaseData } from './data.js';

/**
 * Media families: media of the case that are the same picture — the same SHA-256 (one media row) or PDQ
 * hashes within the match threshold, on the plain hash or any of its dihedral variants (a re-encoded,
 * cropped, bordered or mirrored copy), among hashes of PDQ quality ≥ 50 (flat pictures collide). A family is the transitive closure (union–find), so a chain of
 * copies of copies stays one family.
 *
 * Status of a family: `known` when any member matched a list (its severest category is kept), `novel`
 * when matching has run and none matched, `unmatched` when matching has not run.
 */
export type FamilyStatus = 'known' | 'novel' | 'unmatched';

export interface Family {
  id: number;
  mediaIds: number[];
  status: FamilyStatus;
  /** Severest list category among the members' matches (null when none). */
  category: string | null;
  /** Media of the family that matched a list directly. */
  knownMediaIds: number[];
}

export interface Families {
  families: Family[];
  familyOfMedia: Map<number, number>;
  /** PDQ links found (pairs of media ids with their distance), for provenance of a family. */
  pdqLinks: { a: number; b: number; distance: number }[];
}

/** Category severity in [0, 1]; unknown labels count as fully severe (a list entry is known material). */
export const CATEGORY_SEVERITY: Record<string, number> = {
  cam: 1,
  'uk-a': 1,
  'uk-b': 0.8,
  'uk-c': 0.6,
  exploitive: 0.6,
  'cgi-animation': 0.5,
  uncategorized: 0.8,
  comparison: 0.1,
  'non-pertinent': 0,
};

export function categorySeverity(category: string | null): number {
  return category === null ? 0.8 : (CATEGORY_SEVERITY[category] ?? 0.8);
}

class UnionFind {
  private parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(x: number): number {
    while (this.parent[x] !== x) x = this.parent[x] = this.parent[this.parent[x]!]!;
    return x;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/**
 * Links media by PDQ: one MIH index over the case's plain hashes, queried with each hash and its variants.
 * O(N · Q) for N hashed media and Q the index query cost (see pdq-index.ts).
 */
export function pdqLinks(
  media: MediaRow[],
  dihedral: Map<number, Record<string, string | undefined>>,
  threshold: number,
  minQuality: number,
): Families['pdqLinks'] {
  // Low-quality hashes (flat or nearly flat pictures) collide with unrelated ones: like list matching,
  // families use only hashes of quality ≥ pdqSignal.minQuality.
  const hashed = media.filter((m) => m.pdq && (m.pdqQuality ?? 0) >= minQuality);
  if (hashed.length < 2) return [];
  const words = new Uint32Array(hashed.length * 8);
  hashed.forEach((m, i) => pdqHexToWords(m.pdq!, words, i * 8));
  const index = PdqIndex.build(words);
  const best = new Map<string, { a: number; b: number; distance: number }>();
  const q = new Uint32Array(8);
  hashed.forEach((m, i) => {
    const variants = [m.pdq!, ...Object.values(dihedral.get(m.id) ?? {}).filter((v): v is string => !!v)];
    for (const hex of variants) {
      pdqHexToWords(hex, q, 0);
      const r = index.query(q, 0, threshold);
      for (let k = 0; k < r.ids.length; k++) {
        const j = r.ids[k]!;
        if (j === i) continue;
        const [a, b] = m.id < hashed[j]!.id ? [m.id, hashed[j]!.id] : [hashed[j]!.id, m.id];
        const key = `${a}:${b}`;
        const d = r.distances[k]!;
        if (!best.has(key) || best.get(key)!.distance > d) best.set(key, { a, b, distance: d });
      }
    }
  });
  return [...best.values()].sort((x, y) => x.a - y.a || x.b - y.b);
}

function severest(matches: MatchRow[]): string | null {
  let best: string | null = null;
  for (const m of matches)
    if (best === null || categorySeverity(m.category) > categorySeverity(best)) best = m.category;
  return best;
}

/** Builds the families of every media row. O(N α(N) + PDQ linking). */
export function buildFamilies(
  data: CaseData,
  dihedral: Map<number, Record<string, string | undefined>>,
  threshold: number,
  minQuality = pdqSignal.minQuality,
): Families {
  const media = data.media;
  const pos = new Map(media.map((m, i) => [m.id, i]));
  const uf = new UnionFind(media.length);
  const links = pdqLinks(media, dihedral, threshold, minQuality);
  for (const l of links) uf.union(pos.get(l.a)!, pos.get(l.b)!);
  const byRoot = new Map<number, MediaRow[]>();
  media.forEach((m, i) => {
    const r = uf.find(i);
    (byRoot.get(r) ?? byRoot.set(r, []).get(r)!).push(m);
  });
  const families: Family[] = [];
  const familyOfMedia = new Map<number, number>();
  for (const ms of byRoot.values()) {
    const id = families.length;
    const matches = ms.flatMap((m) => data.matchesByMedia.get(m.id) ?? []);
    const knownMediaIds = ms.filter((m) => data.matchesByMedia.has(m.id)).map((m) => m.id);
    families.push({
      id,
      mediaIds: ms.map((m) => m.id),
      // Novel only when every member was compared with every list now in the case.
      status: knownMediaIds.length
        ? 'known'
        : data.currentLists !== null && ms.every((m) => m.checkedLists === data.currentLists)
          ? 'novel'
          : 'unmatched',
      category: severest(matches),
      knownMediaIds,
    });
    for (const m of ms) familyOfMedia.set(m.id, id);
  }
  return { families, familyOfMedia, pdqLinks: links };
}
