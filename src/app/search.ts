import type { SearchResult } from '../api/contract.js';
import { resolveAccount, UNRESOLVED } from '../jurisdiction/resolve.js';
import { canonicalizer } from '../model/canonical.js';
import type { CaseStore } from '../store/case-store.js';
import { SearchStore, type SearchFilters } from '../store/search-store.js';
import { parseQuery, snippet, type Snippet } from '../search/query.js';
import { UserError } from '../util/errors.js';

/**
 * Full-text search over a case (docs/search.md), shared by `filet search` and `GET …/search`. The query is
 * parsed once (src/search/query.ts); filters are resolved here against the case as it stands: a sender is
 * the person (the account and every account merged with it), a country is the sender's, from their phone
 * number (src/jurisdiction, as the analysis resolves it — it needs no analysis run).
 */
export interface SearchRequest {
  q: string;
  /** A chat (group or direct) id. */
  group?: number;
  /** An account id: its messages and those of every account merged with it. */
  sender?: number;
  /** ISO 3166-1 alpha-2 of the sender's number, or `unresolved`. */
  country?: string;
  /** ISO 8601; a date alone is that day from 00:00 UTC. */
  from?: string;
  /** ISO 8601; a date alone includes that whole day (UTC). */
  to?: string;
  hasMedia?: boolean;
  offset?: number;
  limit?: number;
}

export type { SearchHit, SearchResult } from '../api/contract.js';

export const SEARCH_LIMIT_MAX = 500;
const NAMES_SHOWN = 20;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

export function parseBound(value: string, which: 'from' | 'to'): number {
  const ms = Date.parse(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms))
    throw new UserError(`search: --${which} must be an ISO 8601 date or time, got "${value}"`);
  return which === 'to' && DATE_ONLY.test(value) ? ms + DAY_MS : ms;
}

function label(phone: string | null, key: string, names: string[]): string {
  const name = names[0];
  if (phone) return name ? `${phone} (${name})` : phone;
  return name ?? key;
}

export async function searchCase(store: CaseStore, req: SearchRequest): Promise<SearchResult> {
  const q = parseQuery(req.q);
  const offset = req.offset ?? 0;
  const limit = req.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > SEARCH_LIMIT_MAX)
    throw new UserError(`search: the limit must be 1 to ${SEARCH_LIMIT_MAX}, got ${limit}`);
  if (!Number.isInteger(offset) || offset < 0)
    throw new UserError(`search: the offset must be a non-negative integer, got ${offset}`);

  const accounts = await store.accounts();
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const canon = canonicalizer(accounts);
  const { names } = await store.accountAliases();
  // A person's names: those of every account merged into it, the person's own first.
  const personNames = (root: number) => {
    const own = names.get(root) ?? [];
    const merged = accounts
      .filter((a) => a.id !== root && canon(a.id) === root)
      .flatMap((a) => names.get(a.id) ?? []);
    return [...new Set([...own, ...merged])];
  };
  const display = (id: number) => {
    const root = canon(id);
    const a = byId.get(root);
    return a ? label(a.phone, a.key, personNames(root)) : `#${root}`;
  };

  const f: SearchFilters = {};
  if (req.group !== undefined) f.chatId = req.group;
  let senders: Set<number> | null = null;
  if (req.sender !== undefined) {
    if (!byId.has(req.sender)) throw new UserError(`search: there is no account ${req.sender} in this case`);
    const root = canon(req.sender);
    senders = new Set(accounts.filter((a) => canon(a.id) === root).map((a) => a.id));
  }
  if (req.country !== undefined) {
    const wanted = req.country === UNRESOLVED ? null : req.country.toUpperCase();
    const country = new Map<number, string | null>();
    const of = (root: number) => {
      if (!country.has(root)) country.set(root, resolveAccount(byId.get(root)!).country);
      return country.get(root)!;
    };
    const inCountry = accounts.filter((a) => of(canon(a.id)) === wanted).map((a) => a.id);
    senders = new Set(senders ? inCountry.filter((id) => senders!.has(id)) : inCountry);
  }
  if (senders) f.senderIds = [...senders].sort((a, b) => a - b);
  if (req.from !== undefined) f.from = parseBound(req.from, 'from');
  if (req.to !== undefined) f.to = parseBound(req.to, 'to');
  if (req.hasMedia !== undefined) f.hasMedia = req.hasMedia;

  const search = new SearchStore(store);
  const { total, rows } = await search.messages(q, f, offset, limit);
  const found = await search.names(q, NAMES_SHOWN * 4);
  const people = new Map<number, { id: number; display: string; names: string[] }>();
  for (const n of found.accounts) {
    const root = canon(n.id);
    if (!people.has(root) && people.size < NAMES_SHOWN)
      people.set(root, { id: root, display: display(root), names: personNames(root) });
  }
  return {
    query: req.q,
    total,
    offset,
    limit,
    items: rows.map((r) => ({
      messageId: r.id,
      chat: { id: r.chatId, subject: r.chatSubject, kind: r.chatKind },
      sender: r.senderId === null ? null : { id: canon(r.senderId), display: display(r.senderId) },
      at: new Date(r.at).toISOString(),
      kind: r.kind,
      text: r.text,
      mediaName: r.mediaName,
      deletedLater: r.deletedLater,
      // The text when it matched, else the media file name (what else can have matched).
      snippet: pickSnippet(q, r.text, r.mediaName),
      score: r.score,
    })),
    accounts: [...people.values()],
    groups: found.chats.slice(0, NAMES_SHOWN),
  };
}

function pickSnippet(
  q: ReturnType<typeof parseQuery>,
  text: string | null,
  mediaName: string | null,
): Snippet {
  const t = snippet(q, text ?? '');
  if (t.marks.length || !mediaName) return t;
  const m = snippet(q, mediaName);
  return m.marks.length ? m : t;
}
