import { canonicalizer } from '../model/canonical.js';
import { isLocalIdentity, linkChats, type ChatFacts } from '../model/identity.js';
import type { CaseStore, ChatRow } from './case-store.js';
import { joinChatCopies } from './fact-joins.js';
import { messageContent } from './ingest-writer.js';

/**
 * Shared (minute, content) units a chat without a JID needs with another chat to be linked to it. Three:
 * the identity rule's pairs of saved names and numbers start at two units, and a chat link decides more
 * (every line of the chat follows it); two unrelated groups that both hold "ok" and "good night" in the
 * same minutes (two units) stay two.
 */
export const MIN_SHARED_UNITS = 3;

export interface ChatLinkMade {
  from: { id: number; key: string; subject: string | null };
  into: { id: number; key: string; subject: string | null };
  shared: number;
  sameSubject: boolean;
  joined: { messages: number; events: number };
}

/**
 * Links the group chats of the case that the rules of `linkChats` (src/model/identity.ts) show to be one
 * group read from several sources — a phone's export (no JID) and another phone's database, or two phones'
 * exports — inside the evidence item's transaction `s`, after its records are written. The linked chat's
 * messages, events, memberships, unclassified lines, keys and provenance move into the chat it is one with,
 * the copies of one message both held become one (`joinChatCopies`), its row is deleted and a `chat_links`
 * row records what it was and why. The result does not depend on the order evidence was ingested in: every
 * ingest re-examines the chats without a JID that are still on their own.
 */
export async function linkChatsAfterIngest(
  s: CaseStore,
  evidenceId: number,
  at: number,
): Promise<ChatLinkMade[]> {
  const c = s.caseId;
  const chats = await s.chats();
  const parties = await directParties(s, chats);
  // Only chats without a JID (exports' groups) and one-to-one chats with a saved name are ever linked.
  const candidates = chats.filter((x) =>
    x.kind === 'group' ? x.jid === null : (parties.get(x.key) ?? []).some(isLocalIdentity),
  );
  if (!candidates.length || chats.length < 2) return [];
  const devices = new Map<number, string[]>();
  for (const r of await s.db.all<{ id: number; device: string }>(
    `SELECT DISTINCT p.fact_id AS id, e.device_label AS device FROM provenance p
       JOIN evidence e ON e.case_id = p.case_id AND e.id = p.evidence_id
     WHERE p.case_id = ? AND p.fact_type = 'chat'`,
    [c],
  ))
    (devices.get(Number(r.id)) ?? devices.set(Number(r.id), []).get(Number(r.id))!).push(r.device);
  const subjects = new Map(chats.map((x) => [x.id, x.subject === null ? [] : [x.subject]]));
  for (const r of await s.db.all<{ chat_id: number; value: string | null }>(
    `SELECT chat_id, value FROM events WHERE case_id = ? AND type = 'subject_changed' AND value IS NOT NULL`,
    [c],
  ))
    subjects.get(Number(r.chat_id))?.push(String(r.value));
  const facts: ChatFacts[] = chats.map((x) => ({
    id: x.id,
    devices: devices.get(x.id) ?? [],
    kind: x.kind,
    jid: x.jid,
    subjects: subjects.get(x.id) ?? [],
    ...(x.kind === 'direct' ? { parties: parties.get(x.key) ?? [] } : {}),
  }));
  // Every message of the case, while a chat is waiting to be linked (see docs/identity.md on this cost).
  const units: { chat: number; minute: number; content: string }[] = [];
  for (const r of await s.db.all<{ chat_id: number; at: number; kind: string; text: string | null }>(
    'SELECT chat_id, at, kind, text FROM messages WHERE case_id = ?',
    [c],
  )) {
    const content = messageContent(r.kind, r.text);
    if (content !== null)
      units.push({ chat: Number(r.chat_id), minute: Math.floor(Number(r.at) / 60000), content });
  }
  const links = linkChats(facts, units, { minShared: MIN_SHARED_UNITS });
  if (!links.length) return [];
  const byId = new Map(chats.map((x) => [x.id, x]));
  const next = await s.db.get<{ m: number | null }>('SELECT MAX(id) AS m FROM chat_links WHERE case_id = ?', [
    c,
  ]);
  let id = Number(next?.m ?? 0);
  const made: ChatLinkMade[] = [];
  for (const l of links) {
    const from = byId.get(l.from)!;
    const into = byId.get(l.into)!;
    await moveChat(s, from.id, into.id);
    const reason =
      `${l.shared} (minute, content) units held by both chats` +
      (l.sameSubject ? '; the same subject' : '') +
      (from.jid === null && into.jid !== null ? `; ${into.jid} is the group's JID` : '');
    await s.db.run(
      `INSERT INTO chat_links (case_id, id, from_chat, from_key, from_subject, into_chat, shared, same_subject,
         reason, evidence_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        c,
        ++id,
        from.id,
        from.key,
        from.subject,
        into.id,
        l.shared,
        l.sameSubject ? 1 : 0,
        reason,
        evidenceId,
        at,
      ],
    );
    made.push({
      from: { id: from.id, key: from.key, subject: from.subject },
      into: { id: into.id, key: into.key, subject: into.subject },
      shared: l.shared,
      sameSubject: l.sameSubject,
      joined: { messages: 0, events: 0 },
    });
  }
  // Joined once per surviving chat, after every link into it moved its facts.
  const canon = canonicalizer(await s.accounts());
  for (const into of new Set(links.map((l) => l.into))) {
    const joined = await joinChatCopies(s, into, canon);
    const first = made.find((m) => m.into.id === into)!;
    first.joined = joined;
  }
  return made;
}

/** Moves every fact of chat `from` into chat `into` and deletes `from`'s row. */
async function moveChat(s: CaseStore, from: number, into: number): Promise<void> {
  const c = s.caseId;
  const prefix = String(from).length + 1;
  // The fingerprint starts with the chat id (ingest-writer.ts messageFingerprint): keep it true.
  await s.db.run(
    `UPDATE messages SET chat_id = ?, fingerprint = CASE WHEN fingerprint IS NULL THEN NULL
       ELSE CAST(? AS TEXT) || SUBSTR(fingerprint, ?) END WHERE case_id = ? AND chat_id = ?`,
    [into, String(into), prefix, c, from],
  );
  await s.db.run('UPDATE events SET chat_id = ? WHERE case_id = ? AND chat_id = ?', [into, c, from]);
  await s.db.run('UPDATE unclassified SET chat_id = ? WHERE case_id = ? AND chat_id = ?', [into, c, from]);
  await s.db.run('UPDATE chat_keys SET chat_id = ? WHERE case_id = ? AND chat_id = ?', [into, c, from]);
  // A person on both participant lists keeps the higher rank and stays active if either says so.
  const members = await s.db.all<{
    account_id: number;
    rank: number;
    active: number;
    deleted_later: number | null;
  }>('SELECT account_id, rank, active, deleted_later FROM memberships WHERE case_id = ? AND chat_id = ?', [
    c,
    from,
  ]);
  for (const m of members) {
    const there = await s.db.get<{ rank: number; active: number }>(
      'SELECT rank, active FROM memberships WHERE case_id = ? AND chat_id = ? AND account_id = ?',
      [c, into, m.account_id],
    );
    if (there)
      await s.db.run(
        'UPDATE memberships SET rank = ?, active = ? WHERE case_id = ? AND chat_id = ? AND account_id = ?',
        [
          Math.max(Number(there.rank), Number(m.rank)),
          Math.max(Number(there.active), Number(m.active)),
          c,
          into,
          m.account_id,
        ],
      );
    else
      await s.db.run(
        'INSERT INTO memberships (case_id, chat_id, account_id, rank, active, deleted_later) VALUES (?, ?, ?, ?, ?, ?)',
        [c, into, m.account_id, m.rank, m.active, m.deleted_later],
      );
  }
  await s.db.run('DELETE FROM memberships WHERE case_id = ? AND chat_id = ?', [c, from]);
  await s.db.run(
    `UPDATE provenance SET fact_id = ? WHERE case_id = ? AND fact_type IN ('chat', 'membership') AND fact_id = ?`,
    [into, c, from],
  );
  const f = await s.db.get<{ subject: string | null; created_at: number | null; creator_id: number | null }>(
    'SELECT subject, created_at, creator_id FROM chats WHERE case_id = ? AND id = ?',
    [c, from],
  );
  await s.db.run(
    `UPDATE chats SET subject = COALESCE(subject, CAST(? AS TEXT)), created_at = COALESCE(created_at, CAST(? AS BIGINT)),
       creator_id = COALESCE(creator_id, CAST(? AS BIGINT)) WHERE case_id = ? AND id = ?`,
    [f?.subject ?? null, f?.created_at ?? null, f?.creator_id ?? null, c, into],
  );
  await s.db.run('DELETE FROM analysis_groups WHERE case_id = ? AND chat_id = ?', [c, from]);
  await s.db.run('DELETE FROM chats WHERE case_id = ? AND id = ?', [c, from]);
}

/**
 * Joins the copies of one message or event that different sources put into the chats an evidence item
 * wrote to (two phones' databases of one group; an export line and a database row whose senders are one
 * account). A chat linked away meanwhile is followed to the chat it became.
 */
export async function joinCopiesInChats(
  s: CaseStore,
  chats: Iterable<number>,
  alreadyJoined: Set<number> = new Set(),
): Promise<void> {
  const into = new Map(
    (
      await s.db.all<{ from_chat: number; into_chat: number }>(
        'SELECT from_chat, into_chat FROM chat_links WHERE case_id = ?',
        [s.caseId],
      )
    ).map((r) => [Number(r.from_chat), Number(r.into_chat)]),
  );
  const follow = (id: number) => {
    for (let hops = 0; into.has(id) && hops < 64; hops++) id = into.get(id)!;
    return id;
  };
  const todo = [...new Set([...chats].map(follow))].filter((chat) => !alreadyJoined.has(chat));
  if (!todo.length) return;
  const canon = canonicalizer(await s.accounts());
  for (const chat of todo) await joinChatCopies(s, chat, canon);
}

/**
 * The two accounts of each one-to-one chat, as merges stand, read from its key (`direct:<a>|<b>`, keys in
 * sorted order; a saved name may itself hold a "|", so the split is where both halves are accounts).
 */
async function directParties(s: CaseStore, chats: ChatRow[]): Promise<Map<string, string[]>> {
  const accounts = await s.accounts();
  const canon = canonicalizer(accounts);
  const idOf = new Map(accounts.map((a) => [a.key, a.id]));
  const keyOf = new Map(accounts.map((a) => [a.id, a.key]));
  const out = new Map<string, string[]>();
  for (const x of chats) {
    if (x.kind !== 'direct' || !x.key.startsWith('direct:')) continue;
    const rest = x.key.slice('direct:'.length);
    for (let i = rest.indexOf('|'); i >= 0; i = rest.indexOf('|', i + 1)) {
      const [a, b] = [rest.slice(0, i), rest.slice(i + 1)];
      if (!idOf.has(a) || !idOf.has(b)) continue;
      out.set(
        x.key,
        [a, b].map((k) => keyOf.get(canon(idOf.get(k)!))!),
      );
      break;
    }
  }
  return out;
}
