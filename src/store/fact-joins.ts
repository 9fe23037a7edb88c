import { canonicalizer } from '../model/canonical.js';
import type { CaseStore } from './case-store.js';
import type { Param } from './driver.js';
import { MESSAGE_COLS as INGESTED_MESSAGE_COLS, PROV_COLS, messageContent } from './ingest-writer.js';

/**
 * After an identity merge, the copies of one message that two devices hold become one message: an export
 * line written by "Camila L." and the database row sent by her number, in one chat, in one minute, with the
 * same content. The kept message gets the absorbed one's provenance rows (one message, a provenance row per
 * source); the absorbed row and its provenance are kept in `fact_joins` so that undoing the merge restores
 * them. Copies from one device are never joined: on one device equal messages are distinct messages.
 */

const MESSAGE_COLS = [...INGESTED_MESSAGE_COLS, 'deleted_later'];
const EVENT_COLS = [
  'case_id',
  'id',
  'key',
  'chat_id',
  'type',
  'actor_id',
  'targets',
  'at',
  'value',
  'raw',
  'deleted_later',
];

/**
 * Joins the messages and events of `into` (and of every account merged into it) that the merge made one,
 * inside the merge's transaction `s`; returns how many copies were absorbed.
 */
export async function joinFactsAfterMerge(
  s: CaseStore,
  mergeId: number,
  into: number,
): Promise<{ messages: number; events: number }> {
  const accounts = await s.accounts();
  const canon = canonicalizer(accounts);
  const ids = accounts.filter((a) => canon(a.id) === into).map((a) => a.id);
  if (ids.length < 2) return { messages: 0, events: 0 };
  return {
    messages: await joinMessages(s, mergeId, ids),
    events: await joinEvents(s, mergeId, ids, canon),
  };
}

async function joinMessages(s: CaseStore, mergeId: number, ids: number[]): Promise<number> {
  const c = s.caseId;
  const rows = await s.db.all<Record<string, unknown>>(
    `SELECT * FROM messages WHERE case_id = ? AND sender_id IN (${ids.map(() => '?').join(',')}) ORDER BY id`,
    [c, ...ids],
  );
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const r of rows) {
    const content = messageContent(String(r.kind), (r.text as string | null) ?? null);
    if (content === null) continue;
    const k = `${r.chat_id}|${Math.floor(Number(r.at) / 60000)}|${content}`;
    (groups.get(k) ?? groups.set(k, []).get(k)!).push(r);
  }
  return joinGroups(s, mergeId, 'message', groups);
}

/**
 * Within each group of copies, joins those that are one fact read twice: copies read from disjoint sets of
 * evidence items and of (phone, kind of source) pairs — another phone, or the same phone's other kind of
 * source (its export line and its own database's row). Two equal messages in one phone's database (or one
 * export) stay two: a multiset union per source.
 */
async function joinGroups(
  s: CaseStore,
  mergeId: number,
  factType: 'message' | 'event',
  groups: Map<string, Record<string, unknown>[]>,
): Promise<number> {
  const c = s.caseId;
  const table = factType === 'message' ? 'messages' : 'events';
  let joined = 0;
  for (const list of groups.values()) {
    if (list.length < 2) continue;
    // A copy's sources: (phone, kind of source) pairs — one phone's export and its database are two.
    const sources = new Map<number, { held: Set<string>; kinds: Set<string>; evidence: Set<number> }>();
    const prov = new Map<number, Record<string, unknown>[]>();
    for (const r of list) {
      const p = await s.db.all<Record<string, unknown>>(
        `SELECT p.*, e.device_label AS device, e.kind AS evidence_kind FROM provenance p
           JOIN evidence e ON e.case_id = p.case_id AND e.id = p.evidence_id
         WHERE p.case_id = ? AND p.fact_type = ? AND p.fact_id = ?`,
        [c, factType, Number(r.id)],
      );
      prov.set(Number(r.id), p);
      sources.set(Number(r.id), {
        held: new Set(p.map((x) => `${String(x.device)}|${sourceKind(String(x.evidence_kind))}`)),
        kinds: new Set(p.map((x) => sourceKind(String(x.evidence_kind)))),
        evidence: new Set(p.map((x) => Number(x.evidence_id))),
      });
    }
    // Database rows are kept over export lines (they carry WhatsApp ids, forward flags, an event's actor
    // an export line may not name); then the oldest row.
    const rank = (r: Record<string, unknown>) =>
      (sources.get(Number(r.id))!.kinds.has('database') ? 0 : 2) +
      (String(r.key).startsWith('id:') || (factType === 'event' && r.actor_id !== null) ? 0 : 1);
    list.sort((a, b) => rank(a) - rank(b) || Number(a.id) - Number(b.id));
    const kept: Record<string, unknown>[] = [];
    for (const r of list) {
      const mine = sources.get(Number(r.id))!;
      const k = kept.find((x) => {
        const theirs = sources.get(Number(x.id))!;
        return (
          ![...mine.evidence].some((e) => theirs.evidence.has(e)) &&
          ![...mine.held].some((h) => theirs.held.has(h))
        );
      });
      if (!k) {
        kept.push(r);
        continue;
      }
      const kid = Number(k.id);
      const rid = Number(r.id);
      const moved = prov.get(rid)!.map(({ device: _device, evidence_kind: _kind, ...p }) => p);
      await s.db.run(
        `INSERT INTO fact_joins (case_id, merge_id, fact_type, kept_id, absorbed_id, absorbed_row, absorbed_provenance)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [c, mergeId, factType, kid, rid, JSON.stringify(r), JSON.stringify(moved)],
      );
      await s.db.run(
        'UPDATE provenance SET fact_id = ? WHERE case_id = ? AND fact_type = ? AND fact_id = ?',
        [kid, c, factType, rid],
      );
      if (factType === 'message')
        // An export may hold the file a database knows by hash only, and the other way round; a database
        // keeps the forward flag an export cannot show.
        await s.db.run(
          `UPDATE messages SET media_sha256 = COALESCE(media_sha256, CAST(? AS TEXT)),
             media_status = CASE WHEN media_sha256 IS NULL THEN COALESCE(CAST(? AS TEXT), media_status) ELSE media_status END,
             wa_key_id = COALESCE(wa_key_id, CAST(? AS TEXT)), forward_score = COALESCE(forward_score, CAST(? AS BIGINT)),
             forwarded = CASE WHEN CAST(? AS BIGINT) = 1 THEN 1 ELSE forwarded END
           WHERE case_id = ? AND id = ?`,
          [
            (r.media_sha256 as string | null) ?? null,
            (r.media_status as string | null) ?? null,
            (r.wa_key_id as string | null) ?? null,
            r.forward_score === null || r.forward_score === undefined ? null : Number(r.forward_score),
            Number(r.forwarded) === 1 ? 1 : 0,
            c,
            kid,
          ],
        );
      await s.db.run(`DELETE FROM ${table} WHERE case_id = ? AND id = ?`, [c, rid]);
      const theirs = sources.get(kid)!;
      mine.held.forEach((d) => theirs.held.add(d));
      mine.kinds.forEach((d) => theirs.kinds.add(d));
      mine.evidence.forEach((d) => theirs.evidence.add(d));
      joined++;
    }
  }
  return joined;
}

const sourceKind = (evidenceKind: string) => (evidenceKind.startsWith('chat-export') ? 'export' : 'database');

/**
 * After two chats were linked (src/store/chat-links.ts), the copies of one message or event that both held
 * become one, in the link's transaction `s`: same sender (as merges stand), minute and content. Recorded in
 * fact_joins with merge id 0 (links are not undone).
 */
export async function joinChatCopies(
  s: CaseStore,
  chatId: number,
  /** The accounts as merges stand, when the caller joins several chats with the accounts unchanged. */
  canon?: (id: number) => number,
): Promise<{ messages: number; events: number }> {
  const c = s.caseId;
  canon ??= canonicalizer(await s.accounts());
  const rows = await s.db.all<Record<string, unknown>>(
    'SELECT * FROM messages WHERE case_id = ? AND chat_id = ? ORDER BY id',
    [c, chatId],
  );
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const r of rows) {
    const content = messageContent(String(r.kind), (r.text as string | null) ?? null);
    if (content === null) continue;
    const sender = r.sender_id === null ? '' : canon(Number(r.sender_id));
    const k = `${sender}|${Math.floor(Number(r.at) / 60000)}|${content}`;
    (groups.get(k) ?? groups.set(k, []).get(k)!).push(r);
  }
  const messages = await joinGroups(s, 0, 'message', groups);
  const events = await joinGroups(
    s,
    0,
    'event',
    eventGroups(
      await s.db.all<Record<string, unknown>>(
        'SELECT * FROM events WHERE case_id = ? AND chat_id = ? ORDER BY id',
        [c, chatId],
      ),
      canon,
      () => true,
    ),
  );
  return { messages, events };
}

/** An export's system line and a database's row of one event. Reads the case's events (far fewer than messages). */
async function joinEvents(
  s: CaseStore,
  mergeId: number,
  ids: number[],
  canon: (id: number) => number,
): Promise<number> {
  const rows = await s.db.all<Record<string, unknown>>('SELECT * FROM events WHERE case_id = ? ORDER BY id', [
    s.caseId,
  ]);
  const member = new Set(ids);
  const involves = (r: Record<string, unknown>) =>
    (r.actor_id !== null && member.has(Number(r.actor_id))) ||
    (JSON.parse(String(r.targets)) as number[]).some((t) => member.has(t));
  return joinGroups(s, mergeId, 'event', eventGroups(rows, canon, involves));
}

/**
 * Events that are one event: chat, type, targets as merges stand, minute, new subject, and the actor — an
 * event without one (an export's "X is now an admin" names nobody) goes with the copies that name one when
 * they all name the same person.
 */
function eventGroups(
  rows: Record<string, unknown>[],
  canon: (id: number) => number,
  keep: (r: Record<string, unknown>) => boolean,
): Map<string, Record<string, unknown>[]> {
  const byFact = new Map<string, Record<string, unknown>[]>();
  for (const r of rows) {
    if (!keep(r)) continue;
    const targets = JSON.parse(String(r.targets)) as number[];
    const k = [
      r.chat_id,
      r.type,
      targets
        .map(canon)
        .sort((a, b) => a - b)
        .join(','),
      Math.floor(Number(r.at) / 60000),
      r.type === 'subject_changed' || r.type === 'description_changed' ? String(r.value ?? '') : '',
    ].join('|');
    (byFact.get(k) ?? byFact.set(k, []).get(k)!).push(r);
  }
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const [k, list] of byFact) {
    const actors = new Set(list.filter((r) => r.actor_id !== null).map((r) => canon(Number(r.actor_id))));
    for (const r of list) {
      const actor =
        r.actor_id === null ? (actors.size === 1 ? [...actors][0]! : '') : canon(Number(r.actor_id));
      const g = `${k}|${actor}`;
      (groups.get(g) ?? groups.set(g, []).get(g)!).push(r);
    }
  }
  return groups;
}

/** Undoes the joins a merge made: each absorbed message comes back with its own provenance rows. */
export async function restoreJoins(
  s: CaseStore,
  mergeId: number,
): Promise<{ messages: number; events: number }> {
  const c = s.caseId;
  const joins = await s.db.all<Record<string, unknown>>(
    'SELECT * FROM fact_joins WHERE case_id = ? AND merge_id = ? ORDER BY absorbed_id DESC',
    [c, mergeId],
  );
  for (const j of joins) {
    const row = JSON.parse(String(j.absorbed_row)) as Record<string, Param>;
    const prov = JSON.parse(String(j.absorbed_provenance)) as Record<string, Param>[];
    const kept = Number(j.kept_id);
    const factType = String(j.fact_type);
    const cols = factType === 'message' ? MESSAGE_COLS : EVENT_COLS;
    const evidence = [...new Set(prov.map((p) => Number(p.evidence_id)))];
    await s.db.run(
      `DELETE FROM provenance WHERE case_id = ? AND fact_type = ? AND fact_id = ?
         AND evidence_id IN (${evidence.map(() => '?').join(',')})`,
      [c, factType, kept, ...evidence],
    );
    await s.db.insertMany(factType === 'message' ? 'messages' : 'events', cols, [
      cols.map((col) => (row[col] === undefined ? null : row[col]!)),
    ]);
    await s.db.insertMany(
      'provenance',
      PROV_COLS,
      prov.map((p) => PROV_COLS.map((col) => (p[col] === undefined ? null : p[col]!))),
    );
    await s.db.run('DELETE FROM fact_joins WHERE case_id = ? AND fact_type = ? AND absorbed_id = ?', [
      c,
      factType,
      Number(j.absorbed_id),
    ]);
  }
  const count = (t: string) => joins.filter((j) => String(j.fact_type) === t).length;
  return { messages: count('message'), events: count('event') };
}
