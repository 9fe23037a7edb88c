import { AnalysisStore, type StoredAnalysisGroup } from '../store/analysis-store.js';
import type { CaseStore, MessageRow } from '../store/case-store.js';
import type { Lineage } from '../store/database-states.js';
import { buildCaseExport, type CaseExport } from './export-json.js';
import type { CategorySchemeName } from '../model/vocabulary.js';
import { ReviewStore, type ReviewRow } from '../store/review-store.js';
import { schemeOf } from '../triage/categories.js';

/**
 * What the graph/CSV exports, referral packages and the HTML report all read: the case export
 * (buildCaseExport, the one assembled view of a case) plus what it aggregates away — who posted how much
 * where, which media went through which group, group–group links, weekly activity. One extra pass over
 * the messages; memory O(accounts × groups they posted in + media × groups), never O(messages).
 */
export type ExportAccount = CaseExport['accounts'][number];
export type ExportGroup = CaseExport['groups'][number];
export type ExportMedia = CaseExport['media'][number];

export interface Posting {
  accountId: number;
  groupId: number;
  messages: number;
  /** Posts carrying media, and of those the known material and novel media ones. */
  mediaPosts: number;
  knownPosts: number;
  novelPosts: number;
  firstAt: number;
  lastAt: number;
}

export interface Membership {
  accountId: number;
  groupId: number;
  admin: boolean;
  active: boolean;
  /** Earliest known start / latest known end over the member's periods; null = before / after the evidence. */
  firstAt: number | null;
  lastAt: number | null;
}

export interface GroupLink {
  a: number;
  b: number;
  /** Accounts that were members of both. */
  sharedMembers: number;
  /** Media items (same SHA-256) posted in both. */
  sharedMedia: number;
}

export interface CaseView {
  doc: CaseExport;
  synthetic: boolean;
  analysed: boolean;
  accountById: Map<number, ExportAccount>;
  groupById: Map<number, ExportGroup>;
  mediaBySha: Map<string, ExportMedia>;
  /** Analysis counts per group (known/novel posts, first/last material dates, categories). */
  groupAnalysis: Map<number, StoredAnalysisGroup>;
  memberships: Membership[];
  postings: Posting[];
  /** SHA-256s of media posted in each group. */
  groupMedia: Map<number, Set<string>>;
  groupLinks: GroupLink[];
  /** Messages per ISO week (Monday, UTC), in time order, empty weeks included. */
  weekly: { week: string; messages: number }[];
  /** Accounts with at least one role, highest score first. */
  suspects: ExportAccount[];
  /** Databases read in several states (src/store/database-states.ts). */
  lineages: Lineage[];
  /** The first DELETED_LATER_SHOWN messages deleted later, in time order (their total is in `lineages`). */
  deletedLater: MessageRow[];
  /** Analysts' reviews of media by media id (categories of novel media: docs/triage.md). */
  reviews: Map<number, ReviewRow>;
  /** The case's category scheme now: the codes reviewed categories are written with. */
  categoryScheme: CategorySchemeName;
}

export const DELETED_LATER_SHOWN = 500;

const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));
const WEEK = 7 * 86_400_000;
/** Monday 00:00 UTC of the week holding `t` (1970-01-01 was a Thursday). */
const weekStart = (t: number) => Math.floor((t + 3 * 86_400_000) / WEEK) * WEEK - 3 * 86_400_000;

export async function buildCaseView(store: CaseStore): Promise<CaseView> {
  const doc = await buildCaseExport(store);
  const analysis = new AnalysisStore(store);
  const analysed = (await analysis.latestRun()) !== null;
  const groupAnalysis = new Map((analysed ? await analysis.groups() : []).map((g) => [g.chatId, g]));
  const accountById = new Map(doc.accounts.map((a) => [a.id, a]));
  const groupById = new Map(doc.groups.map((g) => [g.id, g]));
  const mediaBySha = new Map(doc.media.map((m) => [m.sha256, m]));

  const postings = new Map<string, Posting>();
  const groupMedia = new Map<number, Set<string>>();
  const weeks = new Map<number, number>();
  for await (const page of store.messages()) {
    for (const m of page) {
      const w = weekStart(m.at);
      weeks.set(w, (weeks.get(w) ?? 0) + 1);
      if (!groupById.has(m.chatId)) continue;
      if (m.mediaSha256) {
        const set = groupMedia.get(m.chatId) ?? groupMedia.set(m.chatId, new Set()).get(m.chatId)!;
        set.add(m.mediaSha256);
      }
      if (m.senderId === null) continue;
      const k = `${m.senderId}:${m.chatId}`;
      const p =
        postings.get(k) ??
        postings
          .set(k, {
            accountId: m.senderId,
            groupId: m.chatId,
            messages: 0,
            mediaPosts: 0,
            knownPosts: 0,
            novelPosts: 0,
            firstAt: m.at,
            lastAt: m.at,
          })
          .get(k)!;
      p.messages++;
      if (m.mediaSha256) {
        p.mediaPosts++;
        const status = mediaBySha.get(m.mediaSha256)?.status;
        if (status === 'known') p.knownPosts++;
        else if (status === 'novel') p.novelPosts++;
      }
      p.firstAt = Math.min(p.firstAt, m.at);
      p.lastAt = Math.max(p.lastAt, m.at);
    }
  }

  const memberships: Membership[] = [];
  const groupsOfAccount = new Map<number, number[]>();
  for (const g of doc.groups) {
    for (const m of g.members) {
      const froms = m.intervals.map((i) => ms(i.from));
      const tos = m.intervals.map((i) => ms(i.to));
      memberships.push({
        accountId: m.account,
        groupId: g.id,
        admin: m.admin,
        active: m.active,
        firstAt: froms.includes(null) ? null : Math.min(...(froms as number[])),
        lastAt: tos.includes(null) ? null : Math.max(...(tos as number[])),
      });
      (groupsOfAccount.get(m.account) ?? groupsOfAccount.set(m.account, []).get(m.account)!).push(g.id);
    }
  }

  const links = new Map<string, GroupLink>();
  const link = (a: number, b: number) => {
    const [x, y] = a < b ? [a, b] : [b, a];
    const k = `${x}:${y}`;
    return links.get(k) ?? links.set(k, { a: x, b: y, sharedMembers: 0, sharedMedia: 0 }).get(k)!;
  };
  for (const gs of groupsOfAccount.values()) {
    const u = [...new Set(gs)];
    for (let i = 0; i < u.length; i++)
      for (let j = i + 1; j < u.length; j++) link(u[i]!, u[j]!).sharedMembers++;
  }
  const groupsOfMedia = new Map<string, number[]>();
  for (const [gid, shas] of groupMedia)
    for (const s of shas) (groupsOfMedia.get(s) ?? groupsOfMedia.set(s, []).get(s)!).push(gid);
  for (const gs of groupsOfMedia.values())
    for (let i = 0; i < gs.length; i++)
      for (let j = i + 1; j < gs.length; j++) link(gs[i]!, gs[j]!).sharedMedia++;

  const weekly: CaseView['weekly'] = [];
  if (weeks.size) {
    const keys = [...weeks.keys()];
    const last = Math.max(...keys);
    for (let w = Math.min(...keys); w <= last; w += WEEK)
      weekly.push({ week: new Date(w).toISOString().slice(0, 10), messages: weeks.get(w) ?? 0 });
  }

  return {
    doc,
    synthetic: doc.synthetic,
    analysed,
    accountById,
    groupById,
    mediaBySha,
    groupAnalysis,
    memberships,
    postings: [...postings.values()].sort((a, b) => a.accountId - b.accountId || a.groupId - b.groupId),
    groupMedia,
    groupLinks: [...links.values()].sort((p, q) => p.a - q.a || p.b - q.b),
    weekly,
    suspects: doc.accounts
      .filter((a) => a.roles.length > 0)
      .sort((a, b) => (b.score ?? 0) - (a.score ?? 0) || a.id - b.id),
    lineages: await store.databaseLineages(),
    deletedLater: await store.deletedLaterMessages(DELETED_LATER_SHOWN),
    reviews: await new ReviewStore(store).reviews(),
    categoryScheme: (await schemeOf(store)).scheme,
  };
}

/** A readable name for an account: its phone, else its first display name, else its key. */
export function accountLabel(a: ExportAccount): string {
  return a.phone ?? a.displayNames[0] ?? a.key;
}

export function groupLabel(g: ExportGroup): string {
  return g.subject ?? g.key;
}

export const isoOrEmpty = (t: number | null | undefined) =>
  t === null || t === undefined ? '' : new Date(t).toISOString();
