import type { GroupFile, GroupMessage, GroupRow, NetworkData, Page } from '../../api/contract.js';
import type { Role } from '../../model/vocabulary.js';
import type { CaseStore } from '../../store/case-store.js';
import { ReviewStore } from '../../store/review-store.js';
import { accountLabel, mediaStatus, type CaseView } from './case-view.js';
import { HttpError, iso, isoAt, page } from './paging.js';

/** Group list, group page, and the network explorer's graph. */

function material(v: CaseView, chatId: number) {
  let known = 0;
  let novel = 0;
  for (const [mediaId, posts] of v.postsByMedia) {
    if (!posts.some((p) => p.chatId === chatId)) continue;
    const s = mediaStatus(v, mediaId);
    if (s === 'known') known++;
    else if (s === 'novel') novel++;
  }
  return { known, novel };
}

export interface GroupQuery {
  offset?: number;
  limit?: number;
  flagged?: boolean;
  cluster?: number;
  q?: string;
  sort?: 'id' | 'messages' | 'members' | 'material';
  order?: 'asc' | 'desc';
}

export function listGroups(v: CaseView, q: GroupQuery): Page<GroupRow> {
  const needle = q.q?.toLowerCase();
  const items: GroupRow[] = [];
  for (const g of v.groups.values()) {
    const an = v.groupAnalysis.get(g.id);
    if (q.flagged !== undefined && (an?.flagged ?? false) !== q.flagged) continue;
    if (q.cluster !== undefined && an?.cluster !== q.cluster) continue;
    if (needle && !`${g.subject ?? ''}\n${g.key}`.toLowerCase().includes(needle)) continue;
    const members = v.members.get(g.id) ?? [];
    items.push({
      id: g.id,
      key: g.key,
      subject: g.subject,
      flagged: an?.flagged ?? null,
      rule: an?.rule ?? null,
      cluster: an?.cluster ?? null,
      members: members.length,
      activeMembers: members.filter((m) => m.active).length,
      messages: v.messagesByChat.get(g.id) ?? 0,
      ...material(v, g.id),
      createdAt: iso(g.createdAt),
    });
  }
  const sort = q.sort ?? 'id';
  const dir = (q.order ?? (sort === 'id' ? 'asc' : 'desc')) === 'asc' ? 1 : -1;
  const key = (x: (typeof items)[number]) =>
    sort === 'messages'
      ? x.messages
      : sort === 'members'
        ? x.members
        : sort === 'material'
          ? x.known + x.novel
          : x.id;
  items.sort((a, b) => (key(a) - key(b)) * dir || a.id - b.id);
  return page(items, q.offset, q.limit);
}

export function groupDetail(v: CaseView, id: number): GroupFile {
  const g = v.groups.get(id);
  if (!g) throw new HttpError(404, `no group ${id}`);
  const an = v.groupAnalysis.get(id);
  const events = v.eventsByChat.get(id) ?? [];
  const members = v.members.get(id) ?? [];
  const media = [];
  for (const [mediaId, posts] of v.postsByMedia) {
    const here = posts.filter((p) => p.chatId === id);
    if (!here.length) continue;
    const best = v.matchesByMedia.get(mediaId)?.[0];
    media.push({
      id: mediaId,
      sha256: v.mediaById.get(mediaId)!.sha256,
      status: mediaStatus(v, mediaId),
      category: best?.category ?? null,
      distance: best?.distance ?? null,
      firstAt: iso(Math.min(...here.map((p) => p.at))),
      posts: here.length,
    });
  }
  const created = events.find((e) => e.type === 'created');
  return {
    group: {
      id,
      key: g.key,
      jid: g.jid,
      subject: g.subject,
      flagged: an?.flagged ?? null,
      rule: an?.rule ?? null,
      cluster: an?.cluster ?? null,
      createdAt: iso(g.createdAt ?? created?.at ?? null),
      creator: g.creatorId ?? created?.actorId ?? null,
      messages: v.messagesByChat.get(id) ?? 0,
      ...material(v, id),
    },
    subjects: events
      .filter((e) => (e.type === 'subject_changed' || e.type === 'created') && e.value)
      .map((e) => ({ subject: e.value!, at: iso(e.at), by: e.actorId })),
    members: members.map((m) => ({
      accountId: m.accountId,
      label: accountLabel(v, m.accountId),
      admin: m.admin,
      active: m.active,
      intervals: m.intervals.map((x) => ({ from: iso(x.from), to: iso(x.to) })),
      roles: v.analysis.get(m.accountId)?.roles ?? [],
    })),
    admins: members.filter((m) => m.admin).map((m) => m.accountId),
    media: media.sort((a, b) => a.firstAt!.localeCompare(b.firstAt!)),
    events: events.map((e) => ({
      id: e.id,
      type: e.type,
      actor: e.actorId,
      targets: e.targets,
      at: isoAt(e.at),
      value: e.value,
    })),
  };
}

export async function groupMessages(
  store: CaseStore,
  v: CaseView,
  id: number,
  offset: number,
  limit: number,
): Promise<Page<GroupMessage>> {
  if (!v.groups.has(id)) throw new HttpError(404, `no group ${id}`);
  const r = await new ReviewStore(store).messagePage({ chatId: id }, offset, limit);
  return {
    total: r.total,
    offset,
    limit,
    items: r.items.map((m) => ({
      id: m.id,
      at: isoAt(m.at),
      sender: m.senderId,
      kind: m.kind,
      text: m.text,
      forwarded: m.forwarded,
      mediaId: m.mediaSha256 ? (v.mediaBySha.get(m.mediaSha256)?.id ?? null) : null,
      mediaStatus: m.mediaStatus,
      deletedLater: m.deletedLater,
    })),
  };
}

export interface NetworkQuery {
  country?: string;
  role?: string;
  cluster?: number;
  flagged?: boolean;
  from?: string;
  to?: string;
  minScore?: number;
}

/** The network as sent: its JSON text and its size (for the audit entry of the view). */
export interface NetworkText {
  json: string;
  nodes: number;
  edges: number;
}

// Per view: serialized graphs by query, so repeated explorer loads cost a lookup (a few filter sets at most).
const networkCache = new WeakMap<CaseView, Map<string, NetworkText>>();

/** The network as JSON text, cached per view and query. */
export function networkJson(v: CaseView, q: NetworkQuery): NetworkText {
  const key = JSON.stringify(Object.entries(q).sort());
  const cache = networkCache.get(v) ?? networkCache.set(v, new Map()).get(v)!;
  let out = cache.get(key);
  if (out === undefined) {
    const g = network(v, q);
    out = { json: JSON.stringify(g), nodes: g.nodes.count, edges: g.edges.count };
    if (cache.size >= 64) cache.delete(cache.keys().next().value!);
    cache.set(key, out);
  }
  return out;
}

/** Two-mode graph (accounts — groups) in columnar arrays, so a 20,000-node graph stays a small document. */
export function network(v: CaseView, q: NetworkQuery): NetworkData {
  const from = q.from ? Date.parse(q.from) : -Infinity;
  const to = q.to ? Date.parse(q.to) : Infinity;
  if (Number.isNaN(from) || Number.isNaN(to)) throw new HttpError(400, 'from/to must be ISO 8601 dates');
  const accountFilter = q.country !== undefined || q.role !== undefined || q.minScore !== undefined;
  const accountOk = (id: number) => {
    const an = v.analysis.get(id);
    if (q.country && (an?.country ?? 'unresolved') !== q.country) return false;
    if (q.role && !(an?.roles as readonly string[] | undefined)?.includes(q.role)) return false;
    if (q.minScore !== undefined && (an?.score ?? -Infinity) < q.minScore) return false;
    return true;
  };
  const groupOk = (id: number) => {
    const an = v.groupAnalysis.get(id);
    if (q.flagged !== undefined && (an?.flagged ?? false) !== q.flagged) return false;
    if (q.cluster !== undefined && an?.cluster !== q.cluster) return false;
    return true;
  };
  const nodes = {
    count: 0,
    kind: [] as ('g' | 'a')[],
    id: [] as number[],
    label: [] as string[],
    cluster: [] as (number | null)[],
    country: [] as (string | null)[],
    roles: [] as Role[][],
    score: [] as (number | null)[],
    flagged: [] as (boolean | null)[],
  };
  const edges = {
    count: 0,
    source: [] as number[],
    target: [] as number[],
    weight: [] as number[],
    admin: [] as boolean[],
  };
  const groupIndex = new Map<number, number>();
  const accountIndex = new Map<number, number>();
  const addNode = (kind: 'g' | 'a', id: number) => {
    nodes.kind.push(kind);
    nodes.id.push(id);
    if (kind === 'g') {
      const an = v.groupAnalysis.get(id);
      nodes.label.push(v.groups.get(id)?.subject ?? v.groups.get(id)?.key ?? `#${id}`);
      nodes.cluster.push(an?.cluster ?? null);
      nodes.country.push(null);
      nodes.roles.push([]);
      nodes.score.push(null);
      nodes.flagged.push(an?.flagged ?? null);
    } else {
      const an = v.analysis.get(id);
      const cl = (v.accountGroups.get(id) ?? [])
        .map((g) => v.groupAnalysis.get(g.chatId)?.cluster)
        .find((c) => c !== null && c !== undefined);
      nodes.label.push(accountLabel(v, id));
      nodes.cluster.push(cl ?? null);
      nodes.country.push(an?.country ?? null);
      nodes.roles.push(an?.roles ?? []);
      nodes.score.push(an?.score ?? null);
      nodes.flagged.push(null);
    }
    return nodes.count++;
  };
  for (const [groupId, states] of v.members) {
    if (!groupOk(groupId)) continue;
    for (const s of states) {
      if (accountFilter && !accountOk(s.accountId)) continue;
      const inWindow = s.intervals.some((x) => (x.from ?? -Infinity) <= to && (x.to ?? Infinity) >= from);
      if (!inWindow) continue;
      const gi = groupIndex.get(groupId) ?? groupIndex.set(groupId, addNode('g', groupId)).get(groupId)!;
      const ai =
        accountIndex.get(s.accountId) ??
        accountIndex.set(s.accountId, addNode('a', s.accountId)).get(s.accountId)!;
      edges.source.push(ai);
      edges.target.push(gi);
      edges.weight.push(v.messagesByChatSender.get(`${groupId}:${s.accountId}`) ?? 0);
      edges.admin.push(s.admin);
      edges.count++;
    }
  }
  return { nodes, edges };
}
