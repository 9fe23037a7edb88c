import { createHash } from 'node:crypto';
import type { CaseStore, ChatRow, MessageRow } from '../store/case-store.js';

/**
 * One group seen through two kinds of source. A device database names a group by its JID (`jid:…`) and
 * its messages by WhatsApp key id; an "Export chat" file knows neither, so the store keeps its chat
 * (`export:<subject>`) and messages (sender + minute + text digest) apart. THE RULE: an export chat is the
 * database chat that shares the most messages with it — same sender, same minute, same words or same
 * picture hash — when they share at least MIN_SHARED such messages and either have the same subject or
 * the shared messages are at least a fifth of the export's. Its messages that match one of the database
 * chat's are the same messages (dropped as duplicates, the database copy carries the forwarded flag and
 * seconds); the rest, its events and its members are read as the database chat's.
 * O(M) time and memory (one 52-bit fingerprint per group message).
 */
export const MIN_SHARED = 3;

export interface ChatMerge {
  /** export chat id → database chat id. */
  into: Map<number, number>;
  /** Messages of export chats that duplicate a database chat's message. */
  duplicates: Set<number>;
  /** For the report: export chat id → shared messages and the rule's reading. */
  evidence: Map<number, { shared: number; sameSubject: boolean }>;
}

function fingerprint(m: MessageRow): number {
  const what = m.mediaSha256 ? `m:${m.mediaSha256}` : `t:${m.text ?? ''}`;
  const h = createHash('sha1')
    .update(`${m.senderId}|${Math.floor(m.at / 60_000)}|${what}`)
    .digest('hex');
  return parseInt(h.slice(0, 13), 16);
}

export async function mergeSameChats(store: CaseStore, groups: ChatRow[]): Promise<ChatMerge> {
  const isExport = new Map(groups.map((g) => [g.id, g.key.startsWith('export:')]));
  const byChat = new Map<number, Map<number, number[]>>();
  for await (const page of store.messages()) {
    for (const m of page) {
      if (!isExport.has(m.chatId)) continue;
      const fps = byChat.get(m.chatId) ?? byChat.set(m.chatId, new Map()).get(m.chatId)!;
      const f = fingerprint(m);
      (fps.get(f) ?? fps.set(f, []).get(f)!).push(m.id);
    }
  }
  const dbChats = groups.filter((g) => !isExport.get(g.id));
  // fingerprint → database chats holding it, so each export message is looked up once.
  const holders = new Map<number, number[]>();
  for (const g of dbChats)
    for (const f of byChat.get(g.id)?.keys() ?? []) (holders.get(f) ?? holders.set(f, []).get(f)!).push(g.id);
  const subject = new Map(groups.map((g) => [g.id, g.subject]));
  const out: ChatMerge = { into: new Map(), duplicates: new Set(), evidence: new Map() };
  for (const e of groups) {
    if (!isExport.get(e.id)) continue;
    const fps = byChat.get(e.id) ?? new Map<number, number[]>();
    const shared = new Map<number, number>();
    for (const f of fps.keys()) for (const c of holders.get(f) ?? []) shared.set(c, (shared.get(c) ?? 0) + 1);
    let best: number | null = null;
    for (const [c, n] of shared)
      if (best === null || n > shared.get(best)! || (n === shared.get(best)! && c < best)) best = c;
    if (best === null) continue;
    const n = shared.get(best)!;
    const sameSubject = subject.get(best) !== null && subject.get(best) === e.subject;
    if (n < MIN_SHARED || (!sameSubject && n * 5 < fps.size)) continue;
    out.into.set(e.id, best);
    out.evidence.set(e.id, { shared: n, sameSubject });
    const target = byChat.get(best)!;
    for (const [f, ids] of fps) if (target.has(f)) ids.forEach((id) => out.duplicates.add(id));
  }
  return out;
}
