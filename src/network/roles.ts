import type { MemberState } from '../model/membership.js';
import type { CaseData, Post } from './data.js';
import { categorySeverity, type Families } from './families.js';
import { familyOfPost, type Flagging } from './flagged.js';
import type { Clustering } from './clusters.js';

/**
 * Roles, several per account, each from facts in the evidence (all restricted to flagged groups):
 *  producer    — first poster anywhere in the case of a novel material family, not forwarded, and the
 *                family was posted again later by someone else (re-shared).
 *  distributor — posted or forwarded material (known, or novel material) other than the posts that made
 *                them producer.
 *  consumer    — member of a flagged group while material was posted there, never posting material.
 *  admin       — created a flagged group or held admin rank in one (events or the source's participant list).
 *  recruiter   — added other people to a flagged group, or posted an invite link in one.
 *  bridge      — member of flagged groups in two or more clusters.
 * O(P + E + Σ members · log P).
 */
export { ROLES, type Role } from '../model/vocabulary.js';
import type { Role } from '../model/vocabulary.js';

export interface MaterialPost {
  messageId: number;
  groupId: number;
  mediaId: number;
  familyId: number;
  status: 'known' | 'novel';
  category: string | null;
  at: number;
  forwarded: boolean;
}

export interface Produced extends MaterialPost {
  /** Later posts of the same family (message ids, capped at 20) and how many there were. */
  repostIds: number[];
  reposts: number;
}

export interface AccountFacts {
  accountId: number;
  roles: Role[];
  produced: Produced[];
  distributed: MaterialPost[];
  /** Flagged groups the account was ever a member of, with material posts seen while a member. */
  memberOf: { groupId: number; materialSeen: number }[];
  admin: { groupId: number; creator: boolean; eventIds: number[] }[];
  recruited: { groupId: number; eventIds: number[]; inviteMessageIds: number[]; added: number }[];
  clusters: number[];
}

function facts(id: number): AccountFacts {
  return {
    accountId: id,
    roles: [],
    produced: [],
    distributed: [],
    memberOf: [],
    admin: [],
    recruited: [],
    clusters: [],
  };
}

/**
 * The category a novel family weighs with: the severest an analyst gave any of its members (they are
 * copies of one picture; docs/triage.md), null when none was reviewed (score.ts then counts it as CAM).
 */
function reviewedCategory(data: CaseData, mediaIds: number[]): string | null {
  let best: string | null = null;
  for (const id of mediaIds) {
    const c = data.reviewedCategory.get(id);
    if (c !== undefined && (best === null || categorySeverity(c) > categorySeverity(best))) best = c;
  }
  return best;
}

function materialPosts(data: CaseData, fam: Families, flagging: Flagging): MaterialPost[] {
  const out: MaterialPost[] = [];
  const reviewed = new Map<number, string | null>();
  for (const p of data.posts) {
    const f = familyOfPost(data, fam, p);
    if (f === null || !flagging.material.has(f) || !flagging.groups.get(p.chatId)!.flagged) continue;
    const family = fam.families[f]!;
    out.push({
      messageId: p.id,
      groupId: p.chatId,
      mediaId: data.mediaBySha.get(p.sha256)!.id,
      familyId: f,
      status: family.status === 'known' ? 'known' : 'novel',
      category:
        family.status === 'known'
          ? family.category
          : (reviewed.get(f) ?? reviewed.set(f, reviewedCategory(data, family.mediaIds)).get(f)!),
      at: p.at,
      forwarded: p.forwarded,
    });
  }
  return out;
}

/** Producer and distributor facts from the material posts (time order). O(P). */
function postingFacts(
  posts: MaterialPost[],
  senderOf: Map<number, number | null>,
  get: (id: number) => AccountFacts,
): void {
  const byFamily = new Map<number, MaterialPost[]>();
  for (const p of posts) (byFamily.get(p.familyId) ?? byFamily.set(p.familyId, []).get(p.familyId)!).push(p);
  const producing = new Set<number>();
  for (const list of byFamily.values()) {
    const first = list[0]!;
    const sender = senderOf.get(first.messageId);
    if (first.status !== 'novel' || first.forwarded || sender == null) continue;
    // Re-shared by someone else: a person re-posting their own picture is not redistribution by others.
    if (!list.some((p) => senderOf.get(p.messageId) !== sender)) continue;
    producing.add(first.messageId);
    const later = list.slice(1);
    get(sender).produced.push({
      ...first,
      repostIds: later.slice(0, 20).map((p) => p.messageId),
      reposts: later.length,
    });
  }
  for (const p of posts) {
    const sender = senderOf.get(p.messageId);
    if (sender == null || producing.has(p.messageId)) continue;
    get(sender).distributed.push(p);
  }
}

/** Number of `times` (sorted) inside any interval. O(I log T). */
function seenWhileMember(m: MemberState, times: number[]): number {
  const lower = (x: number) => {
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  let n = 0;
  for (const iv of m.intervals) n += lower(iv.to ?? Infinity) - lower(iv.from ?? -Infinity);
  return n;
}

function membershipFacts(
  data: CaseData,
  flagging: Flagging,
  posts: MaterialPost[],
  get: (id: number) => AccountFacts,
): void {
  const times = new Map<number, number[]>();
  for (const p of posts) (times.get(p.groupId) ?? times.set(p.groupId, []).get(p.groupId)!).push(p.at);
  const created = new Map<number, { actor: number | null; id: number }>();
  const promoted = new Map<string, number[]>();
  for (const e of data.events) {
    if (e.type === 'created' && !created.has(e.chatId)) created.set(e.chatId, { actor: e.actorId, id: e.id });
    if (e.type === 'admin_promoted')
      for (const t of e.targets)
        (
          promoted.get(`${e.chatId}:${t}`) ?? promoted.set(`${e.chatId}:${t}`, []).get(`${e.chatId}:${t}`)!
        ).push(e.id);
  }
  for (const g of data.groups) {
    if (!flagging.groups.get(g.id)!.flagged) continue;
    const creator = g.creatorId ?? created.get(g.id)?.actor ?? null;
    for (const m of data.members.get(g.id) ?? []) {
      const f = get(m.accountId);
      f.memberOf.push({ groupId: g.id, materialSeen: seenWhileMember(m, times.get(g.id) ?? []) });
      const isCreator = creator === m.accountId;
      if (m.admin || isCreator) {
        const eventIds = [...(promoted.get(`${g.id}:${m.accountId}`) ?? [])];
        if (isCreator && created.has(g.id)) eventIds.unshift(created.get(g.id)!.id);
        f.admin.push({ groupId: g.id, creator: isCreator, eventIds });
      }
    }
  }
}

function recruitingFacts(data: CaseData, flagging: Flagging, get: (id: number) => AccountFacts): void {
  const rec = new Map<string, AccountFacts['recruited'][number]>();
  const entry = (acc: number, groupId: number) => {
    const k = `${acc}:${groupId}`;
    if (!rec.has(k)) {
      const r = { groupId, eventIds: [], inviteMessageIds: [], added: 0 };
      rec.set(k, r);
      get(acc).recruited.push(r);
    }
    return rec.get(k)!;
  };
  for (const e of data.events) {
    if (e.type !== 'added' || e.actorId === null || !flagging.groups.get(e.chatId)!.flagged) continue;
    const others = e.targets.filter((t) => t !== e.actorId);
    if (!others.length) continue;
    const r = entry(e.actorId, e.chatId);
    r.eventIds.push(e.id);
    r.added += others.length;
  }
  for (const m of data.invites) {
    if (m.senderId === null || !flagging.groups.get(m.chatId)!.flagged) continue;
    entry(m.senderId, m.chatId).inviteMessageIds.push(m.id);
  }
}

function decideRoles(f: AccountFacts): Role[] {
  const roles: Role[] = [];
  if (f.produced.length) roles.push('producer');
  if (f.distributed.length) roles.push('distributor');
  if (!f.produced.length && !f.distributed.length && f.memberOf.some((m) => m.materialSeen > 0))
    roles.push('consumer');
  if (f.admin.length) roles.push('admin');
  if (f.recruited.length) roles.push('recruiter');
  if (f.clusters.length >= 2) roles.push('bridge');
  return roles;
}

export function assignRoles(
  data: CaseData,
  fam: Families,
  flagging: Flagging,
  clustering: Clustering,
): Map<number, AccountFacts> {
  const out = new Map<number, AccountFacts>();
  const get = (id: number) => out.get(id) ?? out.set(id, facts(id)).get(id)!;
  const senderOf = new Map<number, number | null>(data.posts.map((p: Post) => [p.id, p.senderId]));
  const posts = materialPosts(data, fam, flagging);
  postingFacts(posts, senderOf, get);
  membershipFacts(data, flagging, posts, get);
  recruitingFacts(data, flagging, get);
  for (const [acc, cs] of clustering.clustersOfAccount) get(acc).clusters = cs;
  for (const f of out.values()) f.roles = decideRoles(f);
  return out;
}
