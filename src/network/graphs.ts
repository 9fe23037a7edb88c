import { DirectedGraph, UndirectedGraph } from 'graphology';
import type { AbstractGraph as Graph } from 'graphology-types';
import type { CaseData } from './data.js';
import type { Families } from './families.js';
import { familyOfPost, type Flagging } from './flagged.js';

/**
 * The three graphs of the analysis, as graphology graphs. Node keys: `a<id>` for accounts, `g<id>` for
 * groups. Edge lists kept on attributes are capped (CAP) so a graph stays small; counts are exact.
 */
const CAP = 20;

export const accountKey = (id: number) => `a${id}`;
export const groupKey = (id: number) => `g${id}`;
export const idOf = (key: string) => Number(key.slice(1));

/**
 * Two-mode accounts–groups graph: an edge per membership, with its intervals (from the events) and admin
 * rank. O(A + G + Σ members).
 */
export function buildMembershipGraph(data: CaseData, flagging: Flagging): Graph {
  const g = new UndirectedGraph();
  for (const grp of data.groups) {
    g.addNode(groupKey(grp.id), { kind: 'group', flagged: flagging.groups.get(grp.id)!.flagged });
    for (const m of data.members.get(grp.id) ?? []) {
      g.mergeNode(accountKey(m.accountId), { kind: 'account' });
      g.mergeEdge(accountKey(m.accountId), groupKey(grp.id), {
        admin: m.admin || grp.creatorId === m.accountId,
        active: m.active,
        intervals: m.intervals,
      });
    }
  }
  return g;
}

/**
 * Media-propagation graph, directed: first poster of a family → each later poster of it, with the posts
 * (message ids, groups, times). Same-sender re-posts are not edges. O(P).
 */
export function buildPropagationGraph(data: CaseData, fam: Families): Graph {
  const g = new DirectedGraph();
  const first = new Map<number, { sender: number; messageId: number; chatId: number; at: number }>();
  for (const p of data.posts) {
    const f = familyOfPost(data, fam, p);
    if (f === null || p.senderId === null) continue;
    const origin = first.get(f);
    if (!origin) {
      first.set(f, { sender: p.senderId, messageId: p.id, chatId: p.chatId, at: p.at });
      continue;
    }
    if (origin.sender === p.senderId) continue;
    const [s, t] = [accountKey(origin.sender), accountKey(p.senderId)];
    g.mergeNode(s);
    g.mergeNode(t);
    const e = g.mergeEdge(s, t, {})[0];
    const attrs = g.getEdgeAttributes(e) as { posts?: number; items?: unknown[] };
    attrs.posts = (attrs.posts ?? 0) + 1;
    attrs.items ??= [];
    if (attrs.items.length < CAP)
      attrs.items.push({ family: f, from: origin.messageId, to: p.id, group: p.chatId, at: p.at });
  }
  return g;
}

interface PairAgg {
  members: number;
  media: number;
  /** Σ 1/(k−1) over the shared members (k = groups of the member) and shared families (k = their groups). */
  weight: number;
  memberIds: number[];
  families: number[];
}

function bump(
  pairs: Map<string, PairAgg>,
  a: number,
  b: number,
  what: 'member' | 'media',
  id: number,
  share: number,
): void {
  const key = a < b ? `${a}:${b}` : `${b}:${a}`;
  const p =
    pairs.get(key) ??
    pairs.set(key, { members: 0, media: 0, weight: 0, memberIds: [], families: [] }).get(key)!;
  p.weight += share;
  if (what === 'member') {
    p.members++;
    if (p.memberIds.length < CAP) p.memberIds.push(id);
  } else {
    p.media++;
    if (p.families.length < CAP) p.families.push(id);
  }
}

function pairsOf(ids: number[], fn: (a: number, b: number) => void): void {
  for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) fn(ids[i]!, ids[j]!);
}

/**
 * Group–group graph: groups linked by shared members (ever members of both) and shared media families
 * (same SHA-256 or PDQ within threshold). Each shared member or family adds 1/(k−1) for k the groups it is
 * in (the usual weighted projection of a two-mode network: a person in two groups ties them more than
 * one in twenty, and a picture forwarded into many groups does not weld them all together).
 * O(Σ_a d_a² + Σ_f g_f²) for d_a the
 * groups of account a and g_f the groups where family f was posted.
 */
export function buildGroupGraph(data: CaseData, fam: Families): Graph {
  const groupsOfAccount = new Map<number, number[]>();
  for (const [gid, ms] of data.members)
    for (const m of ms)
      (groupsOfAccount.get(m.accountId) ?? groupsOfAccount.set(m.accountId, []).get(m.accountId)!).push(gid);
  const groupsOfFamily = new Map<number, Set<number>>();
  for (const p of data.posts) {
    const f = familyOfPost(data, fam, p);
    if (f !== null) (groupsOfFamily.get(f) ?? groupsOfFamily.set(f, new Set()).get(f)!).add(p.chatId);
  }
  const pairs = new Map<string, PairAgg>();
  for (const [acc, gs] of groupsOfAccount)
    pairsOf(gs, (a, b) => bump(pairs, a, b, 'member', acc, 1 / (gs.length - 1)));
  for (const [f, gs] of groupsOfFamily)
    pairsOf([...gs], (a, b) => bump(pairs, a, b, 'media', f, 1 / (gs.size - 1)));
  const g = new UndirectedGraph();
  for (const grp of data.groups) g.addNode(groupKey(grp.id));
  for (const [key, p] of pairs) {
    const [a, b] = key.split(':').map(Number) as [number, number];
    g.addEdge(groupKey(a), groupKey(b), {
      sharedMembers: p.members,
      sharedMedia: p.media,
      weight: p.weight,
      memberIds: p.memberIds,
      families: p.families,
    });
  }
  return g;
}
