import {
  chatFromRow,
  eventFromRow,
  messageFromRow,
  type CaseStore,
  type ChatRow,
  type EventRow,
  type MessageRow,
} from './case-store.js';

/**
 * One chat read as a chat: its messages and its system events on one time axis, a window at a time.
 * Keyset paging on (at, id) — never OFFSET — so the 90,000th message of a group costs what the first does:
 * each query walks the (case_id, chat_id, at) index from the cursor for at most `limit` rows.
 */
export type ConversationItem = { type: 'message'; row: MessageRow } | { type: 'event'; row: EventRow };

/**
 * A place on the axis: a time and, among equal times, events before messages (a member is added, then
 * speaks; an export's times are whole minutes, so ties are common), then by id (the source's order).
 */
export interface ConversationCursor {
  at: number;
  /** 0 event, 1 message. */
  kind: 0 | 1;
  id: number;
}

export const cursorOf = (x: ConversationItem): ConversationCursor => ({
  at: x.row.at,
  kind: x.type === 'message' ? 1 : 0,
  id: x.row.id,
});

const order = (a: ConversationCursor, b: ConversationCursor) => a.at - b.at || a.kind - b.kind || a.id - b.id;

export class ConversationStore {
  constructor(private readonly store: CaseStore) {}

  /**
   * Up to `limit` items strictly after (`forward`) or strictly before the cursor, in time order; no cursor:
   * from the chat's first item (forward) or its last (backward).
   */
  async window(
    chatId: number,
    from: ConversationCursor | null,
    direction: 'forward' | 'backward',
    limit: number,
  ): Promise<ConversationItem[]> {
    const fwd = direction === 'forward';
    const [messages, events] = await Promise.all([
      this.side('messages', chatId, from, fwd, limit, 1),
      this.side('events', chatId, from, fwd, limit, 0),
    ]);
    const all: ConversationItem[] = [
      ...messages.map((r) => ({ type: 'message' as const, row: messageFromRow(r) })),
      ...events.map((r) => ({ type: 'event' as const, row: eventFromRow(r) })),
    ];
    all.sort((a, b) => order(cursorOf(a), cursorOf(b)));
    return fwd ? all.slice(0, limit) : all.slice(Math.max(0, all.length - limit));
  }

  /** The cursor of one message of the chat (to open the chat at it); null if it is not in the chat. */
  async messageCursor(chatId: number, messageId: number): Promise<ConversationCursor | null> {
    const r = await this.store.db.get<{ at: number }>(
      'SELECT at FROM messages WHERE case_id = ? AND chat_id = ? AND id = ?',
      [this.store.caseId, chatId, messageId],
    );
    return r ? { at: Number(r.at), kind: 1, id: messageId } : null;
  }

  /** The chat a message is in (a search hit, a reason or a provenance link names only the message). */
  async chatOfMessage(messageId: number): Promise<number | null> {
    const r = await this.store.db.get<{ chat_id: number }>(
      'SELECT chat_id FROM messages WHERE case_id = ? AND id = ?',
      [this.store.caseId, messageId],
    );
    return r ? Number(r.chat_id) : null;
  }

  async chat(chatId: number): Promise<ChatRow | null> {
    const r = await this.store.db.get<Record<string, unknown>>(
      'SELECT * FROM chats WHERE case_id = ? AND id = ?',
      [this.store.caseId, chatId],
    );
    return r ? chatFromRow(r) : null;
  }

  /** How many messages and events the chat holds. */
  async size(chatId: number): Promise<{ messages: number; events: number }> {
    const c = this.store.caseId;
    const m = await this.store.db.get<{ n: number }>(
      'SELECT COUNT(*) AS n FROM messages WHERE case_id = ? AND chat_id = ?',
      [c, chatId],
    );
    const e = await this.store.db.get<{ n: number }>(
      'SELECT COUNT(*) AS n FROM events WHERE case_id = ? AND chat_id = ?',
      [c, chatId],
    );
    return { messages: Number(m?.n ?? 0), events: Number(e?.n ?? 0) };
  }

  // One table's rows beyond the cursor. Items of the other kind at the cursor's own time are placed by
  // `kind`: going forward from an event at time t, messages at t come after it; from a message, events at t
  // came before it.
  private async side(
    table: 'messages' | 'events',
    chatId: number,
    from: ConversationCursor | null,
    fwd: boolean,
    limit: number,
    kind: 0 | 1,
  ): Promise<Record<string, unknown>[]> {
    const params: (string | number)[] = [this.store.caseId, chatId];
    let where = 'case_id = ? AND chat_id = ?';
    if (from) {
      const cmp = fwd ? '>' : '<';
      if (kind === from.kind) {
        where += ` AND (at ${cmp} ? OR (at = ? AND id ${cmp} ?))`;
        params.push(from.at, from.at, from.id);
      } else {
        // The other kind at the same time lies wholly after (kind greater) or wholly before the cursor.
        const sameTimeIncluded = fwd ? kind > from.kind : kind < from.kind;
        where += sameTimeIncluded ? ` AND at ${cmp}= ?` : ` AND at ${cmp} ?`;
        params.push(from.at);
      }
    }
    const dir = fwd ? 'ASC' : 'DESC';
    return this.store.db.all<Record<string, unknown>>(
      `SELECT * FROM ${table} WHERE ${where} ORDER BY at ${dir}, id ${dir} LIMIT ?`,
      [...params, limit],
    );
  }
}
