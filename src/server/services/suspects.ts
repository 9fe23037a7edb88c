import type { AccountRow, Overview, Page, SuspectFile, TimelineEntry } from '../../api/contract.js';
import type { CaseStore } from '../../store/case-store.js';
import { ReviewStore } from '../../store/review-store.js';
import { accountLabel, clustersOfAccount, identitiesOf, mediaStatus, type CaseView } from './case-view.js';
import { HttpError, iso, isoAt, page } from './paging.js';

/** Overview, the suspect list and the suspect file: read-only views over the shared case view. */

export function overview(v: CaseView, evidenceCount: number): Overview {
  const countries = new Map<string, { accounts: number; suspects: number }>();
  for (const a of v.accounts.values()) {
    if (a.mergedInto !== null) continue;
    const an = v.analysis.get(a.id);
    const c = an?.country ?? 'unresolved';
    const e = countries.get(c) ?? countries.set(c, { accounts: 0, suspects: 0 }).get(c)!;
    e.accounts++;
    if (an?.roles.length) e.suspects++;
  }
  let known = 0;
  let novel = 0;
  for (const m of v.media) {
    const s = mediaStatus(v, m.id);
    if (s === 'known') known++;
    else if (s === 'novel') novel++;
  }
  const top = [...v.analysis.values()]
    .filter((a) => v.accounts.get(a.accountId)?.mergedInto === null)
    .sort((a, b) => b.score - a.score || a.accountId - b.accountId)
    .slice(0, 10);
  return {
    case: {
      id: v.info?.caseId ?? null,
      name: v.info?.name ?? null,
      synthetic: v.info?.synthetic ?? false,
      store: v.dialect,
    },
    analysedAt: iso(v.analysedAt),
    counts: {
      evidence: evidenceCount,
      groups: v.groups.size,
      groupsFlagged: [...v.groupAnalysis.values()].filter((g) => g.flagged).length,
      accounts: v.accounts.size,
      messages: v.messageCount,
      media: v.media.length,
      mediaKnown: known,
      mediaNovel: novel,
    },
    countries: [...countries.entries()]
      .map(([country, x]) => ({ country, ...x }))
      .sort((a, b) => b.accounts - a.accounts || a.country.localeCompare(b.country)),
    activity: [...v.weeks.entries()]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([week, x]) => ({ week, ...x })),
    topSuspects: top.map((a) => ({
      id: a.accountId,
      label: accountLabel(v, a.accountId),
      score: a.score,
      roles: a.roles,
      country: a.country,
    })),
  };
}

export interface AccountQuery {
  offset?: number;
  limit?: number;
  country?: string;
  role?: string;
  cluster?: number;
  q?: string;
  sort?: 'score' | 'id' | 'label' | 'groups';
  order?: 'asc' | 'desc';
  includeMerged?: boolean;
}

export function accountItem(v: CaseView, id: number): AccountRow {
  const a = v.accounts.get(id)!;
  const an = v.analysis.get(id);
  const gs = v.accountGroups.get(id) ?? [];
  return {
    id,
    key: a.key,
    label: accountLabel(v, id),
    phone: a.phone,
    country: an?.country ?? null,
    roles: an?.roles ?? [],
    score: an?.score ?? null,
    clusters: clustersOfAccount(v, id),
    groups: gs.length,
    flaggedGroups: gs.filter((g) => v.groupAnalysis.get(g.chatId)?.flagged).length,
    messages: v.messagesBySender.get(id) ?? 0,
    mergedInto: a.mergedInto,
  };
}

interface IndexedAccount {
  item: AccountRow;
  haystack: string;
}

// Per view: every account's list item and search text, computed once, already in the default order.
const indexes = new WeakMap<CaseView, IndexedAccount[]>();

function accountIndex(v: CaseView): IndexedAccount[] {
  let idx = indexes.get(v);
  if (!idx) {
    idx = [...v.accounts.values()].map((a) => ({
      item: accountItem(v, a.id),
      haystack: [a.key, a.phone ?? '', ...(v.jids.get(a.id) ?? []), ...(v.names.get(a.id) ?? [])]
        .join('\n')
        .toLowerCase(),
    }));
    idx.sort((a, b) => (b.item.score ?? -1) - (a.item.score ?? -1) || a.item.id - b.item.id);
    indexes.set(v, idx);
  }
  return idx;
}

export function listAccounts(v: CaseView, q: AccountQuery): Page<AccountRow> {
  const needle = q.q?.toLowerCase();
  const items: AccountRow[] = [];
  for (const { item, haystack } of accountIndex(v)) {
    if (!q.includeMerged && item.mergedInto !== null) continue;
    if (q.country && (item.country ?? 'unresolved') !== q.country) continue;
    if (q.role && !(item.roles as readonly string[]).includes(q.role)) continue;
    if (q.cluster !== undefined && !item.clusters.includes(q.cluster)) continue;
    if (needle && !haystack.includes(needle)) continue;
    items.push(item);
  }
  const sort = q.sort ?? 'score';
  const dir = (q.order ?? (sort === 'score' || sort === 'groups' ? 'desc' : 'asc')) === 'asc' ? 1 : -1;
  if (sort !== 'score' || dir !== -1) {
    const key = {
      score: (x: (typeof items)[number]) => x.score ?? -1,
      groups: (x: (typeof items)[number]) => x.groups,
      id: (x: (typeof items)[number]) => x.id,
      label: (x: (typeof items)[number]) => x.label,
    }[sort];
    items.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      const c = typeof ka === 'string' ? ka.localeCompare(kb as string) : (ka as number) - (kb as number);
      return c * dir || a.id - b.id;
    });
  }
  return page(items, q.offset, q.limit);
}

const TIMELINE_HEAD = 200;
const PROVENANCE_CAP = 50;

function messageEntry(v: CaseView, m: import('../../store/case-store.js').MessageRow): TimelineEntry {
  return {
    at: isoAt(m.at),
    type: 'message' as const,
    id: m.id,
    groupId: v.groups.has(m.chatId) ? m.chatId : null,
    kind: m.kind,
    text: m.text,
    mediaId: m.mediaSha256 ? (v.mediaBySha.get(m.mediaSha256)?.id ?? null) : null,
    deletedLater: m.deletedLater,
  };
}

/** The suspect file of one account: identities, roles with their provenance, groups, timeline, media. */
export async function accountDetail(store: CaseStore, v: CaseView, id: number): Promise<SuspectFile> {
  const a = v.accounts.get(id);
  if (!a) throw new HttpError(404, `no account ${id}`);
  const an = v.analysis.get(id);
  const ids = identitiesOf(v, id);
  const reviews = new ReviewStore(store);
  const reasons = an?.reasons ?? [];
  const msgIds = [...new Set(reasons.flatMap((r) => r.messageIds))];
  const evIds = [...new Set(reasons.flatMap((r) => r.eventIds))];
  const prov = [...(await store.provenance('message', msgIds)), ...(await store.provenance('event', evIds))];
  const roles = reasons.map((r) => {
    const m = new Set(r.messageIds);
    const e = new Set(r.eventIds);
    return {
      ...r,
      provenance: prov
        .filter((p) => (p.factType === 'message' ? m.has(p.factId) : e.has(p.factId)))
        .slice(0, PROVENANCE_CAP),
    };
  });
  const groups = ids
    .flatMap((i) => v.accountGroups.get(i) ?? [])
    .map(({ chatId, state }) => ({
      id: chatId,
      subject: v.groups.get(chatId)?.subject ?? null,
      flagged: v.groupAnalysis.get(chatId)?.flagged ?? null,
      cluster: v.groupAnalysis.get(chatId)?.cluster ?? null,
      admin: state.admin,
      active: state.active,
      intervals: state.intervals.map((x) => ({ from: iso(x.from), to: iso(x.to) })),
      messages: v.messagesByChatSender.get(`${chatId}:${state.accountId}`) ?? 0,
    }));
  const head = await reviews.messagePage({ senderIds: ids }, 0, TIMELINE_HEAD);
  const events = ids
    .flatMap((i) => v.eventsByAccount.get(i) ?? [])
    .map((e) => ({
      at: isoAt(e.at),
      type: 'event' as const,
      id: e.id,
      groupId: e.chatId,
      kind: e.type,
      text: e.value,
      mediaId: null,
    }));
  const timeline = [...head.items.map((m) => messageEntry(v, m)), ...events]
    .sort((x, y) => x.at.localeCompare(y.at) || x.id - y.id)
    .slice(0, TIMELINE_HEAD);
  const idSet = new Set(ids);
  const media = [];
  for (const [mediaId, posts] of v.postsByMedia) {
    for (const p of posts) {
      if (p.senderId === null || !idSet.has(p.senderId)) continue;
      const best = v.matchesByMedia.get(mediaId)?.[0];
      media.push({
        id: mediaId,
        sha256: v.mediaById.get(mediaId)!.sha256,
        status: mediaStatus(v, mediaId),
        category: best?.category ?? null,
        distance: best?.distance ?? null,
        messageId: p.messageId,
        groupId: p.chatId,
        at: isoAt(p.at),
        forwarded: p.forwarded,
      });
    }
  }
  media.sort((x, y) => x.at.localeCompare(y.at) || x.messageId - y.messageId);
  const merges = (await reviews.merges()).filter(
    (m) => idSet.has(m.from) || idSet.has(m.into) || m.from === id,
  );
  return {
    account: {
      id,
      key: a.key,
      kind: a.kind,
      label: accountLabel(v, id),
      phone: a.phone,
      country: an?.country ?? null,
      countryReason: an?.countryReason ?? null,
      numberType: an?.numberType ?? null,
      score: an?.score ?? null,
      points: an?.points ?? {},
      betweenness: an?.betweenness ?? null,
      mergedInto: a.mergedInto,
      roles: an?.roles ?? [],
    },
    identities: ids.map((i) => {
      const x = v.accounts.get(i)!;
      return {
        id: i,
        key: x.key,
        kind: x.kind,
        phone: x.phone,
        jids: v.jids.get(i) ?? [],
        displayNames: v.names.get(i) ?? [],
        via: i === id ? 'self' : 'merge',
      };
    }),
    numbers: [...new Set(ids.map((i) => v.accounts.get(i)!.phone).filter((p): p is string => !!p))],
    roles,
    groups,
    timeline,
    timelineTotal: head.total + events.length,
    media,
    merges: merges.map((m) => ({ ...m, at: isoAt(m.at), undoneAt: iso(m.undoneAt) })),
  };
}

export async function accountMessages(
  store: CaseStore,
  v: CaseView,
  id: number,
  offset: number,
  limit: number,
): Promise<Page<TimelineEntry>> {
  if (!v.accounts.has(id)) throw new HttpError(404, `no account ${id}`);
  const r = await new ReviewStore(store).messagePage({ senderIds: identitiesOf(v, id) }, offset, limit);
  return { total: r.total, offset, limit, items: r.items.map((m) => messageEntry(v, m)) };
}
