import { canonicalizer } from '../model/canonical.js';
import { HashListStore } from '../store/hash-list-store.js';
import { KeywordStore, type TermHits } from '../store/keyword-store.js';
import { ReviewStore } from '../store/review-store.js';
import { replayMembership, type MemberState } from '../model/membership.js';
import type { AccountRow, CaseStore, ChatRow, EventRow, MatchRow, MediaRow } from '../store/case-store.js';

/**
 * Everything the network analysis reads from a case, loaded once and keyed by id. Accounts merged into
 * another are replaced by the account they were merged into everywhere (a person counts once).
 * Messages stream in pages; only media posts and invite-link posts are kept, so memory is O(A + G + E + P)
 * for A accounts, G groups, E events and P media/link posts, never O(all messages).
 */
export interface Post {
  id: number;
  chatId: number;
  senderId: number | null;
  at: number;
  forwarded: boolean;
  sha256: string;
}

export interface LinkPost {
  id: number;
  chatId: number;
  senderId: number | null;
  at: number;
}

export interface CaseData {
  accounts: AccountRow[];
  accountById: Map<number, AccountRow>;
  groups: ChatRow[];
  groupIds: Set<number>;
  /** Replayed membership per group (canonical account ids). */
  members: Map<number, MemberState[]>;
  /** Group events only, canonical ids, time order. */
  events: EventRow[];
  media: MediaRow[];
  mediaBySha: Map<string, MediaRow>;
  matchesByMedia: Map<number, MatchRow[]>;
  /** `filet match` has run: media without a match are novel (else only "unmatched"). */
  matched: boolean;
  /** Fingerprint of the case's lists now (src/model/media-status.ts); null when it has none. */
  currentLists: string | null;
  /** Media posts in groups, time order. */
  posts: Post[];
  /** Posts of WhatsApp group invite links in groups. */
  invites: LinkPost[];
  messageCount: Map<number, number>;
  /** Analysts' categories of media (docs/triage.md), by media id: a reviewed novel item's severity. */
  reviewedCategory: Map<number, string>;
  /** Every keyword list term with the messages it matches now, through the full-text index (docs/keywords.md). */
  keywordHits: TermHits[];
}

const INVITE = /https?:\/\/chat\.whatsapp\.com\/[A-Za-z0-9]+/;

export { canonicalizer };

function groupBy<T>(items: T[], key: (x: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const x of items) {
    const k = key(x);
    (out.get(k) ?? out.set(k, []).get(k)!).push(x);
  }
  return out;
}

/** Reads the case. O(A + G + E + M) time for M messages; see the interface for memory. */
export async function loadCaseData(store: CaseStore): Promise<CaseData> {
  const accounts = await store.accounts();
  const canon = canonicalizer(accounts);
  const groups = (await store.chats()).filter((c) => c.kind === 'group');
  const groupIds = new Set(groups.map((g) => g.id));
  const events = (await store.events())
    .filter((e) => groupIds.has(e.chatId))
    .map((e) => ({
      ...e,
      actorId: e.actorId === null ? null : canon(e.actorId),
      targets: e.targets.map(canon),
    }))
    .sort((a, b) => a.at - b.at || a.id - b.id);
  const posts: Post[] = [];
  const invites: LinkPost[] = [];
  const messageCount = new Map<number, number>();
  const senders: { chatId: number; accountId: number; at: number }[] = [];
  for await (const page of store.messages()) {
    for (const m of page) {
      if (!groupIds.has(m.chatId)) continue;
      messageCount.set(m.chatId, (messageCount.get(m.chatId) ?? 0) + 1);
      const sender = m.senderId === null ? null : canon(m.senderId);
      if (sender !== null) senders.push({ chatId: m.chatId, accountId: sender, at: m.at });
      if (m.mediaSha256) {
        posts.push({
          id: m.id,
          chatId: m.chatId,
          senderId: sender,
          at: m.at,
          forwarded: m.forwarded,
          sha256: m.mediaSha256,
        });
      } else if (m.text && INVITE.test(m.text)) {
        invites.push({ id: m.id, chatId: m.chatId, senderId: sender, at: m.at });
      }
    }
  }
  posts.sort((a, b) => a.at - b.at || a.id - b.id);
  const snapshot = (await store.memberships()).map((m) => ({ ...m, accountId: canon(m.accountId) }));
  const evByChat = groupBy(events, (e) => e.chatId);
  const snapByChat = groupBy(snapshot, (m) => m.chatId);
  const sendByChat = groupBy(senders, (s) => s.chatId);
  const members = new Map<number, MemberState[]>();
  for (const g of groups) {
    members.set(
      g.id,
      replayMembership({
        events: evByChat.get(g.id) ?? [],
        snapshot: snapByChat.get(g.id) ?? [],
        senders: sendByChat.get(g.id) ?? [],
      }),
    );
  }
  const media = await store.media();
  const matchesByMedia = groupBy(await store.matches(), (m) => m.mediaId);
  return {
    accounts,
    accountById: new Map(accounts.map((a) => [a.id, a])),
    groups,
    groupIds,
    members,
    events,
    media,
    mediaBySha: new Map(media.map((m) => [m.sha256, m])),
    matchesByMedia,
    matched: (await store.getMeta('matched_at')) !== null,
    currentLists: await new HashListStore(store).fingerprint(),
    posts,
    invites,
    messageCount,
    reviewedCategory: new Map(
      [...(await new ReviewStore(store).reviews()).values()]
        .filter((r) => r.category)
        .map((r) => [r.mediaId, r.category!]),
    ),
    keywordHits: await new KeywordStore(store).hits(),
  };
}
