import { mediaStatus as statusOf, type MediaStatusName } from '../../model/media-status.js';
import { HashListStore } from '../../store/hash-list-store.js';
import { replayMembership, type MemberState } from '../../model/membership.js';
import {
  AnalysisStore,
  type StoredAnalysisAccount,
  type StoredAnalysisGroup,
} from '../../store/analysis-store.js';
import type {
  AccountRow,
  CaseInfo,
  CaseStore,
  ChatRow,
  EventRow,
  MatchRow,
  MediaRow,
} from '../../store/case-store.js';

/**
 * The case as the pages read it, built once in memory from the store and shared by every request: lists,
 * filters and the network are then O(items) without a query each. Rebuilt when the analysis run changes
 * (another process ran `filet analyze`) or when this server merged identities.
 */
export interface MediaPost {
  messageId: number;
  chatId: number;
  senderId: number | null;
  at: number;
  forwarded: boolean;
}

export interface CaseView {
  info: CaseInfo | null;
  dialect: string;
  analysedAt: number | null;
  analysisRunId: number | null;
  accounts: Map<number, AccountRow>;
  jids: Map<number, string[]>;
  names: Map<number, string[]>;
  analysis: Map<number, StoredAnalysisAccount>;
  groups: Map<number, ChatRow>;
  groupAnalysis: Map<number, StoredAnalysisGroup>;
  members: Map<number, MemberState[]>;
  /** account id → memberships of that account (group id + state). */
  accountGroups: Map<number, { chatId: number; state: MemberState }[]>;
  eventsByChat: Map<number, EventRow[]>;
  eventsByAccount: Map<number, EventRow[]>;
  messagesBySender: Map<number, number>;
  messagesByChat: Map<number, number>;
  /** `${chatId}:${senderId}` → messages. */
  messagesByChatSender: Map<string, number>;
  messageCount: number;
  media: MediaRow[];
  mediaById: Map<number, MediaRow>;
  mediaBySha: Map<string, MediaRow>;
  matchesByMedia: Map<number, MatchRow[]>;
  postsByMedia: Map<number, MediaPost[]>;
  /** Fingerprint of the lists in the case when the view was built (null: no list). */
  currentLists: string | null;
  /** The case generation the view was built from. */
  generation: number;
  /** ISO week start (YYYY-MM-DD) → counts. */
  weeks: Map<string, { messages: number; media: number }>;
}

export type { MediaStatusName };

/** The status as of this view (for lists and counts; serving bytes re-checks the store: media-gate.ts). */
export function mediaStatus(v: CaseView, mediaId: number): MediaStatusName {
  return statusOf(
    v.matchesByMedia.has(mediaId),
    v.mediaById.get(mediaId)?.checkedLists ?? null,
    v.currentLists,
  );
}

export function accountLabel(v: CaseView, id: number): string {
  const a = v.accounts.get(id);
  if (!a) return `#${id}`;
  const name = v.names.get(id)?.[0];
  if (a.phone) return name ? `${a.phone} (${name})` : a.phone;
  return name ?? a.key;
}

/** The account an id stands for after merges (merges form a forest, so this ends). */
export function rootOf(v: CaseView, id: number): number {
  let cur = id;
  for (let i = 0; i < 1000; i++) {
    const m = v.accounts.get(cur)?.mergedInto;
    if (m === null || m === undefined) return cur;
    cur = m;
  }
  return cur;
}

/** Accounts merged (directly or not) into `id`, with `id` itself first. */
export function identitiesOf(v: CaseView, id: number): number[] {
  const out = [id];
  for (const a of v.accounts.values()) if (a.id !== id && rootOf(v, a.id) === id) out.push(a.id);
  return out;
}

export function clustersOfAccount(v: CaseView, id: number): number[] {
  const set = new Set<number>();
  for (const g of v.accountGroups.get(id) ?? []) {
    const c = v.groupAnalysis.get(g.chatId)?.cluster;
    if (c !== null && c !== undefined) set.add(c);
  }
  return [...set].sort((a, b) => a - b);
}

export function weekOf(ms: number): string {
  const d = new Date(ms);
  const day = (d.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day))
    .toISOString()
    .slice(0, 10);
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

export async function buildCaseView(store: CaseStore): Promise<CaseView> {
  // Read first: a change committed while the view is being built makes the view older than the counter.
  const generation = await store.generation();
  const analysisStore = new AnalysisStore(store);
  const run = await analysisStore.latestRun();
  const [accounts, aliases, chats, memberships, events, media, matches] = [
    await store.accounts(),
    await store.accountAliases(),
    await store.chats(),
    await store.memberships(),
    await store.events(),
    await store.media(),
    await store.matches(),
  ];
  const mediaBySha = new Map(media.map((m) => [m.sha256, m]));
  const senders = new Map<number, { accountId: number; at: number }[]>();
  const messagesBySender = new Map<number, number>();
  const messagesByChat = new Map<number, number>();
  const messagesByChatSender = new Map<string, number>();
  const postsByMedia = new Map<number, MediaPost[]>();
  const weeks = new Map<string, { messages: number; media: number }>();
  let messageCount = 0;
  for await (const page of store.messages()) {
    for (const m of page) {
      messageCount++;
      messagesByChat.set(m.chatId, (messagesByChat.get(m.chatId) ?? 0) + 1);
      const w = weekOf(m.at);
      const wk = weeks.get(w) ?? weeks.set(w, { messages: 0, media: 0 }).get(w)!;
      wk.messages++;
      if (m.senderId !== null) {
        push(senders, m.chatId, { accountId: m.senderId, at: m.at });
        messagesBySender.set(m.senderId, (messagesBySender.get(m.senderId) ?? 0) + 1);
        const k = `${m.chatId}:${m.senderId}`;
        messagesByChatSender.set(k, (messagesByChatSender.get(k) ?? 0) + 1);
      }
      const md = m.mediaSha256 ? mediaBySha.get(m.mediaSha256) : undefined;
      if (md) {
        wk.media++;
        push(postsByMedia, md.id, {
          messageId: m.id,
          chatId: m.chatId,
          senderId: m.senderId,
          at: m.at,
          forwarded: m.forwarded,
        });
      }
    }
  }
  const eventsByChat = new Map<number, EventRow[]>();
  const eventsByAccount = new Map<number, EventRow[]>();
  for (const e of events) {
    push(eventsByChat, e.chatId, e);
    for (const id of new Set([...(e.actorId !== null ? [e.actorId] : []), ...e.targets]))
      push(eventsByAccount, id, e);
  }
  const snapByChat = new Map<number, typeof memberships>();
  for (const m of memberships) push(snapByChat, m.chatId, m);
  const groups = new Map(chats.filter((c) => c.kind === 'group').map((c) => [c.id, c]));
  const members = new Map<number, MemberState[]>();
  const accountGroups = new Map<number, { chatId: number; state: MemberState }[]>();
  for (const g of groups.values()) {
    const states = replayMembership({
      events: eventsByChat.get(g.id) ?? [],
      snapshot: snapByChat.get(g.id) ?? [],
      senders: senders.get(g.id) ?? [],
    });
    members.set(g.id, states);
    for (const s of states) push(accountGroups, s.accountId, { chatId: g.id, state: s });
  }
  const matchesByMedia = new Map<number, MatchRow[]>();
  for (const x of matches) push(matchesByMedia, x.mediaId, x);
  return {
    info: await store.getCase(),
    dialect: store.dialect,
    analysedAt: run?.at ?? null,
    analysisRunId: run?.id ?? null,
    accounts: new Map(accounts.map((a) => [a.id, a])),
    jids: aliases.jids,
    names: aliases.names,
    analysis: new Map((run ? await analysisStore.accounts() : []).map((a) => [a.accountId, a])),
    groups,
    groupAnalysis: new Map((run ? await analysisStore.groups() : []).map((g) => [g.chatId, g])),
    members,
    accountGroups,
    eventsByChat,
    eventsByAccount,
    messagesBySender,
    messagesByChat,
    messagesByChatSender,
    messageCount,
    media,
    mediaById: new Map(media.map((m) => [m.id, m])),
    mediaBySha,
    matchesByMedia,
    postsByMedia,
    currentLists: await new HashListStore(store).fingerprint(),
    generation,
    weeks,
  };
}

/**
 * One shared view per server, keyed on the case generation: every get() reads the counter (one indexed
 * row) and rebuilds when any process changed the case since the view was built. Concurrent requests wait
 * on the same build. Serving media bytes never relies on this view (media-gate.ts reads the store).
 */
export class CaseViewCache {
  private current: Promise<CaseView> | null = null;

  constructor(private readonly store: CaseStore) {}

  invalidate(): void {
    this.current = null;
  }

  async get(): Promise<CaseView> {
    const generation = await this.store.generation();
    const p = this.current;
    if (p) {
      const v = await p.catch(() => null);
      if (v && v.generation >= generation) return v;
      if (this.current === p) this.current = null;
    }
    if (!this.current) {
      const building = buildCaseView(this.store);
      this.current = building;
      building.catch(() => {
        if (this.current === building) this.current = null;
      });
    }
    return this.current;
  }
}
