import type { CaseStore } from './case-store.js';
import type { Param } from './driver.js';
import { PG_CONFIG, messageBody, pgDocument } from './search-schema.js';
import { toFts5, toTsquery, type SearchQuery } from '../search/query.js';

/** Narrowing of a search (all optional; together they AND). */
export interface SearchFilters {
  chatId?: number;
  /** Messages sent by one of these accounts; an empty list matches nothing. */
  senderIds?: number[];
  /** Milliseconds since the epoch, inclusive. */
  from?: number;
  /** Milliseconds since the epoch, exclusive. */
  to?: number;
  /** A media message (a kind that carries a file, or a known file hash), or not. */
  hasMedia?: boolean;
}

export interface SearchRow {
  id: number;
  chatId: number;
  chatSubject: string | null;
  chatKind: string | null;
  senderId: number | null;
  at: number;
  kind: string;
  text: string | null;
  mediaName: string | null;
  deletedLater: number | null;
  /** Relevance, higher is better (FTS5: −bm25; PostgreSQL: ts_rank): comparable within one engine only. */
  score: number;
}

const MEDIA_KINDS = ['image', 'video', 'audio', 'document', 'sticker', 'gif'];

/** The full-text index's reads and its rebuild (src/store/search-schema.ts keeps it as rows change). */
export class SearchStore {
  constructor(private readonly store: CaseStore) {}

  private get db() {
    return this.store.db;
  }

  private filterSql(f: SearchFilters, params: Param[]): string | null {
    const where: string[] = [];
    if (f.chatId !== undefined) {
      where.push('m.chat_id = ?');
      params.push(f.chatId);
    }
    if (f.senderIds) {
      if (!f.senderIds.length) return null;
      where.push(`m.sender_id IN (${f.senderIds.map(() => '?').join(',')})`);
      params.push(...f.senderIds);
    }
    if (f.from !== undefined) {
      where.push('m.at >= ?');
      params.push(f.from);
    }
    if (f.to !== undefined) {
      where.push('m.at < ?');
      params.push(f.to);
    }
    if (f.hasMedia !== undefined) {
      const media = `(m.media_sha256 IS NOT NULL OR m.kind IN (${MEDIA_KINDS.map((k) => `'${k}'`).join(', ')}))`;
      where.push(f.hasMedia ? media : `NOT ${media}`);
    }
    return where.map((w) => ` AND ${w}`).join('');
  }

  /**
   * One page of the messages matching `q` and `f`, by relevance then time (oldest first) then id, and how
   * many match in all.
   */
  async messages(
    q: SearchQuery,
    f: SearchFilters,
    offset: number,
    limit: number,
  ): Promise<{ total: number; rows: SearchRow[] }> {
    const c = this.store.caseId;
    const cols = `m.id, m.chat_id, m.sender_id, m.at, m.kind, m.text, m.media_name, m.deleted_later,
      ch.subject AS chat_subject, ch.kind AS chat_kind`;
    const chats = 'LEFT JOIN chats ch ON ch.case_id = m.case_id AND ch.id = m.chat_id';
    // FROM (the index joined to the case's messages) and the first WHERE condition; `head` their parameters.
    let from: string;
    let match: string;
    let score: string;
    let order: string;
    const head: Param[] = [];
    if (this.db.dialect === 'sqlite') {
      from = 'search_messages f JOIN messages m ON m.case_id = ? AND m.id = f.rowid';
      match = 'f.search_messages MATCH ?';
      head.push(c, toFts5(q));
      score = '-f.rank';
      order = 'f.rank, m.at, m.id';
    } else {
      from = `to_tsquery('${PG_CONFIG}', ?) AS tq(q)
        JOIN search_messages s ON s.case_id = ? AND s.doc @@ tq.q
        JOIN messages m ON m.case_id = s.case_id AND m.id = s.message_id`;
      match = 'TRUE';
      head.push(toTsquery(q), c);
      score = 'ts_rank(s.doc, tq.q)';
      order = 'score DESC, m.at, m.id';
    }
    const params = [...head];
    const filters = this.filterSql(f, params);
    if (filters === null) return { total: 0, rows: [] };
    const total = await this.db.get<{ n: number }>(
      `SELECT COUNT(*) AS n FROM ${from} WHERE ${match}${filters}`,
      params,
    );
    const rows = await this.db.all<Record<string, unknown>>(
      `SELECT ${cols}, ${score} AS score FROM ${from} ${chats} WHERE ${match}${filters}
       ORDER BY ${order} LIMIT ? OFFSET ?`,
      [...params, limit, offset],
    );
    return {
      total: Number(total?.n ?? 0),
      rows: rows.map((r) => ({
        id: Number(r.id),
        chatId: Number(r.chat_id),
        chatSubject: (r.chat_subject as string | null) ?? null,
        chatKind: (r.chat_kind as string | null) ?? null,
        senderId: r.sender_id === null ? null : Number(r.sender_id),
        at: Number(r.at),
        kind: String(r.kind),
        text: (r.text as string | null) ?? null,
        mediaName: (r.media_name as string | null) ?? null,
        deletedLater: r.deleted_later == null ? null : Number(r.deleted_later),
        score: Number(r.score),
      })),
    };
  }

  /**
   * Every message of the case matching `q` (id, chat, sender), unranked and unpaged: the keyword lists'
   * hits (src/app/keywords.ts) are all the matches of each term, found through the same index as a search.
   */
  async matchingMessages(q: SearchQuery): Promise<{ id: number; chatId: number; senderId: number | null }[]> {
    const c = this.store.caseId;
    const rows =
      this.db.dialect === 'sqlite'
        ? await this.db.all<{ id: number; chat_id: number; sender_id: number | null }>(
            `SELECT m.id, m.chat_id, m.sender_id FROM search_messages f
               JOIN messages m ON m.case_id = ? AND m.id = f.rowid
              WHERE f.search_messages MATCH ? ORDER BY m.id`,
            [c, toFts5(q)],
          )
        : await this.db.all<{ id: number; chat_id: number; sender_id: number | null }>(
            `SELECT m.id, m.chat_id, m.sender_id FROM search_messages s
               JOIN messages m ON m.case_id = s.case_id AND m.id = s.message_id
              WHERE s.case_id = ? AND s.doc @@ to_tsquery('${PG_CONFIG}', ?) ORDER BY m.id`,
            [c, toTsquery(q)],
          );
    return rows.map((r) => ({
      id: Number(r.id),
      chatId: Number(r.chat_id),
      senderId: r.sender_id === null ? null : Number(r.sender_id),
    }));
  }

  /** Display names (account id, name) and chat subjects (chat id, subject) matching `q`, by id, at most `limit` each. */
  async names(
    q: SearchQuery,
    limit: number,
  ): Promise<{ accounts: { id: number; name: string }[]; chats: { id: number; subject: string }[] }> {
    const c = this.store.caseId;
    if (this.db.dialect === 'sqlite') {
      const pick = (kind: string) =>
        this.db.all<{ ref: number; name: string }>(
          `SELECT ref, name FROM search_names WHERE search_names MATCH ? AND kind = ? ORDER BY ref, name LIMIT ?`,
          [toFts5(q), kind, limit],
        );
      return {
        accounts: (await pick('account')).map((r) => ({ id: Number(r.ref), name: r.name })),
        chats: (await pick('chat')).map((r) => ({ id: Number(r.ref), subject: r.name })),
      };
    }
    const tsq = `to_tsquery('${PG_CONFIG}', ?)`;
    const accounts = await this.db.all<{ ref: number; name: string }>(
      `SELECT account_id AS ref, name FROM account_names
        WHERE case_id = ? AND ${pgDocument('name')} @@ ${tsq} ORDER BY account_id, name LIMIT ?`,
      [c, toTsquery(q), limit],
    );
    const chats = await this.db.all<{ ref: number; name: string }>(
      `SELECT id AS ref, subject AS name FROM chats
        WHERE case_id = ? AND ${pgDocument("coalesce(subject, '')")} @@ ${tsq} ORDER BY id LIMIT ?`,
      [c, toTsquery(q), limit],
    );
    return {
      accounts: accounts.map((r) => ({ id: Number(r.ref), name: r.name })),
      chats: chats.map((r) => ({ id: Number(r.ref), subject: r.name })),
    };
  }

  /**
   * Rebuilds the case's index from its rows, in one transaction (`filet search --reindex`): for a store
   * whose index is suspected stale, or after the PostgreSQL configuration was changed (docs/search.md).
   * Returns the number of messages indexed.
   */
  async reindex(): Promise<number> {
    const c = this.store.caseId;
    return this.store.transaction(async (s) => {
      if (s.db.dialect === 'sqlite') {
        // One case per file: the whole index is this case's.
        await s.db.run(`INSERT INTO search_messages (search_messages) VALUES ('delete-all')`);
        await s.db.run(
          `INSERT INTO search_messages (rowid, body) SELECT id, ${messageBody('m')} FROM messages m WHERE m.case_id = ?`,
          [c],
        );
        await s.db.run('DELETE FROM search_names');
        await s.db.run(
          `INSERT INTO search_names (name, kind, ref) SELECT name, 'account', account_id FROM account_names WHERE case_id = ?`,
          [c],
        );
        await s.db.run(
          `INSERT INTO search_names (name, kind, ref) SELECT subject, 'chat', id FROM chats
            WHERE case_id = ? AND subject IS NOT NULL`,
          [c],
        );
      } else {
        await s.db.run('DELETE FROM search_messages WHERE case_id = ?', [c]);
        await s.db.run(
          `INSERT INTO search_messages (case_id, message_id, doc)
           SELECT m.case_id, m.id, ${pgDocument(messageBody('m'))} FROM messages m WHERE m.case_id = ?`,
          [c],
        );
      }
      const n = await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM messages WHERE case_id = ?', [c]);
      return Number(n?.n ?? 0);
    });
  }
}
