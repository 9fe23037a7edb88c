import type {
  ConversationEntry,
  ConversationMedia,
  ConversationPage,
  ConversationPerson,
} from '../../api/contract.js';
import type { CaseStore } from '../../store/case-store.js';
import {
  ConversationStore,
  cursorOf,
  type ConversationCursor,
  type ConversationItem,
} from '../../store/conversation-store.js';
import { accountLabel, mediaStatus, rootOf, type CaseView } from './case-view.js';
import { HttpError, isoAt } from './paging.js';

/**
 * A chat read as a chat (docs/api.md "Conversations"): a window of its messages and system events in time
 * order, with the people named and each message's media described under the wellness rules, and cursors
 * to the windows before and after. Opened at its start, its end, a cursor, or a message (a search hit, a
 * reason, a provenance row), which then sits in the middle of the window.
 */
export interface ConversationQuery {
  limit: number;
  before?: string;
  after?: string;
  end?: 'first' | 'last';
}

const CURSOR = /^(\d{1,16})\.([01])\.(\d{1,16})$/;

function parseCursor(s: string): ConversationCursor {
  const m = CURSOR.exec(s);
  if (!m) throw new HttpError(400, `not a conversation cursor: "${s.slice(0, 40)}"`);
  return { at: Number(m[1]), kind: Number(m[2]) as 0 | 1, id: Number(m[3]) };
}

const cursorText = (c: ConversationCursor) => `${c.at}.${c.kind}.${c.id}`;

export async function conversation(
  store: CaseStore,
  v: CaseView,
  chatId: number,
  q: ConversationQuery,
  focus?: number,
): Promise<ConversationPage> {
  const cs = new ConversationStore(store);
  const chat = await cs.chat(chatId);
  if (!chat) throw new HttpError(404, `no chat ${chatId}`);
  let items: ConversationItem[];
  let moreBefore: boolean;
  let moreAfter: boolean;
  const take = q.limit + 1; // one more than shown tells whether there is more
  if (focus !== undefined) {
    const at = await cs.messageCursor(chatId, focus);
    if (!at) throw new HttpError(404, `no message ${focus} in chat ${chatId}`);
    const half = Math.floor(q.limit / 2);
    const [back, fwd] = await Promise.all([
      cs.window(chatId, at, 'backward', half + 1),
      cs.window(chatId, { ...at, id: at.id - 1 }, 'forward', q.limit - half + 1),
    ]);
    moreBefore = back.length > half;
    moreAfter = fwd.length > q.limit - half;
    items = [...back.slice(moreBefore ? 1 : 0), ...fwd.slice(0, q.limit - half)];
  } else if (q.before !== undefined) {
    const got = await cs.window(chatId, parseCursor(q.before), 'backward', take);
    moreBefore = got.length > q.limit;
    moreAfter = true;
    items = got.slice(moreBefore ? 1 : 0);
  } else if (q.after !== undefined) {
    const got = await cs.window(chatId, parseCursor(q.after), 'forward', take);
    moreAfter = got.length > q.limit;
    moreBefore = true;
    items = got.slice(0, q.limit);
  } else if (q.end === 'last') {
    const got = await cs.window(chatId, null, 'backward', take);
    moreBefore = got.length > q.limit;
    moreAfter = false;
    items = got.slice(moreBefore ? 1 : 0);
  } else {
    const got = await cs.window(chatId, null, 'forward', take);
    moreAfter = got.length > q.limit;
    moreBefore = false;
    items = got.slice(0, q.limit);
  }

  const people: Record<string, ConversationPerson> = {};
  const person = (id: number | null): number | null => {
    if (id === null) return null;
    const root = v.accounts.has(id) ? rootOf(v, id) : id;
    if (!people[root] && v.accounts.has(root)) {
      const an = v.analysis.get(root);
      people[root] = {
        id: root,
        label: accountLabel(v, root),
        country: an?.country ?? null,
        roles: an?.roles ?? [],
      };
    }
    return root;
  };
  const media = (sha: string | null): ConversationMedia | null => {
    const m = sha ? v.mediaBySha.get(sha) : undefined;
    if (!m) return null;
    const best = v.matchesByMedia.get(m.id)?.[0];
    return {
      id: m.id,
      status: mediaStatus(v, m.id),
      category: best?.category ?? null,
      distance: best?.distance ?? null,
      sha256: m.sha256,
      md5: m.md5,
      pdq: m.pdq,
      mime: m.mime,
    };
  };
  const entries = items.map((x): ConversationEntry => {
    if (x.type === 'message') {
      const m = x.row;
      return {
        type: 'message',
        id: m.id,
        cursor: cursorText(cursorOf(x)),
        at: isoAt(m.at),
        sender: person(m.senderId),
        kind: m.kind,
        text: m.text,
        forwarded: m.forwarded,
        forwardScore: m.forwardScore,
        mediaName: m.mediaName,
        media: media(m.mediaSha256),
        deletedLater: m.deletedLater,
      };
    }
    const e = x.row;
    return {
      type: 'event',
      id: e.id,
      cursor: cursorText(cursorOf(x)),
      at: isoAt(e.at),
      event: e.type,
      actor: person(e.actorId),
      targets: e.targets.map((t) => person(t)!),
      value: e.value,
    };
  });
  const size = await cs.size(chatId);
  return {
    chat: {
      id: chat.id,
      kind: chat.kind,
      key: chat.key,
      subject: chat.subject,
      flagged: v.groupAnalysis.get(chat.id)?.flagged ?? null,
      ...size,
    },
    people,
    items: entries,
    before: moreBefore && items.length ? cursorText(cursorOf(items[0]!)) : null,
    after: moreAfter && items.length ? cursorText(cursorOf(items[items.length - 1]!)) : null,
    focus: focus ?? null,
  };
}

/** The chat of a message, to open its conversation at it. */
export async function chatOfMessage(store: CaseStore, messageId: number): Promise<number> {
  const chat = await new ConversationStore(store).chatOfMessage(messageId);
  if (chat === null) throw new HttpError(404, `no message ${messageId}`);
  return chat;
}
