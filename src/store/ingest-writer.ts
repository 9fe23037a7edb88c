import { chatKindOfKey, textDigest } from '../model/keys.js';
import type { Location, ParsedMessage, ParsedRecord } from '../model/types.js';
import type { Param, SqlDriver } from './driver.js';

export interface IngestStats {
  accounts: { new: number; seen: number };
  chats: { new: number; seen: number };
  members: number;
  events: { new: number; duplicate: number };
  messages: { new: number; duplicate: number };
  media: { new: number; seen: number; present: number };
  unclassified: number;
  provenance: number;
  /** Set when the item linked chats or let identities be merged (src/store/chat-links.ts, identity-resolution.ts). */
  resolution?: {
    chatLinks: { from: string; into: string; shared: number; joined: { messages: number; events: number } }[];
    merged: { id: number; from: string; into: string; support: number }[];
  };
}

const BATCH = 5000;

function accountKind(key: string): string {
  const i = key.indexOf(':');
  return i > 0 ? key.slice(0, i) : 'other';
}

function provRow(
  caseId: string,
  factType: string,
  factId: number,
  aux: number | null,
  evidenceId: number,
  loc: Location,
): Param[] {
  return [
    caseId,
    factType,
    factId,
    aux,
    evidenceId,
    loc.kind,
    loc.table ?? null,
    loc.rowId ?? null,
    loc.line ?? null,
    loc.entry ?? null,
  ];
}

/** The messages columns ingest writes, in the order of its rows. */
export const MESSAGE_COLS = [
  'case_id',
  'id',
  'key',
  'chat_id',
  'sender_id',
  'at',
  'tz',
  'kind',
  'text',
  'forwarded',
  'forward_score',
  'wa_key_id',
  'media_sha256',
  'media_name',
  'media_status',
  'fingerprint',
];

export const PROV_COLS = [
  'case_id',
  'fact_type',
  'fact_id',
  'fact_aux',
  'evidence_id',
  'loc_kind',
  'loc_table',
  'loc_row',
  'loc_line',
  'loc_entry',
];

/**
 * Writes one evidence item's records inside the ingest transaction. Facts are deduplicated by natural key
 * against the whole case (so the same message from two phones is one row with two provenance rows).
 * Memory stays bounded: identities and chats are cached (they are few), messages and events are buffered
 * by batch and looked up in the database, which sees this transaction's earlier batches.
 */
export class IngestWriter {
  readonly stats: IngestStats = {
    accounts: { new: 0, seen: 0 },
    chats: { new: 0, seen: 0 },
    members: 0,
    events: { new: 0, duplicate: 0 },
    messages: { new: 0, duplicate: 0 },
    media: { new: 0, seen: 0, present: 0 },
    unclassified: 0,
    provenance: 0,
  };
  private readonly accountIds = new Map<string, number>();
  private readonly chatIds = new Map<string, number>();
  /**
   * Chats that already held facts of other items and got messages or events of this one: the only chats
   * where copies from two sources can meet (a chat this item created holds this item alone, and copies
   * within one item are never joined). Joined after the item is written.
   */
  readonly existingChatsWritten = new Set<number>();
  /** Ids from here on are chats this item created. */
  private firstNewChat = 1;
  private readonly next = { accounts: 1, chats: 1, events: 1, messages: 1, media: 1 };
  private messages: ParsedMessage[] = [];
  private events: Extract<ParsedRecord, { type: 'event' }>[] = [];
  private media: Extract<ParsedRecord, { type: 'media' }>[] = [];
  private prov: Param[][] = [];
  private jids: Param[][] = [];
  private names: Param[][] = [];
  private members: Param[][] = [];
  /** Kinds of message keys (`id`, `dig`) the case held before this item: no other kind, no lookup. */
  private readonly kindsInCase = new Set<string>();
  /** Messages of the other source kind already matched by fingerprint in this evidence item. */
  private readonly claimed = new Set<number>();

  constructor(
    private readonly db: SqlDriver,
    private readonly caseId: string,
    private readonly evidenceId: number,
  ) {}

  async init(): Promise<void> {
    for (const kind of ['id', 'dig']) {
      // A range on the (case_id, key) index: cheap in both engines however large the case.
      const hit = await this.db.get(
        'SELECT 1 AS x FROM messages WHERE case_id = ? AND key >= ? AND key < ? LIMIT 1',
        [this.caseId, `${kind}:`, `${kind};`],
      );
      if (hit) this.kindsInCase.add(kind);
    }
    // Ids are never reused: a message or event absorbed by a join (fact_joins) comes back with its id when
    // the merge is undone, and a linked chat's id stays in chat_links.
    const retired: Partial<Record<string, string>> = {
      chats: 'SELECT MAX(from_chat) AS m FROM chat_links WHERE case_id = ?',
      events: "SELECT MAX(absorbed_id) AS m FROM fact_joins WHERE case_id = ? AND fact_type = 'event'",
      messages: "SELECT MAX(absorbed_id) AS m FROM fact_joins WHERE case_id = ? AND fact_type = 'message'",
    };
    for (const t of ['accounts', 'chats', 'events', 'messages', 'media'] as const) {
      const r = await this.db.get<{ m: number | null }>(`SELECT MAX(id) AS m FROM ${t} WHERE case_id = ?`, [
        this.caseId,
      ]);
      const gone = retired[t]
        ? await this.db.get<{ m: number | null }>(retired[t], [this.caseId])
        : undefined;
      this.next[t] = Math.max(Number(r?.m ?? 0), Number(gone?.m ?? 0)) + 1;
    }
    this.firstNewChat = this.next.chats;
    for (const r of await this.db.all<{ key: string; id: number }>(
      'SELECT key, id FROM accounts WHERE case_id = ?',
      [this.caseId],
    ))
      this.accountIds.set(r.key, r.id);
    for (const r of await this.db.all<{ key: string; id: number }>(
      'SELECT key, chat_id AS id FROM chat_keys WHERE case_id = ?',
      [this.caseId],
    ))
      this.chatIds.set(r.key, Number(r.id));
  }

  get pending(): number {
    return (
      this.messages.length +
      this.events.length +
      this.media.length +
      this.prov.length +
      this.jids.length +
      this.members.length
    );
  }

  /** `aux` is the second half of a composite fact id (the account of a membership). */
  private addProv(factType: string, factId: number, loc: Location, aux: number | null = null): void {
    this.prov.push(provRow(this.caseId, factType, factId, aux, this.evidenceId, loc));
    this.stats.provenance++;
  }

  /** The id of an identity, creating a bare row when a record names one not declared yet. */
  async accountId(key: string, phone: string | null = null): Promise<number> {
    let id = this.accountIds.get(key);
    if (id === undefined) {
      id = this.next.accounts++;
      const ph = phone ?? (key.startsWith('phone:') ? key.slice(6) : null);
      await this.db.run('INSERT INTO accounts (case_id, id, key, kind, phone) VALUES (?, ?, ?, ?, ?)', [
        this.caseId,
        id,
        key,
        accountKind(key),
        ph,
      ]);
      this.accountIds.set(key, id);
      this.stats.accounts.new++;
    }
    return id;
  }

  private noteWritten(chat: number): void {
    if (chat < this.firstNewChat) this.existingChatsWritten.add(chat);
  }

  async chatId(key: string, kind: 'group' | 'direct'): Promise<number> {
    let id = this.chatIds.get(key);
    if (id === undefined) {
      id = this.next.chats++;
      await this.db.run('INSERT INTO chats (case_id, id, key, kind) VALUES (?, ?, ?, ?)', [
        this.caseId,
        id,
        key,
        kind,
      ]);
      await this.addChatKey(key, id);
      this.stats.chats.new++;
    }
    return id;
  }

  private async addChatKey(key: string, id: number): Promise<void> {
    this.chatIds.set(key, id);
    await this.db.run(
      'INSERT INTO chat_keys (case_id, key, chat_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      [this.caseId, key, id],
    );
  }

  /**
   * A database names a group by its JID, an export by its phone and subject; nothing is joined here by
   * subject (two phones' groups called "Familie" may be two groups). Chats of one group read from several
   * sources are linked by their messages once the evidence item is written (src/store/chat-links.ts).
   */
  private async groupChatId(rec: Extract<ParsedRecord, { type: 'group' }>): Promise<number> {
    const known = this.chatIds.has(rec.key);
    const id = await this.chatId(rec.key, 'group');
    if (known) this.stats.chats.seen++;
    return id;
  }

  async add(rec: ParsedRecord): Promise<void> {
    switch (rec.type) {
      case 'account': {
        const known = this.accountIds.has(rec.key);
        const id = await this.accountId(rec.key, rec.phone);
        if (known) {
          this.stats.accounts.seen++;
          if (rec.phone) {
            await this.db.run(
              'UPDATE accounts SET phone = ? WHERE case_id = ? AND id = ? AND phone IS NULL',
              [rec.phone, this.caseId, id],
            );
          }
        }
        for (const j of rec.jids) this.jids.push([this.caseId, id, j]);
        for (const n of rec.displayNames) this.names.push([this.caseId, id, n]);
        this.addProv('account', id, rec.loc);
        break;
      }
      case 'group': {
        const id = await this.groupChatId(rec);
        const creator = rec.creatorKey ? await this.accountId(rec.creatorKey) : null;
        await this.db.run(
          `UPDATE chats SET jid = COALESCE(jid, ?), subject = COALESCE(?, subject),
             created_at = COALESCE(created_at, ?), creator_id = COALESCE(creator_id, ?) WHERE case_id = ? AND id = ?`,
          [rec.jid, rec.subject, rec.createdAt, creator, this.caseId, id],
        );
        this.addProv('chat', id, rec.loc);
        break;
      }
      case 'member': {
        const chat = await this.chatId(rec.groupKey, 'group');
        const acc = await this.accountId(rec.accountKey);
        this.members.push([this.caseId, chat, acc, rec.rank, rec.active ? 1 : 0]);
        this.stats.members++;
        this.addProv('membership', chat, rec.loc, acc);
        break;
      }
      case 'event':
        this.events.push(rec);
        break;
      case 'media':
        this.media.push(rec);
        break;
      case 'message':
        this.messages.push(rec);
        break;
      case 'unclassified': {
        const chat = rec.chatKey ? (this.chatIds.get(rec.chatKey) ?? null) : null;
        await this.db.insertMany(
          'unclassified',
          ['case_id', 'evidence_id', 'chat_id', 'raw', 'reason', 'loc_line', 'loc_entry'],
          [
            [
              this.caseId,
              this.evidenceId,
              chat,
              rec.raw,
              rec.reason,
              rec.loc.line ?? null,
              rec.loc.entry ?? null,
            ],
          ],
        );
        this.stats.unclassified++;
        break;
      }
    }
    if (this.pending >= BATCH) await this.flush();
  }

  /** Looks up which natural keys already exist, in chunks the engines accept. */
  private async existing(table: string, col: string, keys: string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (let i = 0; i < keys.length; i += 500) {
      const chunk = keys.slice(i, i + 500);
      const rows = await this.db.all<{ k: string; id: number }>(
        `SELECT ${col} AS k, id FROM ${table} WHERE case_id = ? AND ${col} IN (${chunk.map(() => '?').join(',')})`,
        [this.caseId, ...chunk],
      );
      for (const r of rows) found.set(r.k, r.id);
    }
    return found;
  }

  private sinceAnalyze = 0;

  /**
   * PostgreSQL plans from statistics that cannot see this transaction's rows: as a case grows inside one
   * evidence item the planner keeps believing it tiny and reads the natural-key lookups through the
   * (case_id, id) key — a scan of the whole case per batch. ANALYZE inside the transaction counts our
   * own rows, so re-estimating every 20,000 new messages keeps the lookups on their unique index.
   */
  private async refreshStatistics(): Promise<void> {
    if (this.db.dialect !== 'postgres' || this.sinceAnalyze < 20_000) return;
    this.sinceAnalyze = 0;
    await this.db.exec('ANALYZE messages');
    await this.db.exec('ANALYZE events');
  }

  async flush(): Promise<void> {
    await this.refreshStatistics();
    await this.db.insertMany('account_jids', ['case_id', 'account_id', 'jid'], this.jids.splice(0), true);
    await this.db.insertMany('account_names', ['case_id', 'account_id', 'name'], this.names.splice(0), true);
    // One membership row per (chat, account): the highest rank and any active sighting win.
    const members = new Map<string, Param[]>();
    for (const m of this.members.splice(0)) {
      const k = `${m[1]}|${m[2]}`;
      const prev = members.get(k);
      if (!prev) members.set(k, m);
      else
        members.set(k, [
          m[0],
          m[1],
          m[2],
          Math.max(Number(prev[3]), Number(m[3])),
          Math.max(Number(prev[4]), Number(m[4])),
        ]);
    }
    await this.db.insertMany(
      'memberships',
      ['case_id', 'chat_id', 'account_id', 'rank', 'active'],
      [...members.values()],
      `ON CONFLICT (case_id, chat_id, account_id) DO UPDATE SET
         rank = CASE WHEN excluded.rank > memberships.rank THEN excluded.rank ELSE memberships.rank END,
         active = CASE WHEN excluded.active > memberships.active THEN excluded.active ELSE memberships.active END`,
    );
    await this.flushMedia();
    await this.flushEvents();
    await this.flushMessages();
    if (this.prov.length) {
      await this.db.insertMany('provenance', PROV_COLS, this.prov);
      this.prov = [];
    }
  }

  private async flushMedia(): Promise<void> {
    if (!this.media.length) return;
    const batch = this.media;
    this.media = [];
    const found = await this.existing('media', 'sha256', [...new Set(batch.map((m) => m.sha256))]);
    const rows: Param[][] = [];
    for (const m of batch) {
      if (m.present) this.stats.media.present++;
      let id = found.get(m.sha256);
      if (id === undefined) {
        id = this.next.media++;
        found.set(m.sha256, id);
        rows.push([
          this.caseId,
          id,
          m.sha256,
          m.md5,
          m.sha1,
          m.mime,
          m.size,
          m.present ? 1 : 0,
          m.present ? this.evidenceId : null,
          m.present ? m.fileRef : null,
        ]);
        this.stats.media.new++;
      } else {
        this.stats.media.seen++;
        if (m.present) {
          // A file now present for media known until now only by its hash: keep where it can be read.
          await this.flushMediaRows(rows);
          await this.db.run(
            `UPDATE media SET md5 = COALESCE(md5, ?), sha1 = COALESCE(sha1, ?), mime = COALESCE(mime, ?),
               size = COALESCE(size, ?), present = 1, file_evidence_id = COALESCE(file_evidence_id, ?),
               file_ref = COALESCE(file_ref, ?) WHERE case_id = ? AND id = ?`,
            [m.md5, m.sha1, m.mime, m.size, this.evidenceId, m.fileRef, this.caseId, id],
          );
        }
      }
      this.addProv('media', id, m.loc);
    }
    await this.flushMediaRows(rows);
  }

  private async flushMediaRows(rows: Param[][]): Promise<void> {
    if (!rows.length) return;
    await this.db.insertMany(
      'media',
      ['case_id', 'id', 'sha256', 'md5', 'sha1', 'mime', 'size', 'present', 'file_evidence_id', 'file_ref'],
      rows.splice(0),
    );
  }

  private async flushEvents(): Promise<void> {
    if (!this.events.length) return;
    const batch = this.events;
    this.events = [];
    const chats = new Map<string, number>();
    for (const e of batch)
      // An export of a one-to-one chat carries its encryption and security-code notices as events.
      if (!chats.has(e.groupKey)) {
        chats.set(e.groupKey, await this.chatId(e.groupKey, chatKindOfKey(e.groupKey)));
        this.noteWritten(chats.get(e.groupKey)!);
      }
    const keyed: { key: string; rec: (typeof batch)[number] }[] = batch.map((e) => ({
      rec: e,
      // Seen from two phones (or a phone and an export), one event: same chat, type, actor, targets, minute.
      key: [
        'ev',
        chats.get(e.groupKey),
        e.eventType,
        e.actorKey ?? '',
        [...e.targetKeys].sort().join(','),
        Math.floor(e.at / 60000),
        e.eventType === 'subject_changed' || e.eventType === 'description_changed' ? (e.value ?? '') : '',
      ].join('|'),
    }));
    const found = await this.existing('events', 'key', [...new Set(keyed.map((k) => k.key))]);
    const rows: Param[][] = [];
    for (const { key, rec } of keyed) {
      let id = found.get(key);
      if (id === undefined) {
        id = this.next.events++;
        found.set(key, id);
        const chat = chats.get(rec.groupKey)!;
        const actor = rec.actorKey ? await this.accountId(rec.actorKey) : null;
        const targets: number[] = [];
        for (const t of rec.targetKeys) targets.push(await this.accountId(t));
        rows.push([
          this.caseId,
          id,
          key,
          chat,
          rec.eventType,
          actor,
          JSON.stringify(targets),
          rec.at,
          rec.value,
          rec.raw,
        ]);
        this.stats.events.new++;
      } else {
        this.stats.events.duplicate++;
      }
      this.addProv('event', id, rec.loc);
    }
    await this.db.insertMany(
      'events',
      ['case_id', 'id', 'key', 'chat_id', 'type', 'actor_id', 'targets', 'at', 'value', 'raw'],
      rows,
    );
  }

  private async flushMessages(): Promise<void> {
    if (!this.messages.length) return;
    const batch = this.messages;
    this.messages = [];
    const found = await this.existing('messages', 'key', [...new Set(batch.map((m) => m.key))]);
    const prepared: { m: ParsedMessage; chat: number; sender: number | null; fingerprint: string | null }[] =
      [];
    for (const m of batch) {
      const chat = await this.chatId(m.chatKey, m.chatKind);
      this.noteWritten(chat);
      const sender = m.senderKey ? await this.accountId(m.senderKey) : null;
      prepared.push({ m, chat, sender, fingerprint: messageFingerprint(chat, sender, m) });
    }
    const byFingerprint = await this.crossSourceMatches(
      prepared.filter((p) => !found.has(p.m.key) && p.fingerprint !== null),
    );
    const rows: Param[][] = [];
    for (const { m, chat, sender, fingerprint } of prepared) {
      let id = found.get(m.key) ?? (fingerprint ? byFingerprint.get(fingerprint)?.shift() : undefined);
      if (id === undefined) {
        id = this.next.messages++;
        found.set(m.key, id);
        rows.push([
          this.caseId,
          id,
          m.key,
          chat,
          sender,
          m.at,
          m.tz,
          m.kind,
          m.text,
          m.forwarded ? 1 : 0,
          m.forwardScore,
          m.waKeyId,
          m.mediaSha256,
          m.mediaName,
          m.mediaStatus,
          fingerprint,
        ]);
        this.stats.messages.new++;
        this.sinceAnalyze++;
      } else {
        found.set(m.key, id);
        this.stats.messages.duplicate++;
        // Another copy may know more: the media an export left out, the WhatsApp id and forward flag a
        // database keeps.
        await this.db.run(
          // Casts: PostgreSQL cannot infer a parameter's type from IS NOT NULL or a comparison alone.
          `UPDATE messages SET media_sha256 = COALESCE(media_sha256, CAST(? AS TEXT)),
             media_status = CASE WHEN media_sha256 IS NULL AND CAST(? AS TEXT) IS NOT NULL THEN CAST(? AS TEXT)
               ELSE media_status END,
             wa_key_id = COALESCE(wa_key_id, CAST(? AS TEXT)), forward_score = COALESCE(forward_score, CAST(? AS BIGINT)),
             forwarded = CASE WHEN CAST(? AS BIGINT) = 1 THEN 1 ELSE forwarded END
           WHERE case_id = ? AND id = ?`,
          [
            m.mediaSha256,
            m.mediaSha256,
            m.mediaStatus,
            m.waKeyId,
            m.forwardScore,
            m.forwarded ? 1 : 0,
            this.caseId,
            id,
          ],
        );
      }
      this.addProv('message', id, m.loc);
    }
    await this.db.insertMany('messages', MESSAGE_COLS, rows);
  }

  /**
   * Existing messages from the *other* kind of source (an export line vs a database row) with the same
   * fingerprint. Within one kind, equal fingerprints are distinct messages (the same text twice in a
   * minute) and are told apart by their keys; across kinds, each existing message is claimed once.
   */
  private async crossSourceMatches(
    candidates: { m: ParsedMessage; fingerprint: string | null }[],
  ): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    const kindOf = (key: string) => key.slice(0, key.indexOf(':'));
    // Only messages of another kind can match; a database read into a case of databases looks up nothing.
    candidates = candidates.filter((c) => [...this.kindsInCase].some((k) => k !== kindOf(c.m.key)));
    if (!candidates.length) return out;
    const prints = [...new Set(candidates.map((c) => c.fingerprint!))];
    const wanted = new Map(candidates.map((c) => [c.fingerprint!, kindOf(c.m.key)]));
    for (let i = 0; i < prints.length; i += 500) {
      const chunk = prints.slice(i, i + 500);
      const rows = await this.db.all<{ f: string; id: number; key: string }>(
        `SELECT fingerprint AS f, id, key FROM messages WHERE case_id = ? AND fingerprint IN (${chunk
          .map(() => '?')
          .join(',')})`,
        [this.caseId, ...chunk],
      );
      rows.sort((a, b) => Number(a.id) - Number(b.id));
      for (const r of rows) {
        if (kindOf(r.key) === wanted.get(r.f) || this.claimed.has(Number(r.id))) continue;
        (out.get(r.f) ?? out.set(r.f, []).get(r.f)!).push(Number(r.id));
      }
    }
    for (const ids of out.values()) for (const id of ids) this.claimed.add(id);
    return out;
  }
}

const INVISIBLE = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const MEDIA_KINDS = new Set(['image', 'video', 'audio', 'document', 'sticker', 'gif', 'contact']);

/**
 * chat|sender|minute|content, where content is the media kind for a media message (an export may have
 * left the file out, so its hash cannot be the key; several pictures sent in one minute pair up in order)
 * or a digest of the normalized text. Null when nothing identifies the content.
 */
export function messageFingerprint(chat: number, sender: number | null, m: ParsedMessage): string | null {
  const content = messageContent(m.kind, m.text);
  if (content === null) return null;
  return `${chat}|${sender ?? ''}|${Math.floor(m.at / 60000)}|${content}`;
}

/** The content part of a fingerprint: the media kind, or a digest of the normalized text; null when none. */
export function messageContent(kind: string, text: string | null): string | null {
  const t = text ? text.replace(INVISIBLE, '').trim().normalize('NFC') : '';
  return MEDIA_KINDS.has(kind) ? `m:${kind}` : t ? textDigest(t) : null;
}
