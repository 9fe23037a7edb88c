import type { CaseData, Post } from './data.js';
import type { Families } from './families.js';

/**
 * Flagged groups. THE RULE (stated in the report and the export):
 *  1. A group where known material was posted is flagged ("known-material"): a media item whose family
 *     (same SHA-256, or PDQ within the threshold, see families.ts) contains a list match.
 *  2. A novel family posted in a flagged group is material; every other group where that family was posted
 *     is flagged too ("shared-novel"), and so on transitively.
 * Novel media alone flag nothing: harmless groups carry harmless pictures, and a picture that never meets
 * known material — directly or through a chain of groups where material circulated — stays unflagged.
 * Matching must have run (`filet match`), else no group can be flagged.
 *
 * O(P + G) for P media posts: a breadth-first search over the group–family bipartite graph.
 */
export type FlagRule = 'known-material' | 'shared-novel';

export interface GroupFlag {
  groupId: number;
  flagged: boolean;
  rule: FlagRule | null;
  /** For shared-novel: the flagged group and the post that carried the family here. */
  via: { groupId: number; messageId: number; mediaId: number } | null;
  knownPosts: number;
  novelPosts: number;
  knownMedia: number;
  novelMedia: number;
  firstAt: number | null;
  lastAt: number | null;
  categories: Record<string, number>;
  /** Up to 20 message ids of material posts, earliest first. */
  messageIds: number[];
}

export interface Flagging {
  groups: Map<number, GroupFlag>;
  /** Families that are material (known, or novel that circulated in flagged groups). */
  material: Set<number>;
}

function emptyFlag(groupId: number): GroupFlag {
  return {
    groupId,
    flagged: false,
    rule: null,
    via: null,
    knownPosts: 0,
    novelPosts: 0,
    knownMedia: 0,
    novelMedia: 0,
    firstAt: null,
    lastAt: null,
    categories: {},
    messageIds: [],
  };
}

export function familyOfPost(data: CaseData, fam: Families, p: Post): number | null {
  const m = data.mediaBySha.get(p.sha256);
  return m ? (fam.familyOfMedia.get(m.id) ?? null) : null;
}

/** Breadth-first closure from the known-material groups (rule 2). */
function closeOverNovel(
  data: CaseData,
  fam: Families,
  flags: Map<number, GroupFlag>,
  seeds: number[],
): Set<number> {
  const byGroup = new Map<number, Post[]>();
  const byFamily = new Map<number, Post[]>();
  for (const p of data.posts) {
    const f = familyOfPost(data, fam, p);
    if (f === null) continue;
    (byGroup.get(p.chatId) ?? byGroup.set(p.chatId, []).get(p.chatId)!).push(p);
    (byFamily.get(f) ?? byFamily.set(f, []).get(f)!).push(p);
  }
  const material = new Set<number>();
  const queue = [...seeds];
  for (let qi = 0; qi < queue.length; qi++) {
    const g = queue[qi]!;
    for (const p of byGroup.get(g) ?? []) {
      const f = familyOfPost(data, fam, p)!;
      if (material.has(f)) continue;
      material.add(f);
      for (const q of byFamily.get(f) ?? []) {
        const flag = flags.get(q.chatId)!;
        if (flag.flagged) continue;
        flag.flagged = true;
        flag.rule = 'shared-novel';
        flag.via = { groupId: g, messageId: q.id, mediaId: data.mediaBySha.get(q.sha256)!.id };
        queue.push(q.chatId);
      }
    }
  }
  return material;
}

/** Counts, dates and categories of the material posted in each flagged group. O(P). */
function countMaterial(
  data: CaseData,
  fam: Families,
  flags: Map<number, GroupFlag>,
  material: Set<number>,
): void {
  const seen = new Map<number, Set<number>>();
  for (const p of data.posts) {
    const flag = flags.get(p.chatId)!;
    const f = familyOfPost(data, fam, p);
    if (!flag.flagged || f === null || !material.has(f)) continue;
    const family = fam.families[f]!;
    const mediaId = data.mediaBySha.get(p.sha256)!.id;
    const first = !(seen.get(p.chatId) ?? seen.set(p.chatId, new Set()).get(p.chatId)!).has(mediaId);
    seen.get(p.chatId)!.add(mediaId);
    if (family.status === 'known') {
      flag.knownPosts++;
      if (first) flag.knownMedia++;
      const c = family.category ?? 'uncategorized';
      flag.categories[c] = (flag.categories[c] ?? 0) + 1;
    } else {
      flag.novelPosts++;
      if (first) flag.novelMedia++;
    }
    flag.firstAt = flag.firstAt === null ? p.at : Math.min(flag.firstAt, p.at);
    flag.lastAt = flag.lastAt === null ? p.at : Math.max(flag.lastAt, p.at);
    if (flag.messageIds.length < 20) flag.messageIds.push(p.id);
  }
}

export function flagGroups(data: CaseData, fam: Families): Flagging {
  const flags = new Map(data.groups.map((g) => [g.id, emptyFlag(g.id)]));
  const seeds: number[] = [];
  for (const p of data.posts) {
    const f = familyOfPost(data, fam, p);
    const flag = flags.get(p.chatId)!;
    if (f === null || flag.flagged || fam.families[f]!.status !== 'known') continue;
    flag.flagged = true;
    flag.rule = 'known-material';
    seeds.push(p.chatId);
  }
  const material = closeOverNovel(data, fam, flags, seeds);
  countMaterial(data, fam, flags, material);
  return { groups: flags, material };
}
